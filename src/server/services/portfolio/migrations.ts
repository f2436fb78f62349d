import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrate.js';

export const portfolioMigrations: MigrationSet = {
  '0001_create_visits': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('portfolio')
        .createTable('visits')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('referrer_host', 'text')
        .addColumn('visited_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .withSchema('portfolio')
        .createIndex('visits_visited_at_idx')
        .on('visits')
        .column('visited_at')
        .execute();
    },
  },
};

import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrate.js';

export const echoMigrations: MigrationSet = {
  '0001_create_event_store': {
    async up(db: Kysely<unknown>) {
      const s = db.schema.withSchema('echo');
      await s
        .createTable('event_store')
        .addColumn('event_id', 'uuid', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('source_service', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .addColumn('correlation_id', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('received'))
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await s
        .createIndex('event_store_occurred_idx')
        .on('event_store')
        .columns(['occurred_at', 'event_id'])
        .execute();
      await s
        .createIndex('event_store_type_idx')
        .on('event_store')
        .columns(['type', 'occurred_at'])
        .execute();
    },
  },
};

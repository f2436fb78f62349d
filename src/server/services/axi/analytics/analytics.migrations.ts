import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../../platform/db/migrate.js';

/** Stored dataset profiles and analysis results; both go when their dataset goes. */
export const analyticsMigrations: MigrationSet = {
  '0300_create_dataset_profiles': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('dataset_profiles')
        .addColumn('dataset_id', 'uuid', (c) =>
          c.primaryKey().references('axi.datasets.id').onDelete('cascade'),
        )
        .addColumn('profile', 'jsonb', (c) => c.notNull())
        .addColumn('computed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '0301_create_analysis_results': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .withSchema('axi')
        .createTable('analysis_results')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('dataset_id', 'uuid', (c) => c.notNull().references('axi.datasets.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('correlation', 'cohort')`))
        .addColumn('params', 'jsonb', (c) => c.notNull())
        .addColumn('result', 'jsonb', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .withSchema('axi')
        .createIndex('analysis_results_owner_created_idx')
        .on('analysis_results')
        .columns(['owner_id', 'created_at desc', 'id'])
        .execute();
      // The foreign key's cascade on dataset delete needs this to avoid a scan per deleted dataset.
      await db.schema
        .withSchema('axi')
        .createIndex('analysis_results_dataset_idx')
        .on('analysis_results')
        .column('dataset_id')
        .execute();
    },
  },
};

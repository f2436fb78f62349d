import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../../platform/db/migrate.js';

/** Datasets' metadata in `axi`; their rows in `axi_data`, one table per dataset. */
export const datasetsMigrations: MigrationSet = {
  '0200_create_datasets': {
    async up(db: Kysely<unknown>) {
      await sql`create schema if not exists axi_data`.execute(db);
      await db.schema
        .withSchema('axi')
        .createTable('datasets')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('owner_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('original_filename', 'text')
        .addColumn('table_name', 'text', (c) => c.notNull().unique())
        .addColumn('columns', 'jsonb', (c) => c.notNull())
        .addColumn('row_count', 'bigint', (c) => c.notNull())
        .addColumn('rejected_row_count', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('size_bytes', 'bigint', (c) => c.notNull())
        .addColumn('encoding', 'text', (c) => c.notNull())
        .addColumn('delimiter', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .withSchema('axi')
        .createIndex('datasets_owner_created_idx')
        .on('datasets')
        .columns(['owner_id', 'created_at desc'])
        .execute();
      // Rows that could not be stored under on_error=quarantine, kept for the user to download.
      await db.schema
        .withSchema('axi')
        .createTable('dataset_rejected_rows')
        .addColumn('dataset_id', 'uuid', (c) => c.notNull().references('axi.datasets.id').onDelete('cascade'))
        .addColumn('line', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('raw', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('dataset_rejected_rows_pk', ['dataset_id', 'line'])
        .execute();
    },
  },
};

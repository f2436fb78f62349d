import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../../platform/db/migrate.js';

/**
 * The question history (what the web shows; no result rows are kept) and the dataset tables
 * that got a reader role. The second exists because `dataset.deleted` carries only the dataset
 * id: AIDE must remember which table's role to drop.
 */
export const nl2sqlMigrations: MigrationSet = {
  '0100_create_questions': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table aide.questions (
          id uuid primary key,
          user_id text not null,
          dataset_id uuid not null,
          question text not null,
          understood boolean not null,
          sql text,
          provider text not null,
          prompt_version text not null,
          row_count integer not null,
          truncated boolean not null,
          timings jsonb not null,
          created_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index questions_user_dataset_idx on aide.questions (user_id, dataset_id, created_at desc)`.execute(
        db,
      );
      await sql`create index questions_dataset_idx on aide.questions (dataset_id)`.execute(db);
    },
  },
  '0101_create_reader_tables': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table aide.reader_tables (
          dataset_id uuid primary key,
          table_schema text not null,
          table_name text not null,
          created_at timestamptz not null default now()
        )`.execute(db);
    },
  },
  '0102_add_question_usage': {
    async up(db: Kysely<unknown>) {
      // Null for the built-in engine and for providers that do not report tokens.
      await sql`
        alter table aide.questions
          add column model text,
          add column input_tokens integer,
          add column output_tokens integer`.execute(db);
    },
  },
};

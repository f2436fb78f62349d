import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../../platform/db/migrate.js';

/**
 * The usage ledger: one row per question or insight request, whoever answered and whether it
 * came from the cache, with the tokens and the cost at the prices of that moment. It outlives
 * datasets (it is what was spent), so it has no reference to them.
 */
export const usageMigrations: MigrationSet = {
  '0110_create_usage': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table aide.usage (
          id uuid primary key,
          user_id text not null,
          dataset_id uuid,
          feature text not null check (feature in ('nl2sql', 'insights')),
          provider text not null,
          model text,
          cached boolean not null,
          fallback_reason text,
          input_tokens integer,
          output_tokens integer,
          cost_usd numeric(16, 8),
          created_at timestamptz not null
        )`.execute(db);
      await sql`create index usage_created_idx on aide.usage (created_at)`.execute(db);
      await sql`create index usage_user_created_idx on aide.usage (user_id, created_at)`.execute(db);
    },
  },
};

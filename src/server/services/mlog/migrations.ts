import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../platform/db/migrate.js';

/**
 * The audit-event table, range-partitioned by day on `ts`. It has no default partition: the
 * ingest path creates the day partitions it needs (a default partition holding rows would block
 * creating a partition for their day later), and retention drops whole expired partitions.
 * Indexes declared here are created on every partition.
 */
export const mlogTableMigrations: MigrationSet = {
  '0001_create_events': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table mlog.events (
          id uuid not null,
          ts timestamptz not null,
          received_at timestamptz not null,
          service text not null,
          action text not null,
          user_id text,
          session_id text,
          correlation_id text,
          schema_version smallint not null,
          metadata jsonb not null
        ) partition by range (ts)`.execute(db);
      await sql`create index events_ts_idx on mlog.events (ts)`.execute(db);
      await sql`create index events_service_ts_idx on mlog.events (service, ts)`.execute(db);
      await sql`create index events_user_ts_idx on mlog.events (user_id, ts) where user_id is not null`.execute(
        db,
      );
    },
  },
  // Counts per (hour, service, action), kept by ingest (see event-counts.ts); recounted here
  // from the events stored before it existed. No unique key: ingest only inserts.
  '0002_create_event_counts_hourly': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table mlog.event_counts_hourly (
          hour timestamptz not null,
          service text not null,
          action text not null,
          count bigint not null
        )`.execute(db);
      await sql`create index event_counts_hourly_idx on mlog.event_counts_hourly (hour, service, action)`.execute(
        db,
      );
      await sql`
        insert into mlog.event_counts_hourly (hour, service, action, count)
        select date_trunc('hour', ts, 'UTC'), service, action, count(*)
        from mlog.events group by 1, 2, 3`.execute(db);
    },
  },
};

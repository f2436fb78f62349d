import { type Kysely, sql } from 'kysely';
import type { MigrationSet } from '../../../platform/db/migrate.js';

/** Rollups derived from `mlog.events`, and the anomalies detected in it. */
export const lifecycleMigrations: MigrationSet = {
  '0300_create_rollups': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table mlog.daily_metrics (
          day date not null,
          service text not null,
          action text not null,
          count bigint not null,
          distinct_users bigint not null,
          refreshed_at timestamptz not null,
          primary key (day, service, action)
        )`.execute(db);
      await sql`create index daily_metrics_service_day_idx on mlog.daily_metrics (service, day)`.execute(db);
      // No natural key: a derived session is identified by where it starts, and the refresh job
      // replaces every session of its window at once.
      await sql`
        create table mlog.user_sessions (
          user_id text not null,
          service text not null,
          session_id text,
          started_at timestamptz not null,
          ended_at timestamptz not null,
          events integer not null
        )`.execute(db);
      await sql`create index user_sessions_user_started_idx on mlog.user_sessions (user_id, started_at)`.execute(
        db,
      );
      await sql`create index user_sessions_started_idx on mlog.user_sessions (started_at)`.execute(db);
    },
  },
  '0301_create_anomalies': {
    async up(db: Kysely<unknown>) {
      await sql`
        create table mlog.anomalies (
          service text not null,
          action text not null,
          minute timestamptz not null,
          count integer not null,
          baseline_mean double precision not null,
          baseline_stddev double precision not null,
          z_score double precision not null,
          detected_at timestamptz not null,
          primary key (service, action, minute)
        )`.execute(db);
      await sql`create index anomalies_minute_idx on mlog.anomalies (minute desc)`.execute(db);
    },
  },
};

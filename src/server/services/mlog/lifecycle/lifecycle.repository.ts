import { sql } from 'kysely';
import type { Anomaly, DailyMetric, UserSession } from '../../../../contracts/mlog/lifecycle.js';
import type { Db } from '../../../platform/db/database.js';

/** Day partitions of mlog.events are named `events_YYYYMMDD` (the ingest path creates them). */
const partitionName = /^events_(\d{4})(\d{2})(\d{2})$/;

/**
 * Runs `fn` in a transaction holding a transaction-level advisory lock named after the job, so
 * among several replicas one runs it; the others get `undefined` at once instead of waiting.
 */
export async function withJobLock<T>(
  db: Db,
  job: string,
  fn: (tx: Db) => Promise<T>,
): Promise<T | undefined> {
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtextextended(${`mlog.${job}`}, 0)) as locked`.execute(tx);
    if (!rows[0]?.locked) return undefined;
    return fn(tx);
  });
}

// ---- rollups ----

/** Recounts each (UTC day, service, action) of [from, to) and removes rows of those days that no longer have events. */
export async function refreshDailyMetrics(db: Db, from: Date, to: Date, refreshedAt: Date): Promise<number> {
  const result = await sql`
    insert into mlog.daily_metrics (day, service, action, count, distinct_users, refreshed_at)
    select (ts at time zone 'UTC')::date, service, action, count(*), count(distinct user_id), ${refreshedAt}
    from mlog.events
    where ts >= ${from} and ts < ${to}
    group by 1, 2, 3
    on conflict (day, service, action) do update
      set count = excluded.count, distinct_users = excluded.distinct_users, refreshed_at = excluded.refreshed_at`.execute(
    db,
  );
  await sql`
    delete from mlog.daily_metrics
    where day >= (${from}::timestamptz at time zone 'UTC')::date
      and day < (${to}::timestamptz at time zone 'UTC')::date
      and refreshed_at <> ${refreshedAt}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Where a session refresh from `windowStart` must begin: earlier, at the start of any stored
 * session still open at `windowStart` (within the gap), so that session is rebuilt whole rather
 * than split in two.
 */
export async function sessionRefreshStart(db: Db, windowStart: Date, gapMinutes: number): Promise<Date> {
  const { rows } = await sql<{ start: Date | null }>`
    select min(started_at) as start from mlog.user_sessions
    where ended_at >= ${windowStart}::timestamptz - make_interval(mins => ${gapMinutes})
      and started_at < ${windowStart}`.execute(db);
  const start = rows[0]?.start;
  return start && new Date(start) < windowStart ? new Date(start) : windowStart;
}

/**
 * Replaces the sessions starting in [from, to) with ones rebuilt from the events: one per
 * sender-given session id, and for events without one, runs of a user's events in a service with
 * no gap longer than `gapMinutes`. Events without a user id belong to no session.
 */
export async function rebuildSessions(db: Db, from: Date, to: Date, gapMinutes: number): Promise<number> {
  await sql`delete from mlog.user_sessions where started_at >= ${from} and started_at < ${to}`.execute(db);
  const result = await sql`
    insert into mlog.user_sessions (user_id, service, session_id, started_at, ended_at, events)
    select user_id, service, session_id, min(ts), max(ts), count(*)
    from mlog.events
    where ts >= ${from} and ts < ${to} and user_id is not null and session_id is not null
    group by user_id, service, session_id
    union all
    select user_id, service, null, min(ts), max(ts), count(*)
    from (
      select user_id, service, ts,
        sum(starts) over (partition by user_id, service order by ts rows unbounded preceding) as n
      from (
        select user_id, service, ts,
          case when ts - lag(ts) over (partition by user_id, service order by ts)
                    <= make_interval(mins => ${gapMinutes}) then 0 else 1 end as starts
        from mlog.events
        where ts >= ${from} and ts < ${to} and user_id is not null and session_id is null
      ) marked
    ) numbered
    group by user_id, service, n`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function listDailyMetrics(
  db: Db,
  fromDay: string,
  toDay: string,
  service: string | undefined,
): Promise<DailyMetric[]> {
  const { rows } = await sql<{
    day: string;
    service: string;
    action: string;
    count: string;
    distinctUsers: string;
  }>`
    select to_char(day, 'YYYY-MM-DD') as day, service, action, count, distinct_users
    from mlog.daily_metrics
    where day >= ${fromDay}::date and day <= ${toDay}::date
      ${service === undefined ? sql`` : sql`and service = ${service}`}
    order by day, service, action`.execute(db);
  return rows.map((r) => ({ ...r, count: Number(r.count), distinctUsers: Number(r.distinctUsers) }));
}

export async function listSessions(
  db: Db,
  userId: string,
  from: Date | undefined,
  to: Date | undefined,
  limit: number,
): Promise<UserSession[]> {
  const { rows } = await sql<{
    userId: string;
    service: string;
    sessionId: string | null;
    startedAt: Date;
    endedAt: Date;
    events: number;
  }>`
    select user_id, service, session_id, started_at, ended_at, events
    from mlog.user_sessions
    where user_id = ${userId}
      ${from === undefined ? sql`` : sql`and started_at >= ${from}`}
      ${to === undefined ? sql`` : sql`and started_at < ${to}`}
    order by started_at desc
    limit ${limit}`.execute(db);
  return rows.map((r) => ({
    ...r,
    startedAt: new Date(r.startedAt).toISOString(),
    endedAt: new Date(r.endedAt).toISOString(),
    events: Number(r.events),
  }));
}

// ---- retention ----

export interface EventPartition {
  name: string;
  /** The UTC day it holds, YYYY-MM-DD. */
  day: string;
}

/** The day partitions of mlog.events, oldest first (others attached under other names are ignored). */
export async function listEventPartitions(db: Db): Promise<EventPartition[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = 'mlog' and p.relname = 'events'`.execute(db);
  const out: EventPartition[] = [];
  for (const { name } of rows) {
    const m = partitionName.exec(name);
    if (m) out.push({ name, day: `${m[1]}-${m[2]}-${m[3]}` });
  }
  return out.sort((a, b) => a.day.localeCompare(b.day));
}

function partitionRef(partition: string) {
  // The name comes from pg_class and matched the pattern above; still, refuse anything else.
  if (!partitionName.test(partition)) throw new Error(`not an events partition: ${partition}`);
  return sql.id('mlog', partition);
}

export async function partitionExists(db: Db, partition: string): Promise<boolean> {
  const { rows } = await sql<{
    oid: string | null;
  }>`select to_regclass(${`mlog.${partition}`})::text as oid`.execute(db);
  return rows[0]?.oid != null;
}

/** Blocks writes to the partition until the transaction ends, so what is archived is all there is. */
export async function lockPartitionForArchive(tx: Db, partition: string): Promise<void> {
  await sql`lock table ${partitionRef(partition)} in share mode`.execute(tx);
}

export async function countPartitionRows(db: Db, partition: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${partitionRef(partition)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The partition's rows as NDJSON lines (StoredAuditEvent fields, timestamps in UTC with their
 * full microsecond precision), read through a cursor in `batchRows` steps so memory stays flat.
 * Must run inside a transaction (cursors live in one).
 */
export async function* readPartitionAsNdjson(
  tx: Db,
  partition: string,
  batchRows = 5_000,
): AsyncGenerator<string> {
  await sql`set local timezone = 'UTC'`.execute(tx);
  await sql`
    declare mlog_archive_cursor no scroll cursor for
    select json_build_object(
      'id', id, 'ts', ts, 'receivedAt', received_at, 'service', service, 'action', action,
      'userId', user_id, 'sessionId', session_id, 'correlationId', correlation_id,
      'schemaVersion', schema_version, 'metadata', metadata)::text as line
    from ${partitionRef(partition)}
    order by ts, id`.execute(tx);
  try {
    for (;;) {
      const { rows } = await sql<{
        line: string;
      }>`fetch forward ${sql.lit(batchRows)} from mlog_archive_cursor`.execute(tx);
      if (rows.length === 0) break;
      yield `${rows.map((r) => r.line).join('\n')}\n`;
    }
  } finally {
    await sql`close mlog_archive_cursor`.execute(tx);
  }
}

export async function dropPartition(tx: Db, partition: string): Promise<void> {
  await sql`drop table ${partitionRef(partition)}`.execute(tx);
}

/** Deletes the rows of `services` (or, with `except`, of every other service) older than `before`. */
export async function deleteEventsBefore(
  db: Db,
  before: Date,
  services: { only: string } | { except: string[] },
): Promise<number> {
  const filter =
    'only' in services
      ? sql`service = ${services.only}`
      : services.except.length === 0
        ? sql`true`
        : sql`service <> all(${services.except}::text[])`;
  const result = await sql`delete from mlog.events where ts < ${before} and ${filter}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

// ---- anomalies ----

export interface MinuteCount {
  service: string;
  action: string;
  minute: Date;
  count: number;
}

export async function countPerMinute(db: Db, from: Date, to: Date): Promise<MinuteCount[]> {
  const { rows } = await sql<{ service: string; action: string; minute: Date; count: string }>`
    select service, action, date_trunc('minute', ts) as minute, count(*) as count
    from mlog.events
    where ts >= ${from} and ts < ${to}
    group by 1, 2, 3`.execute(db);
  return rows.map((r) => ({ ...r, minute: new Date(r.minute), count: Number(r.count) }));
}

/** True when this (service, action, minute) was not recorded before. */
export async function insertAnomaly(
  db: Db,
  a: Omit<Anomaly, 'minute' | 'detectedAt'> & { minute: Date; detectedAt: Date },
) {
  const { rows } = await sql<{ service: string }>`
    insert into mlog.anomalies (service, action, minute, count, baseline_mean, baseline_stddev, z_score, detected_at)
    values (${a.service}, ${a.action}, ${a.minute}, ${a.count}, ${a.baselineMean}, ${a.baselineStddev}, ${a.zScore}, ${a.detectedAt})
    on conflict (service, action, minute) do nothing
    returning service`.execute(db);
  return rows.length === 1;
}

export async function listAnomalies(
  db: Db,
  since: Date | undefined,
  service: string | undefined,
  limit: number,
): Promise<Anomaly[]> {
  const { rows } = await sql<{
    service: string;
    action: string;
    minute: Date;
    count: number;
    baselineMean: number;
    baselineStddev: number;
    zScore: number;
    detectedAt: Date;
  }>`
    select service, action, minute, count, baseline_mean, baseline_stddev, z_score, detected_at
    from mlog.anomalies
    where true
      ${since === undefined ? sql`` : sql`and minute >= ${since}`}
      ${service === undefined ? sql`` : sql`and service = ${service}`}
    order by minute desc, service, action
    limit ${limit}`.execute(db);
  return rows.map((r) => ({
    ...r,
    count: Number(r.count),
    baselineMean: Number(r.baselineMean),
    baselineStddev: Number(r.baselineStddev),
    zScore: Number(r.zScore),
    minute: new Date(r.minute).toISOString(),
    detectedAt: new Date(r.detectedAt).toISOString(),
  }));
}

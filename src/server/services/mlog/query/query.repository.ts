import { CompiledQuery, type RawBuilder, sql } from 'kysely';
import type { TimelineBucket } from '../../../../contracts/mlog/query.js';
import type { Db } from '../../../platform/db/database.js';
import type { StoredAuditEvent } from '../audit-event.js';
import { wholeHours } from '../event-counts.js';
import type { CompiledPipeline } from './pipeline-compiler.js';

export interface EventFilter {
  from: Date;
  to: Date;
  service?: string | undefined;
  action?: string | undefined;
  userId?: string | undefined;
}

function whereFilter(f: EventFilter) {
  return sql.join(
    [
      sql`ts >= ${f.from}`,
      sql`ts < ${f.to}`,
      ...(f.service !== undefined ? [sql`service = ${f.service}`] : []),
      ...(f.action !== undefined ? [sql`action = ${f.action}`] : []),
      ...(f.userId !== undefined ? [sql`user_id = ${f.userId}`] : []),
    ],
    sql` and `,
  );
}

/**
 * The counts of `filter` split into what `mlog.event_counts_hourly` answers (the whole hours of
 * the window, when the filter has no user) and the one or two partial hours at its ends, which
 * only the events themselves can answer. `key` is the grouping expression, given the time column;
 * `hourly: false` reads the events only (for groupings finer than an hour).
 */
function countsOf(
  filter: EventFilter,
  key: (time: RawBuilder<unknown>) => RawBuilder<unknown>,
  { hourly = true } = {},
) {
  const eventsIn = (from: Date, to: Date) => sql`
    select ${key(sql`ts`)} as k, count(*) as n
    from mlog.events where ${whereFilter({ ...filter, from, to })} group by 1`;
  const hours = wholeHours(filter.from, filter.to);
  if (!hourly || filter.userId !== undefined || hours.start >= hours.end)
    return eventsIn(filter.from, filter.to);
  const parts = [
    sql`
    select ${key(sql`hour`)} as k, sum(count) as n
    from mlog.event_counts_hourly
    where ${whereCounts(hours.start, hours.end, filter)} group by 1`,
  ];
  if (filter.from < hours.start) parts.push(eventsIn(filter.from, hours.start));
  if (hours.end < filter.to) parts.push(eventsIn(hours.end, filter.to));
  return sql.join(parts, sql` union all `);
}

function whereCounts(from: Date, to: Date, f: EventFilter) {
  return sql.join(
    [
      sql`hour >= ${from}`,
      sql`hour < ${to}`,
      ...(f.service !== undefined ? [sql`service = ${f.service}`] : []),
      ...(f.action !== undefined ? [sql`action = ${f.action}`] : []),
    ],
    sql` and `,
  );
}

export async function countByAction(db: Db, filter: EventFilter, { users = false } = {}) {
  const [counts, distinct] = await Promise.all([
    sql<{ action: string; count: number }>`
      select k as action, sum(n)::int as count from (${countsOf(filter, () => sql`action`)}) c
      group by k order by sum(n) desc, k collate "C"`.execute(db),
    users ? distinctUsers(db, filter) : undefined,
  ]);
  const usersByAction = new Map(distinct?.byAction.map((u) => [u.action, u.distinctUsers]));
  const byAction = counts.rows.map((r) => ({
    ...r,
    distinctUsers: distinct ? (usersByAction.get(r.action) ?? 0) : null,
  }));
  return {
    byAction,
    total: byAction.reduce((sum, r) => sum + r.count, 0),
    distinctUsers: distinct ? distinct.total : null,
  };
}

async function distinctUsers(db: Db, filter: EventFilter) {
  const { rows } = await sql<{ action: string | null; distinctUsers: number }>`
    select action, count(distinct user_id)::int as distinct_users
    from mlog.events where ${whereFilter(filter)}
    group by grouping sets ((action), ())`.execute(db);
  return {
    byAction: rows.filter((r): r is typeof r & { action: string } => r.action !== null),
    total: rows.find((r) => r.action === null)?.distinctUsers ?? 0,
  };
}

const BUCKET_INTERVAL = { minute: '1 minute', hour: '1 hour', day: '1 day' } as const;
const EPOCH = sql`timestamptz '1970-01-01T00:00:00Z'`;

/**
 * Non-empty buckets only, UTC boundaries. `date_bin` from the epoch gives the same UTC buckets
 * as `date_trunc(bucket, t, 'UTC')` at a fraction of its cost (no time-zone arithmetic per row).
 */
export async function countByBucket(db: Db, bucket: TimelineBucket, filter: EventFilter) {
  const { rows } = await sql<{ t: Date; count: number }>`
    select k as t, sum(n)::int as count
    from (${countsOf(
      filter,
      (time) => sql`date_bin(${BUCKET_INTERVAL[bucket]}::interval, ${time}, ${EPOCH})`,
      {
        // An hour's count cannot be split into its minutes.
        hourly: bucket !== 'minute',
      },
    )}) c
    group by 1 order by 1`.execute(db);
  return rows;
}

/** A stored event as the events endpoint reads it back. */
export type EventRow = StoredAuditEvent & {
  /** `ts` to the microsecond, for the cursor (a JS Date keeps only milliseconds). */
  tsExact: string;
};

/** Newest first, keyset on (ts, id): rows strictly after `before` in that order. */
export async function listEvents(
  db: Db,
  filter: EventFilter,
  before: { ts: string; id: string } | undefined,
  limit: number,
) {
  const keyset = before ? sql` and (ts, id) < (${before.ts}::timestamptz, ${before.id}::uuid)` : sql``;
  const { rows } = await sql<EventRow>`
    select id, ts, to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ts_exact,
      received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata
    from mlog.events where ${whereFilter(filter)}${keyset}
    order by ts desc, id desc limit ${limit}`.execute(db);
  return rows;
}

/** Runs a compiled pipeline read-only, with its own statement timeout. */
export async function runPipeline(db: Db, compiled: CompiledPipeline, timeoutMs: number) {
  return db.transaction().execute(async (tx) => {
    // SET takes no bind parameters; the value is our own integer.
    await sql.raw(`set local statement_timeout = ${Math.trunc(timeoutMs)}`).execute(tx);
    await sql`set transaction read only`.execute(tx);
    const result = await tx.executeQuery<Record<string, unknown>>(
      CompiledQuery.raw(compiled.text, compiled.parameters),
    );
    return result.rows;
  });
}

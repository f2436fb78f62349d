import { CompiledQuery, sql } from 'kysely';
import type { TimelineBucket } from '../../../../contracts/mlog/query.js';
import type { Db } from '../../../platform/db/database.js';
import type { StoredAuditEvent } from '../audit-event.js';
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

export async function countByAction(db: Db, filter: EventFilter) {
  const { rows } = await sql<{ action: string; count: number; distinctUsers: number }>`
    select action, count(*)::int as count, count(distinct user_id)::int as distinct_users
    from mlog.events where ${whereFilter(filter)}
    group by action order by count desc, action collate "C"`.execute(db);
  const totals = await sql<{ total: number; distinctUsers: number }>`
    select count(*)::int as total, count(distinct user_id)::int as distinct_users
    from mlog.events where ${whereFilter(filter)}`.execute(db);
  return {
    byAction: rows,
    total: totals.rows[0]?.total ?? 0,
    distinctUsers: totals.rows[0]?.distinctUsers ?? 0,
  };
}

/** Non-empty buckets only, UTC boundaries. */
export async function countByBucket(db: Db, bucket: TimelineBucket, filter: EventFilter) {
  const { rows } = await sql<{ t: Date; count: number }>`
    select date_trunc(${bucket}, ts, 'UTC') as t, count(*)::int as count
    from mlog.events where ${whereFilter(filter)}
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

import { sql } from 'kysely';
import type { CopySession, Db } from '../../../platform/db/database.js';
import type { StoredAuditEvent } from '../audit-event.js';
import { COPY_STATEMENT, copyChunks, type EncodableEvent } from './copy-rows.js';

const DAY_MS = 86_400_000;

/** The UTC day (`YYYYMMDD`) an instant falls in: the partition it belongs to. */
export function dayOf(ts: Date): string {
  return ts.toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The UTC day of an instant as a number (days since 1970-01-01): what the ingest path compares
 * per event, as formatting `dayOf` for each of them would cost more than the rest of the check.
 */
export const dayNumberOf = (ts: Date): number => Math.floor(ts.getTime() / DAY_MS);

/** The partition day (`YYYYMMDD`) of a day number. */
export const dayOfNumber = (dayNumber: number): string => dayOf(new Date(dayNumber * DAY_MS));

/** The distinct day numbers of some events; runs of one day (events mostly come in time order) cost one lookup. */
export function dayNumbersOf(events: Iterable<{ ts: Date }>): Set<number> {
  const days = new Set<number>();
  let previous = Number.NaN;
  for (const event of events) {
    const day = dayNumberOf(event.ts);
    if (day !== previous) days.add(day);
    previous = day;
  }
  return days;
}

/** `mlog.events_YYYYMMDD`: the only place a partition name is made (from a day we computed). */
export function partitionName(day: string): string {
  if (!/^\d{8}$/.test(day)) throw new Error(`bad partition day ${day}`);
  return `mlog.events_${day}`;
}

function dayBounds(day: string): { from: string; to: string } {
  const start = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
  return { from: new Date(start).toISOString(), to: new Date(start + DAY_MS).toISOString() };
}

// Codes a racing creator of the same partition can meet after `if not exists` has looked:
// duplicate relation or catalogue row, or the bound "overlapping" the partition just created.
const raceCodes = new Set(['42P07', '23505', '42P17']);

/**
 * Creates the day partition if it is missing, inside the caller's transaction. A savepoint
 * keeps a lost race (another process created it meanwhile) from aborting that transaction.
 */
export async function createDayPartition(db: Db, day: string): Promise<void> {
  // The savepoint below needs a transaction; outside one, the creation gets its own.
  if (!db.isTransaction) return db.transaction().execute((tx) => createDayPartition(tx, day));
  const name = partitionName(day);
  const { from, to } = dayBounds(day);
  await sql`savepoint mlog_partition`.execute(db);
  try {
    await sql
      .raw(
        `create table if not exists ${name} partition of mlog.events for values from ('${from}') to ('${to}')`,
      )
      .execute(db);
    await sql`release savepoint mlog_partition`.execute(db);
  } catch (err) {
    await sql`rollback to savepoint mlog_partition`.execute(db);
    const code = (err as { code?: string }).code;
    if (!code || !raceCodes.has(code)) throw err;
    const { rows } = await sql<{ found: string | null }>`select to_regclass(${name})::text as found`.execute(
      db,
    );
    if (!rows[0]?.found) throw err;
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

/** COPYs the events (their partitions must exist) on the session's connection; returns rows copied. */
export async function copyEvents(session: CopySession, events: Iterable<EncodableEvent>): Promise<number> {
  return copyEventRows(session, copyChunks(events));
}

/** COPYs rows already encoded (CopyChunkBuilder) on the session's connection; returns rows copied. */
export async function copyEventRows(
  session: CopySession,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<number> {
  return session.copyFrom(COPY_STATEMENT, Symbol.asyncIterator in chunks ? chunks : toAsync(chunks));
}

/** Fallback for a caller's transaction (no COPY session): multi-row parameterised inserts. */
export async function insertEventRows(db: Db, events: StoredAuditEvent[]): Promise<number> {
  const rowsPerInsert = 1_000;
  for (let i = 0; i < events.length; i += rowsPerInsert) {
    await db
      .insertInto('mlog.events')
      .values(
        events.slice(i, i + rowsPerInsert).map((e) => ({
          id: e.id,
          ts: e.ts,
          receivedAt: e.receivedAt,
          service: e.service,
          action: e.action,
          userId: e.userId,
          sessionId: e.sessionId,
          correlationId: e.correlationId,
          schemaVersion: e.schemaVersion,
          metadata: JSON.stringify(e.metadata),
        })),
      )
      .execute();
  }
  return events.length;
}

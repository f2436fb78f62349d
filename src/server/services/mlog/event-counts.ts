import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';

const HOUR_MS = 3_600_000;

/**
 * `mlog.event_counts_hourly`: how many events each (UTC hour, service, action) holds, kept by
 * the ingest path in the same transaction as the events, so it is exact at every commit. The
 * timeline and per-service counts read whole hours from it and only the partial hours at the
 * ends of a window from the events themselves (ADR 0003).
 *
 * Ingest only ever INSERTs (no upsert): concurrent batches for the same hour never wait on one
 * another's row locks. A key therefore has several rows until `compactEventCounts` merges them;
 * readers always `sum(count)`.
 */
export class HourlyCounts {
  // hour -> service -> action -> entry: nested maps rather than one map on a joined key, as this
  // runs once per ingested event and building a key string per event costs more than the lookups.
  readonly #byHour = new Map<number, Map<string, Map<string, HourlyCount>>>();
  #size = 0;

  add(event: { ts: Date; service: string; action: string }): void {
    const hour = Math.floor(event.ts.getTime() / HOUR_MS) * HOUR_MS;
    let byService = this.#byHour.get(hour);
    if (!byService) {
      byService = new Map();
      this.#byHour.set(hour, byService);
    }
    let byAction = byService.get(event.service);
    if (!byAction) {
      byAction = new Map();
      byService.set(event.service, byAction);
    }
    const entry = byAction.get(event.action);
    if (entry) entry.count += 1;
    else {
      byAction.set(event.action, { hour, service: event.service, action: event.action, count: 1 });
      this.#size++;
    }
  }

  addAll(events: Iterable<{ ts: Date; service: string; action: string }>): this {
    for (const event of events) this.add(event);
    return this;
  }

  get size(): number {
    return this.#size;
  }

  *entries(): Generator<HourlyCount> {
    for (const byService of this.#byHour.values())
      for (const byAction of byService.values()) yield* byAction.values();
  }
}

interface HourlyCount {
  hour: number;
  service: string;
  action: string;
  count: number;
}

/** Adds the tallied counts (one insert, whatever the number of keys). */
export async function addEventCounts(db: Db, counts: HourlyCounts): Promise<void> {
  if (counts.size === 0) return;
  const hours: string[] = [];
  const services: string[] = [];
  const actions: string[] = [];
  const values: number[] = [];
  for (const e of counts.entries()) {
    hours.push(new Date(e.hour).toISOString());
    services.push(e.service);
    actions.push(e.action);
    values.push(e.count);
  }
  await sql`
    insert into mlog.event_counts_hourly (hour, service, action, count)
    select * from unnest(${hours}::timestamptz[], ${services}::text[], ${actions}::text[], ${values}::bigint[])`.execute(
    db,
  );
}

/** Merges the several rows of a key (left by concurrent ingests) into one. Returns keys merged. */
export async function compactEventCounts(db: Db): Promise<number> {
  const result = await sql`
    with dup as (
      select hour, service, action from mlog.event_counts_hourly
      group by 1, 2, 3 having count(*) > 1
    ), gone as (
      delete from mlog.event_counts_hourly c using dup
      where c.hour = dup.hour and c.service = dup.service and c.action = dup.action
      returning c.hour, c.service, c.action, c.count
    )
    insert into mlog.event_counts_hourly (hour, service, action, count)
    select hour, service, action, sum(count) from gone group by 1, 2, 3`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Removes the counts of [from, to) (optionally of some services only), as the events of that
 * range are dropped or deleted; in the same transaction, so the two never disagree.
 */
export async function deleteEventCounts(
  db: Db,
  range: { from?: Date; to: Date },
  services: { only: string } | { except: string[] } | 'all' = 'all',
): Promise<void> {
  const filter =
    services === 'all'
      ? sql`true`
      : 'only' in services
        ? sql`service = ${services.only}`
        : services.except.length === 0
          ? sql`true`
          : sql`service <> all(${services.except}::text[])`;
  const lower = range.from ? sql`hour >= ${range.from}` : sql`true`;
  await sql`delete from mlog.event_counts_hourly where ${lower} and hour < ${range.to} and ${filter}`.execute(
    db,
  );
}

/**
 * Recounts [from, to) (whole hours) from the events themselves: for the migration that creates
 * the table over existing events, and for data loaded around the ingest path (benchmarks).
 */
export async function rebuildEventCounts(db: Db, from: Date, to: Date): Promise<void> {
  await deleteEventCounts(db, { from, to });
  await sql`
    insert into mlog.event_counts_hourly (hour, service, action, count)
    select date_trunc('hour', ts, 'UTC'), service, action, count(*)
    from mlog.events where ts >= ${from} and ts < ${to}
    group by 1, 2, 3`.execute(db);
}

/** The whole hours of [from, to): `[start, end)`, empty (start >= end) when there is none. */
export function wholeHours(from: Date, to: Date): { start: Date; end: Date } {
  return {
    start: new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS),
    end: new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS),
  };
}

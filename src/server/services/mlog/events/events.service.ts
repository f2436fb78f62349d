import type { Logger } from 'pino';
import {
  type IngestResult,
  MAX_BATCH_EVENTS,
  MAX_JSON_EVENTS,
  MAX_LISTED_ERRORS,
} from '../../../../contracts/mlog/events.js';
import type { Config } from '../../../platform/config/load-config.js';
import type { CopySession, DatabaseHandle, Db } from '../../../platform/db/database.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import type { StoredAuditEvent } from '../audit-event.js';
import { addEventCounts, HourlyCounts } from '../event-counts.js';
import { CopyFeed } from './copy-feed.js';
import { CopyChunkBuilder } from './copy-rows.js';
import { IngestTally, type ValidationLimits, validateEvent } from './event-validation.js';
import { NoEvents, NotNdjson, TooManyEvents } from './events.errors.js';
import {
  copyEventRows,
  copyEvents,
  createDayPartition,
  dayNumberOf,
  dayNumbersOf,
  dayOf,
  dayOfNumber,
  insertEventRows,
} from './events.repository.js';
import { ndjsonLineBatches } from './ndjson-lines.js';

export interface EventsDeps {
  db: Db;
  database: DatabaseHandle;
  config: Config;
  clock: () => Date;
  log: Logger;
}

/** Room for the fields around the metadata on one NDJSON line. */
const LINE_OVERHEAD_BYTES = 8_192;
/** How many NDJSON lines are read between two turns given to the event loop. */
const YIELD_EVERY_LINES = 250;

export type EventsService = ReturnType<typeof createEventsService>;

/**
 * Creates the partitions of those days not known to exist; `beforeCreating` runs first when
 * there is one to create (to free the connection of a running COPY).
 */
type EnsureDays = (days: Iterable<number>, beforeCreating?: () => Promise<void>) => Promise<void>;

export function createEventsService({ db, database, config, clock, log }: EventsDeps) {
  const limits: ValidationLimits = {
    metadataMaxBytes: config.mlog.metadataMaxBytes,
    retentionDays: config.mlog.retentionDays,
    retentionByService: config.mlog.retentionByService,
  };
  const maxLineBytes = config.mlog.metadataMaxBytes + LINE_OVERHEAD_BYTES;
  // Days (dayNumberOf) whose partition is known to exist (committed). Retention may drop one
  // later; a COPY into a dropped day then fails once, the cache is cleared and the next request
  // recreates it.
  const knownDays = new Set<number>();

  /** A transaction on a held connection; the days it created are cached only once it commits. */
  async function inCopyTransaction<T>(
    fn: (session: CopySession, tx: Db, ensureDays: EnsureDays) => Promise<T>,
  ): Promise<T> {
    const created = new Set<number>();
    try {
      const result = await database.withCopySession((session) =>
        session.db.transaction().execute(async (tx) => {
          const ensureDays: EnsureDays = async (days, beforeCreating) => {
            const missing = new Set<number>();
            for (const day of days) if (!knownDays.has(day) && !created.has(day)) missing.add(day);
            if (missing.size === 0) return;
            await beforeCreating?.();
            // Sorted, so two requests needing the same new days take their locks in one order.
            for (const day of [...missing].sort((a, b) => a - b)) {
              await createDayPartition(tx, dayOfNumber(day));
              created.add(day);
            }
          };
          return fn(session, tx, ensureDays);
        }),
      );
      for (const day of created) knownDays.add(day);
      if (created.size > 0)
        log.info(
          { days: [...created].sort((a, b) => a - b).map(dayOfNumber) },
          'mlog day partitions created',
        );
      return result;
    } catch (err) {
      // "no partition of relation found": a cached day was dropped (retention) under us.
      if ((err as { code?: string }).code === '23514') knownDays.clear();
      throw err;
    }
  }

  /**
   * Stores already-validated events, creating their day partitions: with `db` the service's own
   * handle, in one transaction of COPY chunks; with a caller's transaction, inside it (inserts).
   */
  async function insertEvents(target: Db, events: StoredAuditEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    if (target !== db) {
      const days = [...new Set(events.map((e) => dayOf(e.ts)))].sort();
      for (const day of days) await createDayPartition(target, day);
      const stored = await insertEventRows(target, events);
      await addEventCounts(target, new HourlyCounts().addAll(events));
      return stored;
    }
    return inCopyTransaction(async (session, tx, ensureDays) => {
      await ensureDays(dayNumbersOf(events));
      const stored = await copyEvents(session, events);
      await addEventCounts(tx, new HourlyCounts().addAll(events));
      return stored;
    });
  }

  /**
   * Creates the partitions of the days around now ahead of time, each in its own short
   * transaction, so live ingest never has to: creating a partition locks the whole table, and
   * inside a request's transaction would hold that lock until the request ends.
   */
  async function prepareDays(now: Date): Promise<void> {
    const today = dayNumberOf(now);
    for (const day of [today - 1, today, today + 1]) {
      if (knownDays.has(day)) continue;
      await createDayPartition(db, dayOfNumber(day));
      knownDays.add(day);
    }
  }

  return {
    insertEvents,
    prepareDays,

    /** One event or an array of them, already decoded from JSON. */
    async ingestJson(ctx: RequestContext, body: unknown): Promise<IngestResult> {
      requireScope(ctx, 'audit:write', 'admin', 'analyst');
      const items = Array.isArray(body) ? body : [body];
      if (items.length > MAX_JSON_EVENTS) throw new TooManyEvents('json');
      if (items.length === 0) throw new NoEvents();
      const now = clock();
      const tally = new IngestTally(MAX_LISTED_ERRORS);
      const valid: StoredAuditEvent[] = [];
      items.forEach((item, index) => {
        const checked = validateEvent(item, now, limits);
        if (checked.ok) valid.push(checked.event);
        else tally.reject(index, checked.field, checked.message);
      });
      tally.accepted = await insertEvents(db, valid);
      return tally.result();
    },

    /**
     * An NDJSON stream, read line by line and stored in COPY chunks as it arrives, all in one
     * transaction: memory holds one chunk, not the request. Over the limit, nothing is stored.
     */
    async ingestNdjson(
      ctx: RequestContext,
      body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
      signal?: AbortSignal,
    ): Promise<IngestResult> {
      requireScope(ctx, 'audit:write', 'admin', 'analyst');
      const now = clock();
      const tally = new IngestTally(MAX_LISTED_ERRORS);
      let lines = 0;
      let jsonLines = 0;
      await inCopyTransaction(async (session, tx, ensureDays) => {
        const counts = new HourlyCounts();
        // The chunk being filled: encoded rows, and the days they need partitions for.
        const chunk = new CopyChunkBuilder();
        let chunkDays = new Set<number>();
        let lastDay = Number.NaN;
        // One COPY runs for the whole request, fed chunk by chunk as they are parsed, so
        // PostgreSQL stores a chunk while this process parses the next one. It is ended early
        // only to create a partition (DDL needs the connection), then a new one is started.
        let copy: { feed: CopyFeed; done: Promise<number> } | undefined;
        const endCopy = async () => {
          if (!copy) return;
          const { feed, done } = copy;
          copy = undefined;
          feed.end();
          tally.accepted += await done;
        };
        const flush = async () => {
          if (chunk.rows === 0) return;
          const rows = chunk.take();
          const days = chunkDays;
          chunkDays = new Set();
          lastDay = Number.NaN;
          await ensureDays(days, endCopy);
          if (!copy) {
            const feed = new CopyFeed();
            const done = copyEventRows(session, feed);
            // If the COPY fails, the feed stops taking chunks and endCopy() throws its error.
            done.then(
              () => feed.close(),
              () => feed.close(),
            );
            copy = { feed, done };
          }
          if (!(await copy.feed.push(rows))) await endCopy();
        };
        try {
          for await (const lineBatch of ndjsonLineBatches(body, maxLineBytes)) {
            for (const line of lineBatch) {
              signal?.throwIfAborted();
              if (++lines > MAX_BATCH_EVENTS) throw new TooManyEvents('ndjson');
              // A body already in memory never waits on I/O: give the event loop a turn now and
              // then, so the COPY in flight (and other requests) progress during a long batch.
              if (lines % YIELD_EVERY_LINES === 0)
                await new Promise<void>((resolve) => setImmediate(resolve));
              if ('tooLong' in line) {
                tally.reject(line.index, '', `the line is longer than ${maxLineBytes} bytes`);
                continue;
              }
              let raw: unknown;
              try {
                raw = JSON.parse(line.text);
                jsonLines++;
              } catch {
                tally.reject(line.index, '', 'is not valid JSON');
                continue;
              }
              const checked = validateEvent(raw, now, limits);
              if (!checked.ok) {
                tally.reject(line.index, checked.field, checked.message);
                continue;
              }
              chunk.add(checked.event);
              counts.add(checked.event);
              const day = dayNumberOf(checked.event.ts);
              if (day !== lastDay) chunkDays.add(day);
              lastDay = day;
              if (chunk.full) await flush();
            }
          }
          if (lines === 0) throw new NoEvents();
          if (jsonLines === 0) throw new NotNdjson();
          await flush();
          await endCopy();
          await addEventCounts(tx, counts);
        } catch (err) {
          // Never leave a COPY running under the transaction's rollback: abort it, then let go.
          if (copy) {
            copy.feed.fail(err);
            await copy.done.catch(() => {});
          }
          throw err;
        }
      });
      return tally.result();
    },
  };
}

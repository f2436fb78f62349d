import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { EventEnvelope, ServiceName } from '../../../contracts/events/index.js';
import type { Db } from '../db/database.js';
import { createResilientCall } from '../resilience/resilient-call.js';
import type { EventTransport } from './transport.js';

export interface RelayObserver {
  onPublished(source: string, type: string): void;
  onPublishFailed(source: string): void;
  onBacklog(source: string, pending: number, oldestAgeSeconds: number): void;
}

export interface OutboxRelayOptions {
  db: Db;
  schema: ServiceName;
  transport: EventTransport;
  log: Logger;
  batchSize: number;
  pollIntervalMs: number;
  /** In-process deliveries that keep failing are parked as `dead` after this many attempts. */
  maxAttempts: number;
  /** How long a claimed row is reserved for this relay before another replica may take it. */
  leaseMs?: number;
  /** Longest pause between attempts while publishing keeps failing. */
  maxBackoffMs?: number;
  observer?: RelayObserver;
}

interface OutboxRow {
  seq: string;
  eventId: string;
  type: string;
  version: number;
  sourceService: string;
  occurredAt: Date | string;
  correlationId: string;
  idempotencyKey: string;
  payload: unknown;
  attempts: number;
}

export interface OutboxRelay {
  start(): void;
  /** Publishes what is pending now; returns how many went out. Used by the loop and by tests. */
  runOnce(): Promise<number>;
  /**
   * Stops polling, waits for the batch in flight, then makes one last pass so events written by
   * the requests that just drained go out now rather than at the next start.
   */
  stop(): Promise<void>;
}

/**
 * Moves events from a service's outbox to the transport. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED` and a short lease, so several replicas can relay the same outbox
 * without publishing a row twice in the normal case; a crash between publish and mark means a
 * second publish, which consumers absorb (they are idempotent). A row is only marked
 * published after the transport confirms it, so a broker outage delays events but never
 * loses them.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, schema, transport, log, batchSize, pollIntervalMs, maxAttempts, observer } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const table = sql.table(`${schema}.outbox`);
  const relayLog = log.child({ component: 'outbox-relay', schema });

  // A broker that is down fails fast behind the breaker instead of every batch waiting out its
  // timeout; the relay's own loop is the retry. In-process delivery runs our own consumers, so a
  // breaker there would let one failing consumer stall every other event of this service.
  const publisher =
    transport.kind === 'amqp'
      ? createResilientCall('outbox-publish', (_signal, event: EventEnvelope) => transport.publish(event), {
          timeoutMs: 10_000,
          retries: 1,
          minDelayMs: 100,
          maxDelayMs: 500,
          breaker: {
            errorThresholdPercentage: 50,
            resetTimeoutMs: Math.max(1_000, pollIntervalMs * 2),
            volumeThreshold: 3,
          },
        })
      : undefined;
  const publish = (event: EventEnvelope) => (publisher ? publisher.call(event) : transport.publish(event));

  let running = false;
  let loop: Promise<void> | undefined;
  let wake: AbortController | undefined;
  let failures = 0;

  async function claim(): Promise<OutboxRow[]> {
    const { rows } = await sql<OutboxRow>`
      update ${table} set available_at = now() + ${`${leaseMs} milliseconds`}::interval,
                          attempts = attempts + 1
      where event_id in (
        select event_id from ${table}
        where status = 'pending' and available_at <= now()
        order by seq
        limit ${batchSize}
        for update skip locked)
      returning seq, event_id, type, version, source_service, occurred_at, correlation_id,
                idempotency_key, payload, attempts`.execute(db);
    // UPDATE ... RETURNING gives no order guarantee; events go out in the order they were written.
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  function toEnvelope(row: OutboxRow): EventEnvelope {
    return {
      id: row.eventId,
      type: row.type,
      version: row.version,
      occurredAt: new Date(row.occurredAt).toISOString(),
      source: row.sourceService as ServiceName,
      correlationId: row.correlationId,
      idempotencyKey: row.idempotencyKey,
      payload: row.payload,
    };
  }

  async function markPublished(eventId: string) {
    await sql`update ${table} set status = 'published', published_at = now(), last_error = null
              where event_id = ${eventId}`.execute(db);
  }

  async function release(rows: OutboxRow[], failed: OutboxRow, err: unknown) {
    const message = describeError(err);
    // A broker outage is not the event's fault: only in-process deliveries (where a consumer
    // handler rejected) count towards parking the event as dead.
    const dead = transport.kind === 'in-process' && failed.attempts >= maxAttempts;
    await sql`update ${table}
              set status = ${dead ? 'dead' : 'pending'}, last_error = ${message.slice(0, 2000)},
                  available_at = now()
              where event_id = ${failed.eventId}`.execute(db);
    const untouched = rows.filter((r) => r !== failed).map((r) => r.eventId);
    if (untouched.length > 0) {
      await sql`update ${table} set available_at = now(), attempts = greatest(attempts - 1, 0)
                where event_id in (${sql.join(untouched)}) and status = 'pending'`.execute(db);
    }
    if (dead)
      relayLog.error({ eventId: failed.eventId, type: failed.type, err: message }, 'event parked as dead');
  }

  async function reportBacklog() {
    if (!observer) return;
    const { rows } = await sql<{ pending: string; oldest: Date | string | null }>`
      select count(*) as pending, min(occurred_at) as oldest from ${table} where status = 'pending'`.execute(
      db,
    );
    const row = rows[0];
    const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined;
    observer.onBacklog(
      schema,
      Number(row?.pending ?? 0),
      oldest ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
    );
  }

  async function runOnce(): Promise<number> {
    const rows = await claim();
    let published = 0;
    for (const row of rows) {
      try {
        await publish(toEnvelope(row));
      } catch (err) {
        observer?.onPublishFailed(schema);
        await release(rows.slice(published), row, err);
        throw err;
      }
      await markPublished(row.eventId);
      observer?.onPublished(schema, row.type);
      published++;
    }
    return published;
  }

  async function runLoop() {
    while (running) {
      let delay = pollIntervalMs;
      try {
        const published = await runOnce();
        failures = 0;
        // A full batch means more may be waiting: go again at once.
        if (published >= batchSize) delay = 0;
      } catch (err) {
        failures++;
        delay = Math.min(maxBackoffMs, pollIntervalMs * 2 ** Math.min(failures, 10));
        relayLog.warn({ err: (err as Error).message, retryInMs: delay }, 'outbox publish failed; will retry');
      }
      await reportBacklog().catch(() => {});
      if (!running || delay === 0) continue;
      wake = new AbortController();
      await sleep(delay, undefined, { signal: wake.signal }).catch(() => {});
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = runLoop();
    },
    runOnce,
    async stop() {
      running = false;
      wake?.abort();
      const wasRunning = loop !== undefined;
      await loop;
      loop = undefined;
      if (wasRunning) {
        await runOnce().catch((err) =>
          relayLog.warn(
            { err: describeError(err) },
            'final outbox pass failed; events stay pending for the next start',
          ),
        );
      }
      publisher?.shutdown();
    },
  };
}

/** The message with its causes (a consumer's own error sits inside the transport's). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = err instanceof AggregateError ? err.errors : err.cause ? [err.cause] : [];
  const causes = inner.map(describeError).filter(Boolean);
  return causes.length > 0 ? `${err.message} (${causes.join('; ')})` : err.message;
}

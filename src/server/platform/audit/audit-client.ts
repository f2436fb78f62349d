import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RequestContext } from '../http/request-context.js';
import {
  CircuitOpenError,
  type CircuitState,
  createResilientCall,
  type ResilientCallOptions,
} from '../resilience/resilient-call.js';

/** What a service says happened. The client adds the time, the id and the request's correlation id. */
export interface AuditRecord {
  service: string;
  /** `login`, `upload`, `query`, `error` or another lowercase dotted name. */
  action: string;
  /** Defaults to the request's actor. */
  userId?: string | null;
  sessionId?: string | null;
  /** Never secrets: no passwords, tokens or keys. */
  metadata?: Record<string, unknown>;
}

/** An audit event as the client queues and sends it (schema version 2 of MLOG's event). */
export interface AuditEvent {
  id: string;
  ts: Date;
  service: string;
  action: string;
  userId: string | null;
  sessionId: string | null;
  correlationId: string | null;
  metadata: Record<string, unknown>;
}

/** Events of a delivered batch that MLOG refused, one by one (the rest were stored). */
export interface AuditSinkResult {
  rejected: number;
  /** A sample of why, by position in the batch; field names and reasons only, no values. */
  errors: { index: number; field: string; message: string }[];
}

/**
 * Where batches go: MLOG in this process, or a remote MLOG over HTTP. Throws when the batch was
 * not stored; resolves with what MLOG refused, if it refused some events and stored the others.
 */
export interface AuditSink {
  // biome-ignore lint/suspicious/noConfusingVoidType: a sink that stores everything (MLOG in-process) returns nothing
  send(events: readonly AuditEvent[], signal: AbortSignal): Promise<void | AuditSinkResult>;
}

/**
 * Why events were lost: the queue overflowed (oldest dropped), a batch still failed after its
 * retries, the breaker was open (no attempt made), no sink in this process, the client was closed,
 * or MLOG refused the event itself (a remote MLOG's per-event validation).
 */
export type AuditDropReason =
  | 'queue_full'
  | 'send_failed'
  | 'circuit_open'
  | 'no_sink'
  | 'closed'
  | 'rejected';

export interface AuditObserver {
  onSent(count: number): void;
  onDropped(reason: AuditDropReason, count: number): void;
}

export interface AuditClient {
  /** Queues an event and returns at once; never throws and never waits for I/O. */
  record(ctx: RequestContext | null, record: AuditRecord): void;
  /** Sends everything queued so far (a batch that fails is dropped and counted). */
  flush(): Promise<void>;
  /** Stops the timer, sends what is queued, stops the breaker. Later records are dropped. Idempotent. */
  close(): Promise<void>;
  /** Events waiting to be sent. */
  pending(): number;
  circuitState(): CircuitState;
}

export interface AuditClientOptions {
  log: Logger;
  clock?: () => Date;
  observer?: AuditObserver;
  /** Default 10,000; when full the oldest event is dropped. */
  maxQueue?: number;
  /** Default 500: a full batch is sent at once, without waiting for the timer. */
  batchSize?: number;
  /** Default 1 s: how long a partial batch may wait. */
  flushIntervalMs?: number;
  /** Timeout, retries, backoff and breaker of one batch (defaults: 10 s, 3 retries, 200 ms..5 s). */
  delivery?: Partial<ResilientCallOptions>;
}

/**
 * A process's audit client. Requests only append to a bounded in-memory queue; a background
 * flusher sends batches through the sink behind a timeout, retries and a circuit breaker. What
 * cannot be delivered is dropped and counted, never kept: audit must not grow memory without
 * bound or slow a request when MLOG is slow or down.
 *
 * Delivery is best effort, not exactly once: an attempt that times out after the
 * sink stored the batch is retried, and the batch may then be stored twice.
 */
export function createAuditClient(options: AuditClientOptions): AuditClient & {
  /** Set once at start-up, when the runtime knows whether MLOG runs in this process. */
  attachSink(sink: AuditSink | undefined): void;
  /** Starts the timer that sends partial batches. */
  start(): void;
} {
  const { log } = options;
  const clock = options.clock ?? (() => new Date());
  const observer = options.observer ?? { onSent() {}, onDropped() {} };
  const maxQueue = options.maxQueue ?? 10_000;
  const batchSize = options.batchSize ?? 500;
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;

  let sink: AuditSink | undefined;
  let sinkKnown = false;
  let noSinkLogged = false;
  let rejectionLogged = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  let drainScheduled = false;
  const queue: AuditEvent[] = [];

  const delivery = createResilientCall(
    'audit.sink',
    async (signal: AbortSignal, batch: readonly AuditEvent[]) => {
      if (!sink) throw new Error('no audit sink');
      return sink.send(batch, signal);
    },
    {
      timeoutMs: 10_000,
      retries: 3,
      minDelayMs: 200,
      maxDelayMs: 5_000,
      ...options.delivery,
      onStateChange: (state) => {
        if (state === 'open') log.warn('audit sink failing: circuit open, audit events are being dropped');
        else if (state === 'closed') log.info('audit sink recovered: circuit closed');
        options.delivery?.onStateChange?.(state);
      },
    },
  );

  function drop(reason: AuditDropReason, count: number) {
    if (count > 0) observer.onDropped(reason, count);
  }

  async function sendBatch(batch: AuditEvent[]) {
    if (!sink) {
      drop('no_sink', batch.length);
      if (!noSinkLogged) {
        noSinkLogged = true;
        log.warn(
          'no MLOG in this process: audit events are counted as dropped (set AUDIT_MLOG_URL and AUDIT_API_KEY to send them to MLOG)',
        );
      }
      return;
    }
    try {
      const result = await delivery.call(batch);
      const rejected = Math.min(result?.rejected ?? 0, batch.length);
      observer.onSent(batch.length - rejected);
      drop('rejected', rejected);
      if (rejected > 0 && !rejectionLogged) {
        // Once: the same bug in a service would otherwise log on every batch.
        rejectionLogged = true;
        log.warn(
          { rejected, errors: result?.errors.slice(0, 5) },
          'MLOG rejected audit events; they are counted as dropped (rejected), further rejections are not logged',
        );
      }
    } catch (err) {
      if (err instanceof CircuitOpenError) {
        drop('circuit_open', batch.length);
      } else {
        drop('send_failed', batch.length);
        log.warn({ err, events: batch.length }, 'audit batch dropped after retries');
      }
    }
  }

  /** Sends queued events in batches: everything, or only full batches (the size trigger). One at a time. */
  function drain(all: boolean): Promise<void> {
    if (draining) return draining;
    const run = async () => {
      while (queue.length >= (all ? 1 : batchSize)) await sendBatch(queue.splice(0, batchSize));
    };
    // Cleared in a later microtask, so never before `draining` is assigned (an empty queue ends at once).
    const current = run().finally(() => {
      if (draining === current) draining = undefined;
    });
    draining = current;
    return current;
  }

  /** Until the queue is empty and nothing is in flight (a running size-triggered drain may leave a rest). */
  async function drainAll() {
    while (draining || queue.length > 0) await (draining ?? drain(true));
  }

  function scheduleDrain() {
    if (drainScheduled || draining || !sinkKnown) return;
    drainScheduled = true;
    // Off the caller's stack: record() stays a push, whatever the sink does synchronously.
    queueMicrotask(() => {
      drainScheduled = false;
      void drain(false);
    });
  }

  return {
    record(ctx, record) {
      try {
        if (closed) {
          drop('closed', 1);
          return;
        }
        queue.push({
          id: randomUUID(),
          ts: clock(),
          service: record.service,
          action: record.action,
          userId: record.userId === undefined ? (ctx?.actor?.id ?? null) : record.userId,
          sessionId: record.sessionId ?? null,
          correlationId: ctx?.correlationId ?? null,
          metadata: { ...record.metadata },
        });
        if (queue.length > maxQueue) drop('queue_full', queue.splice(0, queue.length - maxQueue).length);
        if (queue.length >= batchSize) scheduleDrain();
      } catch (err) {
        // Auditing must never fail the request it describes.
        log.error({ err }, 'recording an audit event failed');
      }
    },

    attachSink(given) {
      sink = given;
      sinkKnown = true;
    },

    start() {
      if (timer || closed) return;
      sinkKnown = true;
      timer = setInterval(() => {
        if (!draining) void drain(true);
      }, flushIntervalMs);
      timer.unref();
    },

    flush: drainAll,

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      sinkKnown = true;
      await drainAll();
      delivery.shutdown();
    },

    pending: () => queue.length,
    circuitState: () => delivery.state(),
  };
}

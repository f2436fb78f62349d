import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { countingAuditObserver, lenientBreaker } from '../../../../test/support/audit.js';
import { testLogger } from '../../../../test/support/logger.js';
import type { RequestContext } from '../http/request-context.js';
import { type AuditEvent, type AuditSink, createAuditClient } from './audit-client.js';

/** A sink that stores what it is sent and fails (or hangs) when told to. */
function fakeSink() {
  const batches: AuditEvent[][] = [];
  let failuresLeft = 0;
  let hang = false;
  const sink: AuditSink = {
    async send(events) {
      if (hang) return new Promise<void>(() => {});
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('mlog unavailable');
      }
      batches.push([...events]);
    },
  };
  return {
    sink,
    batches,
    calls: 0,
    failNext(n: number) {
      failuresLeft = n;
    },
    hangForever() {
      hang = true;
    },
    actions: () => batches.flat().map((e) => e.action),
  };
}

function countingSink(inner: ReturnType<typeof fakeSink>) {
  return {
    send: (events: readonly AuditEvent[], signal: AbortSignal) => {
      inner.calls++;
      return inner.sink.send(events, signal);
    },
  };
}

const ctx: RequestContext = {
  actor: { id: 'user-1', roles: ['analyst'], scopes: [] } as unknown as RequestContext['actor'],
  correlationId: 'corr-1',
  log: testLogger,
};
const fixedClock = () => new Date('2025-03-01T10:00:00Z');

type Client = ReturnType<typeof createAuditClient>;
const clients: Client[] = [];
function newClient(options: Partial<Parameters<typeof createAuditClient>[0]> = {}) {
  const sink = fakeSink();
  const metrics = countingAuditObserver();
  const client = createAuditClient({
    log: testLogger,
    clock: fixedClock,
    observer: metrics.observer,
    batchSize: 3,
    flushIntervalMs: 1_000,
    delivery: { timeoutMs: 5_000, retries: 2, minDelayMs: 100, maxDelayMs: 400, breaker: lenientBreaker },
    ...options,
  });
  clients.push(client);
  client.attachSink(countingSink(sink));
  return { client, sink, metrics };
}

function record(client: Client, ...actions: string[]) {
  for (const action of actions) client.record(ctx, { service: 'axi', action });
}

/** Runs a promise to its end while fake time passes (retry delays, timeouts). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(60_000);
  return promise;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  for (const client of clients.splice(0)) await settle(client.close());
  vi.useRealTimers();
});

describe('audit client', () => {
  it('stamps the event with time, ids, and the request actor and correlation id', async () => {
    const { client, sink } = newClient();
    client.record(ctx, {
      service: 'axi',
      action: 'login',
      sessionId: 's-1',
      metadata: { secondFactor: false },
    });
    client.record(null, { service: 'axi', action: 'error' });
    await client.flush();
    const [login, error] = sink.batches.flat();
    expect(login).toMatchObject({
      service: 'axi',
      action: 'login',
      userId: 'user-1',
      sessionId: 's-1',
      correlationId: 'corr-1',
      ts: fixedClock(),
      metadata: { secondFactor: false },
    });
    expect(login!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(error).toMatchObject({ userId: null, sessionId: null, correlationId: null, metadata: {} });
  });

  it('sends full batches at once and a partial batch when the timer fires', async () => {
    const { client, sink, metrics } = newClient();
    client.start();
    record(client, 'a', 'b', 'c', 'd', 'e', 'f', 'g');
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.batches.map((b) => b.length)).toEqual([3, 3]);
    expect(client.pending()).toBe(1);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(sink.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(sink.actions()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(metrics.sent()).toBe(7);
  });

  it('returns from record at once while the sink hangs, and never throws', async () => {
    const { client, sink } = newClient();
    client.start();
    sink.hangForever();
    record(client, 'a', 'b', 'c');
    // Nothing ran on the caller's stack: the drain starts in a later microtask.
    expect(sink.calls).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(sink.calls).toBe(1);
    record(client, 'd');
    expect(client.pending()).toBe(1);

    const broken = createAuditClient({
      log: testLogger,
      clock: () => {
        throw new Error('clock broken');
      },
    });
    clients.push(broken);
    expect(() => broken.record(ctx, { service: 'axi', action: 'login' })).not.toThrow();
  });

  it('keeps at most maxQueue events, dropping the oldest and counting them', async () => {
    const { client, sink, metrics } = newClient({ maxQueue: 5, batchSize: 100 });
    record(client, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    expect(client.pending()).toBe(5);
    expect(metrics.dropped).toEqual({ queue_full: 3 });
    await client.flush();
    expect(sink.actions()).toEqual(['d', 'e', 'f', 'g', 'h']);
  });

  it('retries a failed batch with backoff until it goes through', async () => {
    const { client, sink, metrics } = newClient();
    sink.failNext(2);
    record(client, 'a', 'b');
    await settle(client.flush());
    expect(sink.calls).toBe(3);
    expect(sink.actions()).toEqual(['a', 'b']);
    expect(metrics.sent()).toBe(2);
    expect(metrics.dropped).toEqual({});
  });

  it('drops and counts a batch that still fails after its retries', async () => {
    const { client, sink, metrics } = newClient();
    sink.failNext(100);
    record(client, 'a', 'b', 'c', 'd');
    await settle(client.flush());
    expect(sink.calls).toBe(6); // two batches, three attempts each
    expect(metrics.dropped).toEqual({ send_failed: 4 });
    expect(metrics.sent()).toBe(0);
    expect(client.pending()).toBe(0);
  });

  it('drops batches without calling the sink while the breaker is open', async () => {
    const { client, sink, metrics } = newClient({
      delivery: {
        timeoutMs: 5_000,
        retries: 0,
        breaker: { errorThresholdPercentage: 1, resetTimeoutMs: 600_000, volumeThreshold: 1 },
      },
    });
    sink.failNext(1);
    record(client, 'a');
    await client.flush();
    expect(client.circuitState()).toBe('open');
    expect(metrics.dropped).toEqual({ send_failed: 1 });

    record(client, 'b', 'c', 'd', 'e');
    await client.flush();
    expect(sink.calls).toBe(1);
    expect(metrics.dropped).toEqual({ send_failed: 1, circuit_open: 4 });
  });

  it('sends what is queued on close and drops what is recorded after', async () => {
    const { client, sink, metrics } = newClient({ flushIntervalMs: 3_600_000 });
    client.start();
    record(client, 'a', 'b');
    expect(sink.calls).toBe(0);
    await client.close();
    expect(sink.actions()).toEqual(['a', 'b']);
    record(client, 'c');
    expect(metrics.dropped).toEqual({ closed: 1 });
  });

  it('counts the events a sink reports as refused as dropped (rejected), the others as sent', async () => {
    const { client, metrics } = newClient();
    client.attachSink({
      send: async (events) => ({
        rejected: 1,
        errors: [{ index: events.length - 1, field: 'metadata', message: 'is too large' }],
      }),
    });
    record(client, 'a', 'b', 'c');
    await client.flush();
    expect(metrics.sent()).toBe(2);
    expect(metrics.dropped).toEqual({ rejected: 1 });
  });

  it('counts events as dropped when this process has no sink', async () => {
    const { client, metrics } = newClient();
    client.attachSink(undefined);
    client.start();
    record(client, 'a', 'b', 'c', 'd');
    await client.flush();
    expect(metrics.dropped).toEqual({ no_sink: 4 });
    expect(client.pending()).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deleteAmqpTopology } from '../../../../test/support/amqp.js';
import { anEvent } from '../../../../test/support/events.js';
import type { EventEnvelope } from '../../../contracts/events/index.js';
import { createAmqpTransport } from './amqp-transport.js';
import { createInProcessTransport } from './in-process-transport.js';
import type { EventTransport } from './transport.js';

const amqpUrl = process.env.TEST_AMQP_URL;
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

interface Started {
  transport: EventTransport;
  /** Closes the transport and removes whatever it created on a broker. */
  cleanup(): Promise<void>;
}

interface Implementation {
  name: string;
  /** How long to keep listening for a delivery that must not happen. */
  quietMs: number;
  start(): Promise<Started>;
}

const inProcess: Implementation = {
  name: 'in-process',
  quietMs: 0,
  async start() {
    const transport = createInProcessTransport({ log });
    return { transport, cleanup: () => transport.close() };
  },
};

function amqp(url: string): Implementation {
  return {
    name: 'amqp',
    quietMs: 300,
    async start() {
      const exchange = `test.${randomUUID()}`;
      const inner = createAmqpTransport({ url, exchange, log, retryDelayMs: 20, connectTimeoutMs: 2_000 });
      const consumers = new Set<string>();
      // Remember the consumers so cleanup knows which queues the test created.
      const transport: EventTransport = {
        ...inner,
        subscribe: (subscription) => {
          consumers.add(subscription.consumer);
          return inner.subscribe(subscription);
        },
      };
      return {
        transport,
        async cleanup() {
          await inner.close();
          await deleteAmqpTopology(url, exchange, consumers);
        },
      };
    },
  };
}

// In-process always; RabbitMQ whenever a broker is configured (always in CI).
const implementations: Implementation[] = [inProcess, ...(amqpUrl ? [amqp(amqpUrl)] : [])];

/** What the outbox relay does: publish until the transport accepts the event. */
async function publishLikeTheRelay(transport: EventTransport, event: EventEnvelope, attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      await transport.publish(event);
      return attempt;
    } catch (error) {
      if (attempt === attempts) throw error;
      await sleep(20);
    }
  }
}

describe.each(implementations)('EventTransport contract: $name', (impl) => {
  let started: Started | undefined;

  afterEach(async () => {
    await started?.cleanup();
    started = undefined;
  });

  async function start() {
    started = await impl.start();
    return started.transport;
  }

  it('delivers an event to the consumers whose patterns match its type, and only to them', async () => {
    const transport = await start();
    const received = new Map<string, EventEnvelope[]>();
    const subscribe = (consumer: string, patterns: string[]) =>
      transport.subscribe({
        consumer,
        patterns,
        handler: async (event) => {
          received.set(consumer, [...(received.get(consumer) ?? []), event]);
        },
      });
    await subscribe('by-prefix', ['visit.*']);
    await subscribe('everything', ['#']);
    await subscribe('exact', ['visit.tracked']);
    await subscribe('datasets', ['dataset.uploaded', 'dataset.deleted']);

    const tracked = anEvent('visit.tracked', { path: '/cv', at: new Date(0) });
    const ended = anEvent('visit.ended');
    const uploaded = anEvent('dataset.uploaded');
    const deep = anEvent('visit.page.viewed'); // `*` is one word: not matched by `visit.*`
    for (const event of [tracked, ended, uploaded, deep]) await transport.publish(event);

    const typesOf = (consumer: string) => (received.get(consumer) ?? []).map((e) => e.type).sort();
    await vi.waitFor(() => expect(typesOf('everything')).toHaveLength(4), { timeout: 5_000 });
    await sleep(impl.quietMs);

    expect(typesOf('everything')).toEqual([
      'dataset.uploaded',
      'visit.ended',
      'visit.page.viewed',
      'visit.tracked',
    ]);
    expect(typesOf('by-prefix')).toEqual(['visit.ended', 'visit.tracked']);
    expect(typesOf('exact')).toEqual(['visit.tracked']);
    expect(typesOf('datasets')).toEqual(['dataset.uploaded']);
    // The consumer gets the envelope as it travels on the wire (JSON: a Date becomes a string).
    expect(received.get('exact')?.[0]).toEqual({
      ...tracked,
      payload: { path: '/cv', at: new Date(0).toISOString() },
    });
  });

  it('delivers an event again when a handler fails, until it succeeds', async () => {
    const transport = await start();
    const attempts: string[] = [];
    const handled: string[] = [];
    const steady: string[] = [];
    await transport.subscribe({
      consumer: 'flaky',
      patterns: ['visit.tracked'],
      handler: async (event) => {
        attempts.push(event.id);
        if (attempts.length === 1) throw new Error('database briefly unavailable');
        handled.push(event.id);
      },
    });
    await transport.subscribe({
      consumer: 'steady',
      patterns: ['#'],
      handler: async (event) => {
        steady.push(event.id);
      },
    });

    const event = anEvent('visit.tracked');
    await publishLikeTheRelay(transport, event);

    await vi.waitFor(() => expect(handled).toEqual([event.id]), { timeout: 5_000 });
    expect(attempts).toEqual([event.id, event.id]);
    // At least once: a consumer that already had it may see it again (its idempotency skips it).
    expect(steady.length).toBeGreaterThanOrEqual(1);
    expect(new Set(steady)).toEqual(new Set([event.id]));
  });

  it('refuses a second subscription under the same consumer name and malformed names', async () => {
    const transport = await start();
    const handler = async () => {};
    await transport.subscribe({ consumer: 'echo.event-store', patterns: ['#'], handler });
    await expect(
      transport.subscribe({ consumer: 'echo.event-store', patterns: ['#'], handler }),
    ).rejects.toThrow('already subscribed');
    await expect(transport.subscribe({ consumer: 'Bad Name', patterns: ['#'], handler })).rejects.toThrow(
      'invalid consumer name',
    );
    await expect(transport.subscribe({ consumer: 'no-patterns', patterns: [], handler })).rejects.toThrow(
      'no patterns',
    );
  });

  it('passes check() while usable; after close() publish and subscribe reject and close() is idempotent', async () => {
    const transport = await start();
    await expect(transport.check()).resolves.toBeUndefined();
    await transport.publish(anEvent('visit.tracked'));

    await transport.close();
    await transport.close();
    await expect(transport.publish(anEvent('visit.tracked'))).rejects.toThrow('closed');
    await expect(
      transport.subscribe({ consumer: 'late', patterns: ['#'], handler: async () => {} }),
    ).rejects.toThrow('closed');
  });
});

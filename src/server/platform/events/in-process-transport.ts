import type { Logger } from 'pino';
import type { EventEnvelope } from '../../../contracts/events/index.js';
import { type EventTransport, type Subscription, topicMatches } from './transport.js';

/**
 * The embedded transport: `publish` runs every matching consumer's handler before it resolves,
 * so the outbox marks an event published only once every consumer has handled it. A consumer
 * that fails makes `publish` reject; the relay then retries the whole event and consumers that
 * already handled it skip it by idempotency. That retry is this transport's redelivery.
 */
export function createInProcessTransport({ log }: { log?: Logger } = {}): EventTransport {
  const subscriptions = new Map<string, Subscription>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function deliver(event: EventEnvelope): Promise<void> {
    const matching = [...subscriptions.values()].filter((s) =>
      s.patterns.some((pattern) => topicMatches(pattern, event.type)),
    );
    // Through JSON, so a consumer sees what it would get over RabbitMQ (a Date in a payload arrives
    // as a string) and cannot change the event another consumer sees.
    const wire = JSON.stringify(event);
    const failures: { consumer: string; error: unknown }[] = [];
    // One consumer after another: deterministic order, and a failure does not stop the others.
    for (const { consumer, handler } of matching) {
      if (closed) {
        failures.push({ consumer, error: new Error('transport closed during delivery') });
        continue;
      }
      try {
        await handler(JSON.parse(wire) as EventEnvelope);
      } catch (error) {
        log?.warn({ err: error, consumer, eventId: event.id, eventType: event.type }, 'event handler failed');
        failures.push({ consumer, error });
      }
    }
    if (failures.length > 0) {
      const names = failures.map((f) => f.consumer).join(', ');
      throw new AggregateError(
        failures.map(({ consumer, error }) => new Error(`consumer ${consumer} failed`, { cause: error })),
        `event ${event.type} ${event.id} was not handled by: ${names}`,
      );
    }
  }

  return {
    kind: 'in-process',

    async publish(event) {
      if (closed) throw new Error('in-process event transport is closed');
      const delivery = deliver(event);
      const tracked = delivery.catch(() => {});
      inFlight.add(tracked);
      try {
        await delivery;
      } finally {
        inFlight.delete(tracked);
      }
    },

    async subscribe(subscription) {
      if (closed) throw new Error('in-process event transport is closed');
      assertValidSubscription(subscription);
      if (subscriptions.has(subscription.consumer)) {
        throw new Error(`consumer ${subscription.consumer} is already subscribed`);
      }
      subscriptions.set(subscription.consumer, subscription);
    },

    async check() {},

    async close() {
      closed = true;
      // Deliveries already running finish, so a shutdown does not cut a handler in half.
      await Promise.all(inFlight);
      subscriptions.clear();
    },
  };
}

/** Shared by both transports so a bad subscription fails the same way in tests and in production. */
export function assertValidSubscription({ consumer, patterns }: Subscription): void {
  // The consumer name becomes part of RabbitMQ queue names; keep it to characters that read well there.
  if (!/^[a-z0-9][a-z0-9._-]{0,127}$/.test(consumer)) {
    throw new Error(
      `invalid consumer name ${JSON.stringify(consumer)}: use lower-case letters, digits, . _ -`,
    );
  }
  if (patterns.length === 0) throw new Error(`consumer ${consumer} subscribed to no patterns`);
  for (const pattern of patterns) {
    if (!/^(\*|#|[a-z0-9_]+)(\.(\*|#|[a-z0-9_]+))*$/.test(pattern)) {
      throw new Error(`consumer ${consumer}: invalid pattern ${JSON.stringify(pattern)}`);
    }
  }
}

import type { EventEnvelope } from '../../../contracts/events/index.js';

/**
 * Receives one delivered event. Resolving acknowledges it; rejecting asks the transport to
 * deliver it again later (and, after the transport's limit, to dead-letter it).
 */
export type DeliveryHandler = (event: EventEnvelope) => Promise<void>;

export interface Subscription {
  /** Durable consumer name, e.g. `echo.event-store`; one queue per consumer on RabbitMQ. */
  consumer: string;
  /** Topic patterns over event types: `visit.tracked`, `visit.*`, `#` (everything). */
  patterns: string[];
  handler: DeliveryHandler;
}

/**
 * Moves events from the outbox relay to consumers. In-process when no broker is configured,
 * RabbitMQ otherwise. `publish` resolves only once the event is safely handed over
 * (broker confirm, or every in-process consumer handled it); a rejection leaves the event in
 * the outbox to be retried.
 */
export interface EventTransport {
  readonly kind: 'in-process' | 'amqp';
  publish(event: EventEnvelope): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  /** Throws with a readable message when the transport cannot currently publish. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** AMQP-style topic match: `*` is exactly one dotted word, `#` zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

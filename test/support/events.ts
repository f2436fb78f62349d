import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../src/contracts/events/index.js';

/** A well-formed envelope with fresh ids, for transport tests that need any event of a type. */
export function anEvent(type = 'visit.tracked', payload: unknown = { path: '/cv' }): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'portfolio',
    correlationId: randomUUID(),
    idempotencyKey: randomUUID(),
    payload,
  };
}

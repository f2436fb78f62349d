import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EventDefinition, EventEnvelope } from '../../../contracts/events/index.js';
import type { Db } from '../db/database.js';

export interface EventContext {
  correlationId: string;
}

/**
 * Builds a validated envelope for a catalogued event. The idempotency key defaults to the
 * event id; pass a business key (e.g. `visit:<id>`) when the same change could be recorded twice.
 */
export function createEvent<P extends z.ZodType>(
  def: EventDefinition<string, P>,
  ctx: EventContext,
  payload: z.input<P>,
  options: { idempotencyKey?: string; occurredAt?: Date } = {},
): EventEnvelope<z.output<P>> {
  const id = randomUUID();
  return {
    id,
    type: def.type,
    version: def.version,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    source: def.source,
    correlationId: ctx.correlationId,
    idempotencyKey: options.idempotencyKey ?? id,
    payload: def.payload.parse(payload),
  };
}

export interface Outbox {
  /** Writes the event in the caller's transaction, so it commits or rolls back with the change. */
  add(tx: Db, event: EventEnvelope): Promise<void>;
}

export function createOutbox(schema: string): Outbox {
  return {
    async add(tx, event) {
      await tx.withSchema(schema).insertInto('outbox').values(eventColumns(event)).execute();
    },
  };
}

/** An envelope as the columns every event table shares (outbox, ECHO's event store). */
export function eventColumns(event: EventEnvelope) {
  return {
    eventId: event.id,
    type: event.type,
    version: event.version,
    sourceService: event.source,
    occurredAt: new Date(event.occurredAt),
    correlationId: event.correlationId,
    idempotencyKey: event.idempotencyKey,
    payload: JSON.stringify(event.payload),
  };
}

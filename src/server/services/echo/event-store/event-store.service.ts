import type { EventEnvelope } from '../../../../contracts/events/index.js';
import type { Db } from '../../../platform/db/database.js';
import { ValidationFailed } from '../../../platform/http/errors.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import { listEvents, type StoredEventRow, storeEvent } from './event-store.repository.js';
import type { EventPage, ListEventsQuery } from './event-store.schemas.js';

function encodeCursor(row: StoredEventRow): string {
  return Buffer.from(JSON.stringify([row.occurredAt.toISOString(), row.eventId])).toString('base64url');
}

function decodeCursor(cursor: string): { occurredAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const occurredAt = new Date(at);
    if (Number.isNaN(occurredAt.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { occurredAt, id };
  } catch {
    throw new ValidationFailed([{ field: 'query.cursor', message: 'is not a cursor this API returned' }]);
  }
}

/** ECHO's event store: every event on the bus, kept for audit, replay and reports. */
export function createEventStoreService({ db }: { db: Db }) {
  return {
    /** Consumer of every event (`#`); runs inside the idempotent consumer's transaction. */
    async record(tx: Db, event: EventEnvelope): Promise<void> {
      await storeEvent(tx, event);
    },

    async list(ctx: RequestContext, query: ListEventsQuery): Promise<EventPage> {
      requireScope(ctx, 'events:read', 'admin', 'analyst');
      const rows = await listEvents(
        db,
        {
          ...(query.type ? { type: query.type } : {}),
          ...(query.source ? { source: query.source } : {}),
          ...(query.correlationId ? { correlationId: query.correlationId } : {}),
          ...(query.cursor ? { before: decodeCursor(query.cursor) } : {}),
        },
        query.limit + 1,
      );
      const page = rows.slice(0, query.limit);
      return {
        items: page.map((r) => ({
          id: r.eventId,
          type: r.type,
          version: r.version,
          source: r.sourceService,
          occurredAt: r.occurredAt.toISOString(),
          receivedAt: r.receivedAt.toISOString(),
          correlationId: r.correlationId,
          idempotencyKey: r.idempotencyKey,
          status: r.status,
          payload: r.payload,
        })),
        nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!) : null,
      };
    },
  };
}

export type EventStoreService = ReturnType<typeof createEventStoreService>;

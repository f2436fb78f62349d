import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { EventEnvelope } from '../../../contracts/events/index.js';
import type { Db } from '../db/database.js';
import type { DeliveryHandler } from './transport.js';

export interface ConsumerObserver {
  onConsumed(consumer: string, outcome: 'processed' | 'duplicate' | 'failed'): void;
}

/** What a service writes to react to an event: it runs inside the transaction that records it. */
export type EventHandler = (tx: Db, event: EventEnvelope, log: Logger) => Promise<void>;

/**
 * Wraps a handler so each event has its effect once, however often it is delivered: the event
 * id is recorded in the consumer's `processed_events` table in the same transaction as the
 * handler's writes. A redelivery finds the id and does nothing; a handler that throws rolls
 * back both, so the next delivery tries again.
 */
export function createIdempotentConsumer(options: {
  db: Db;
  schema: string;
  consumer: string;
  handle: EventHandler;
  log: Logger;
  observer?: ConsumerObserver;
}): DeliveryHandler {
  const { db, schema, consumer, handle, observer } = options;
  const table = sql.table(`${schema}.processed_events`);
  return async (event) => {
    const log = options.log.child({
      consumer,
      eventId: event.id,
      type: event.type,
      correlationId: event.correlationId,
    });
    try {
      const processed = await db.transaction().execute(async (tx) => {
        const { rows } = await sql`
          insert into ${table} (consumer, event_id) values (${consumer}, ${event.id})
          on conflict do nothing returning event_id`.execute(tx);
        if (rows.length === 0) return false;
        await handle(tx, event, log);
        return true;
      });
      observer?.onConsumed(consumer, processed ? 'processed' : 'duplicate');
      if (!processed) log.debug('duplicate delivery ignored');
    } catch (err) {
      observer?.onConsumed(consumer, 'failed');
      log.warn({ err: (err as Error).message }, 'event handler failed');
      throw err;
    }
  };
}

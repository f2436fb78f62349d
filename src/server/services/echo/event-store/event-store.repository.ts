import type { EventEnvelope } from '../../../../contracts/events/index.js';
import type { Db } from '../../../platform/db/database.js';
import { eventColumns } from '../../../platform/events/outbox.js';

export interface StoredEventRow {
  eventId: string;
  type: string;
  version: number;
  sourceService: string;
  occurredAt: Date;
  receivedAt: Date;
  correlationId: string;
  idempotencyKey: string;
  status: string;
  payload: unknown;
}

export async function storeEvent(db: Db, event: EventEnvelope): Promise<void> {
  await db
    .insertInto('echo.eventStore')
    .values(eventColumns(event))
    .onConflict((oc) => oc.column('eventId').doNothing())
    .execute();
}

export async function listEvents(
  db: Db,
  filter: {
    type?: string;
    source?: string;
    correlationId?: string;
    before?: { occurredAt: Date; id: string };
  },
  limit: number,
): Promise<StoredEventRow[]> {
  let query = db.selectFrom('echo.eventStore').selectAll();
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.source) query = query.where('sourceService', '=', filter.source);
  if (filter.correlationId) query = query.where('correlationId', '=', filter.correlationId);
  if (filter.before) {
    const { occurredAt, id } = filter.before;
    query = query.where((eb) =>
      eb.or([
        eb('occurredAt', '<', occurredAt),
        eb.and([eb('occurredAt', '=', occurredAt), eb('eventId', '<', id)]),
      ]),
    );
  }
  return (await query
    .orderBy('occurredAt', 'desc')
    .orderBy('eventId', 'desc')
    .limit(limit)
    .execute()) as StoredEventRow[];
}

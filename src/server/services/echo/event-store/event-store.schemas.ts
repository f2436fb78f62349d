import { z } from 'zod';
import { ServiceName } from '../../../../contracts/events/index.js';

export const ListEventsQuery = z.object({
  type: z.string().max(200).optional(),
  source: ServiceName.optional(),
  correlationId: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
});
export type ListEventsQuery = z.infer<typeof ListEventsQuery>;

export const StoredEvent = z.object({
  id: z.uuid(),
  type: z.string(),
  version: z.number().int(),
  source: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  receivedAt: z.iso.datetime({ offset: true }),
  correlationId: z.string(),
  idempotencyKey: z.string(),
  status: z.string(),
  payload: z.unknown(),
});
export type StoredEvent = z.infer<typeof StoredEvent>;

export const EventPage = z.object({
  items: z.array(StoredEvent),
  nextCursor: z.string().nullable(),
});
export type EventPage = z.infer<typeof EventPage>;

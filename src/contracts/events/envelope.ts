import { z } from 'zod';

/** Names of the platform's services; the `source` of every event is one of them. */
export const ServiceName = z.enum(['axi', 'aide', 'grasp', 'echo', 'mint', 'mlog', 'adtech', 'portfolio']);
export type ServiceName = z.infer<typeof ServiceName>;

/**
 * Every event on the bus travels in this envelope. `type` is a past-tense dotted name
 * (`visit.tracked`), `version` the payload schema version; consumers parse the payload with the
 * catalogue entry for (type, version).
 */
export const EventEnvelope = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: ServiceName,
  correlationId: z.string().min(1).max(128),
  idempotencyKey: z.string().min(1).max(200),
  payload: z.unknown(),
});
export type EventEnvelope<P = unknown> = Omit<z.infer<typeof EventEnvelope>, 'payload'> & { payload: P };

export interface EventDefinition<T extends string, P extends z.ZodType> {
  type: T;
  version: number;
  source: ServiceName;
  payload: P;
  /** One line: what happened. */
  description: string;
}

export function defineEvent<const T extends string, P extends z.ZodType>(
  def: EventDefinition<T, P>,
): EventDefinition<T, P> {
  return def;
}

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/database.js';
import type { RequestContext } from '../../platform/http/request-context.js';
import type { StoredAuditEvent } from './audit-event.js';

/** Records that `userId` read `endpoint` of MLOG with `params` (an `mlog` `analytics.query` event). */
export type RecordQuery = (
  ctx: RequestContext,
  userId: string,
  endpoint: string,
  params: Record<string, unknown>,
) => void;

/**
 * Who looked at what in the audit log, stored in the audit log itself, by every MLOG read
 * endpoint after its answer is computed. Fire and forget: a failure to record is logged, never
 * turned into a failed answer.
 */
export function createQueryAudit({
  db,
  clock,
  log,
  insertEvents,
}: {
  db: Db;
  clock: () => Date;
  log: Logger;
  insertEvents: (db: Db, events: StoredAuditEvent[]) => Promise<number>;
}): RecordQuery {
  return (ctx, userId, endpoint, params) => {
    const now = clock();
    const event: StoredAuditEvent = {
      id: randomUUID(),
      ts: now,
      receivedAt: now,
      service: 'mlog',
      action: 'analytics.query',
      userId,
      sessionId: null,
      correlationId: ctx.correlationId,
      schemaVersion: 1,
      metadata: { endpoint, params },
    };
    void insertEvents(db, [event]).catch((err: unknown) =>
      log.warn({ err: (err as Error).message, endpoint }, 'could not record the analytics query audit event'),
    );
  };
}

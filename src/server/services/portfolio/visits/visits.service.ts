import { randomUUID } from 'node:crypto';
import { visitTracked } from '../../../../contracts/events/index.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { type RequestContext, requireActor } from '../../../platform/http/request-context.js';
import { countVisitsByPath, insertVisit } from './visits.repository.js';
import type { TrackVisitBody, VisitSummary } from './visits.schemas.js';

/** Visitor analytics of the public site: each page view stored and announced as `visit.tracked`. */
export function createVisitsService({ db, outbox, clock }: { db: Db; outbox: Outbox; clock: () => Date }) {
  return {
    async track(ctx: RequestContext, input: TrackVisitBody): Promise<{ id: string }> {
      const visit = {
        id: randomUUID(),
        path: input.path,
        // Only the host: a full referrer URL can carry another site's private query string.
        referrerHost: input.referrer ? new URL(input.referrer).host : null,
        visitedAt: clock(),
      };
      await db.transaction().execute(async (tx) => {
        await insertVisit(tx, visit);
        await outbox.add(
          tx,
          createEvent(
            visitTracked,
            ctx,
            {
              visitId: visit.id,
              path: visit.path,
              referrerHost: visit.referrerHost,
              visitedAt: visit.visitedAt.toISOString(),
            },
            { idempotencyKey: `visit:${visit.id}` },
          ),
        );
      });
      return { id: visit.id };
    },

    async summary(ctx: RequestContext, days: number): Promise<VisitSummary> {
      requireActor(ctx, 'admin');
      const since = new Date(clock().getTime() - days * 86_400_000);
      const byPath = await countVisitsByPath(db, since);
      return { since: since.toISOString(), total: byPath.reduce((n, p) => n + p.visits, 0), byPath };
    },
  };
}

export type VisitsService = ReturnType<typeof createVisitsService>;

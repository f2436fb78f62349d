import type { Logger } from 'pino';
import type { DailyMetrics, UserSessions } from '../../../../contracts/mlog/lifecycle.js';
import type { Db } from '../../../platform/db/database.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import { compactEventCounts } from '../event-counts.js';
import type { RecordQuery } from '../query-audit.js';
import {
  listDailyMetrics,
  listSessions,
  rebuildSessions,
  refreshDailyMetrics,
  sessionRefreshStart,
  withJobLock,
} from './lifecycle.repository.js';

const DAY_MS = 86_400_000;
/** A user's events further apart than this (without a session id) start a new session. */
export const SESSION_GAP_MINUTES = 30;

/**
 * `daily_metrics` and `user_sessions`, derived from `mlog.events`. The job recomputes the last
 * `lookbackDays` UTC days (today included) each time, so reruns are harmless and late events of
 * those days are counted; events arriving with an older timestamp are not rolled up.
 */
export function createRollups({
  db,
  clock,
  log,
  recordQuery,
  lookbackDays = 2,
}: {
  db: Db;
  clock: () => Date;
  log: Logger;
  recordQuery: RecordQuery;
  lookbackDays?: number;
}) {
  return {
    async refresh(): Promise<{ metrics: number; sessions: number; countKeysMerged: number } | undefined> {
      const now = clock();
      const from = new Date((Math.floor(now.getTime() / DAY_MS) - (lookbackDays - 1)) * DAY_MS);
      const to = new Date((Math.floor(now.getTime() / DAY_MS) + 1) * DAY_MS);
      const done = await withJobLock(db, 'rollups', async (tx) => {
        const metrics = await refreshDailyMetrics(tx, from, to, now);
        const sessionsFrom = await sessionRefreshStart(tx, from, SESSION_GAP_MINUTES);
        const sessions = await rebuildSessions(tx, sessionsFrom, to, SESSION_GAP_MINUTES);
        const countKeysMerged = await compactEventCounts(tx);
        return { metrics, sessions, countKeysMerged };
      });
      if (done) log.info({ from: from.toISOString(), ...done }, 'mlog rollups refreshed');
      return done;
    },

    async dailyMetrics(
      ctx: RequestContext,
      query: { from: string; to: string; service?: string | undefined },
    ): Promise<DailyMetrics> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const items = await listDailyMetrics(db, query.from, query.to, query.service);
      recordQuery(ctx, actor.id, 'metrics/daily', query);
      return { items };
    },

    async sessions(
      ctx: RequestContext,
      query: { user_id: string; from?: string | undefined; to?: string | undefined; limit: number },
    ): Promise<UserSessions> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const from = query.from === undefined ? undefined : new Date(query.from);
      const to = query.to === undefined ? undefined : new Date(query.to);
      const items = await listSessions(db, query.user_id, from, to, query.limit);
      recordQuery(ctx, actor.id, 'sessions', query);
      return { items };
    },
  };
}

export type Rollups = ReturnType<typeof createRollups>;

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { auditAnomalyDetected } from '../../../../contracts/events/mlog.events.js';
import type { Anomalies, AnomaliesQuery } from '../../../../contracts/mlog/lifecycle.js';
import type { Config } from '../../../platform/config/load-config.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import type { WebhookSender } from '../../../platform/http/webhooks.js';
import type { RecordQuery } from '../query-audit.js';
import { countPerMinute, insertAnomaly, listAnomalies, withJobLock } from './lifecycle.repository.js';

const MINUTE_MS = 60_000;

export interface AnomalyTuning {
  /** Trailing minutes the baseline is taken from. */
  baselineMinutes: number;
  /** A service must have reported for at least this many minutes of the baseline before it is judged. */
  minBaselineMinutes: number;
  /** Below this many events in the minute, nothing is an anomaly (a handful of rare events is noise). */
  minCount: number;
  /** The stddev never counts as less than this, nor less than sqrt(mean) (counts are roughly Poisson). */
  stddevFloor: number;
}

export const defaultTuning: AnomalyTuning = {
  baselineMinutes: 60,
  minBaselineMinutes: 30,
  minCount: 5,
  stddevFloor: 1,
};

export interface Detection {
  service: string;
  action: string;
  minute: Date;
  count: number;
  baselineMean: number;
  baselineStddev: number;
  zScore: number;
}

/**
 * Per (service, action), the last complete minute's count against the trailing baseline: the
 * counts of the previous minutes (zero where nothing happened) since the service first reported
 * in the window. Only rises are anomalies.
 */
export function detectAnomalies(
  counts: { service: string; action: string; minute: Date; count: number }[],
  minute: Date,
  z: number,
  tuning: AnomalyTuning,
): Detection[] {
  const windowStart = minute.getTime() - tuning.baselineMinutes * MINUTE_MS;
  const firstSeen = new Map<string, number>();
  const series = new Map<string, Map<number, number>>();
  for (const c of counts) {
    const t = c.minute.getTime();
    if (t < windowStart || t > minute.getTime()) continue;
    firstSeen.set(c.service, Math.min(firstSeen.get(c.service) ?? t, t));
    const key = JSON.stringify([c.service, c.action]);
    const s = series.get(key) ?? new Map<number, number>();
    s.set(t, (s.get(t) ?? 0) + c.count);
    series.set(key, s);
  }
  const out: Detection[] = [];
  for (const [key, perMinute] of series) {
    const current = perMinute.get(minute.getTime()) ?? 0;
    if (current < tuning.minCount) continue;
    const [service, action] = JSON.parse(key) as [string, string];
    const since = firstSeen.get(service)!;
    const length = (minute.getTime() - since) / MINUTE_MS;
    if (length < tuning.minBaselineMinutes) continue;
    let sum = 0;
    let sumSquares = 0;
    for (let t = since; t < minute.getTime(); t += MINUTE_MS) {
      const n = perMinute.get(t) ?? 0;
      sum += n;
      sumSquares += n * n;
    }
    const mean = sum / length;
    const stddev = Math.sqrt(Math.max(0, sumSquares / length - mean * mean));
    const zScore = (current - mean) / Math.max(stddev, Math.sqrt(mean), tuning.stddevFloor);
    if (zScore >= z)
      out.push({
        service,
        action,
        minute,
        count: current,
        baselineMean: mean,
        baselineStddev: stddev,
        zScore,
      });
  }
  return out;
}

/**
 * The anomaly job: detections are stored (once per service, action and minute) and announced as
 * `audit.anomaly.detected` in the same transaction; after commit each configured webhook gets the
 * event envelope. A webhook failure is logged, never thrown: the detection stands.
 */
export function createAnomalies({
  db,
  outbox,
  mlog,
  clock,
  log,
  webhooks,
  recordQuery,
  tuning = defaultTuning,
}: {
  db: Db;
  outbox: Outbox;
  mlog: Config['mlog'];
  clock: () => Date;
  log: Logger;
  webhooks: WebhookSender | undefined;
  recordQuery: RecordQuery;
  tuning?: AnomalyTuning;
}) {
  return {
    async detect(): Promise<Detection[] | undefined> {
      const now = clock();
      const minute = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - MINUTE_MS);
      const from = new Date(minute.getTime() - tuning.baselineMinutes * MINUTE_MS);
      const to = new Date(minute.getTime() + MINUTE_MS);
      const ctx = { correlationId: `mlog-anomalies-${randomUUID()}` };
      const announced = await withJobLock(db, 'anomalies', async (tx) => {
        const found = detectAnomalies(await countPerMinute(tx, from, to), minute, mlog.anomalyZ, tuning);
        const fresh = [];
        for (const d of found) {
          if (!(await insertAnomaly(tx, { ...d, detectedAt: now }))) continue;
          const event = createEvent(
            auditAnomalyDetected,
            ctx,
            { ...d, minute: d.minute.toISOString() },
            { idempotencyKey: `${d.service}:${d.action}:${d.minute.toISOString()}`, occurredAt: now },
          );
          await outbox.add(tx, event);
          fresh.push({ detection: d, event });
        }
        return fresh;
      });
      if (announced === undefined) return undefined;
      for (const { detection } of announced)
        log.warn(
          {
            service: detection.service,
            action: detection.action,
            count: detection.count,
            zScore: detection.zScore,
          },
          'mlog anomaly detected',
        );
      if (webhooks) {
        await Promise.all(
          announced.flatMap(({ event }) =>
            mlog.webhookUrls.map(async (url) => {
              try {
                await webhooks.send(url, event);
              } catch (err) {
                // The URL may carry a token in its query: log the origin only.
                log.error(
                  { webhook: safeOrigin(url), eventId: event.id, err: (err as Error).message },
                  'mlog anomaly webhook failed',
                );
              }
            }),
          ),
        );
      }
      return announced.map((a) => a.detection);
    },

    async list(ctx: RequestContext, query: AnomaliesQuery): Promise<Anomalies> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const since = query.since === undefined ? undefined : new Date(query.since);
      const items = await listAnomalies(db, since, query.service, query.limit);
      recordQuery(ctx, actor.id, 'anomalies', query);
      return { items };
    },
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid url)';
  }
}

export type AnomalyDetector = ReturnType<typeof createAnomalies>;

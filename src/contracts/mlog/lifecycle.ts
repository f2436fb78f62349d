import { z } from 'zod';

/** MLOG lifecycle contracts: daily rollups, user sessions, retention runs, anomaly detections. */

const isoDay = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });

export const DailyMetricsQuery = z.object({
  /** First UTC day, inclusive (YYYY-MM-DD). */
  from: isoDay,
  /** Last UTC day, inclusive. */
  to: isoDay,
  service: z.string().min(1).max(100).optional(),
});
export type DailyMetricsQuery = z.infer<typeof DailyMetricsQuery>;

export const DailyMetric = z.object({
  day: isoDay,
  service: z.string(),
  action: z.string(),
  count: z.number().int(),
  distinctUsers: z.number().int(),
});
export type DailyMetric = z.infer<typeof DailyMetric>;

export const DailyMetrics = z.object({ items: z.array(DailyMetric) });
export type DailyMetrics = z.infer<typeof DailyMetrics>;

export const SessionsQuery = z.object({
  user_id: z.string().min(1).max(200),
  /** Sessions that started at or after this instant. */
  from: isoInstant.optional(),
  /** Sessions that started before this instant. */
  to: isoInstant.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type SessionsQuery = z.infer<typeof SessionsQuery>;

export const UserSession = z.object({
  userId: z.string(),
  service: z.string(),
  /** The sender's session id; null for a session derived from a 30-minute inactivity gap. */
  sessionId: z.string().nullable(),
  startedAt: isoInstant,
  endedAt: isoInstant,
  events: z.number().int(),
});
export type UserSession = z.infer<typeof UserSession>;

export const UserSessions = z.object({ items: z.array(UserSession) });
export type UserSessions = z.infer<typeof UserSessions>;

export const RetentionRun = z.object({
  /** Steps left out because another replica held the retention lock (it does them). */
  skippedBusy: z.number().int(),
  ranAt: isoInstant,
  /** Events older than this are past every retention window: their partitions can go. */
  dropBefore: isoInstant,
  dropped: z.array(
    z.object({
      partition: z.string(),
      day: isoDay,
      rows: z.number().int(),
      /** The gzip NDJSON file, when archiving is configured. */
      archive: z.string().nullable(),
    }),
  ),
  /** Rows deleted from partitions that stay, for services with a shorter retention. */
  deleted: z.array(
    z.object({
      /** A service name, or `*` for every service without its own retention. */
      service: z.string(),
      before: isoInstant,
      rows: z.number().int(),
    }),
  ),
  failed: z.array(z.object({ partition: z.string(), reason: z.string() })),
});
export type RetentionRun = z.infer<typeof RetentionRun>;

export const AnomaliesQuery = z.object({
  since: isoInstant.optional(),
  service: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AnomaliesQuery = z.infer<typeof AnomaliesQuery>;

export const Anomaly = z.object({
  service: z.string(),
  action: z.string(),
  /** Start of the minute whose count was anomalous. */
  minute: isoInstant,
  count: z.number().int(),
  baselineMean: z.number(),
  baselineStddev: z.number(),
  zScore: z.number(),
  detectedAt: isoInstant,
});
export type Anomaly = z.infer<typeof Anomaly>;

export const Anomalies = z.object({ items: z.array(Anomaly) });
export type Anomalies = z.infer<typeof Anomalies>;

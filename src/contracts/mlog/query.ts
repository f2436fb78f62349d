import { z } from 'zod';
import { SERVICE_PATTERN } from './events.js';

/** A service name as MLOG stores it (the same pattern ingest accepts, case kept). */
export const ServiceName = z
  .string()
  .regex(SERVICE_PATTERN, 'must be 1-64 letters, digits, dots, dashes or underscores');

const Instant = z.iso.datetime({ offset: true });

/** An optional time window; both ends default (to = now, from = to - 24 h). `from` inclusive, `to` exclusive. */
export const TimeWindowQuery = z.object({
  from: Instant.optional(),
  to: Instant.optional(),
});

// ---------------------------------------------------------------------------------------------
// GET /api/mlog/analytics/:service
// ---------------------------------------------------------------------------------------------

export const ServiceAnalyticsParams = z.object({ service: ServiceName });

export const ServiceAnalyticsQuery = TimeWindowQuery.extend({
  /**
   * Also count distinct users (exactly, from the events of the window). The counts come from
   * hourly rollups; distinct users cannot, so asking for them costs a scan of the window's events.
   */
  users: z.stringbool().default(false),
});
export type ServiceAnalyticsQuery = z.infer<typeof ServiceAnalyticsQuery>;

export const ServiceAnalytics = z.object({
  service: z.string(),
  from: Instant,
  to: Instant,
  total: z.number().int(),
  /** Null unless asked for with `users=true`. */
  distinctUsers: z.number().int().nullable(),
  /** Most frequent action first, ties by name. */
  byAction: z.array(
    z.object({ action: z.string(), count: z.number().int(), distinctUsers: z.number().int().nullable() }),
  ),
});
export type ServiceAnalytics = z.infer<typeof ServiceAnalytics>;

// ---------------------------------------------------------------------------------------------
// GET /api/mlog/metrics/timeline
// ---------------------------------------------------------------------------------------------

export const TimelineBucket = z.enum(['minute', 'hour', 'day']);
export type TimelineBucket = z.infer<typeof TimelineBucket>;

/** The most buckets one timeline answers (a day of minutes is 1,440; a year of days 366). */
export const MAX_TIMELINE_BUCKETS = 2000;

export const TimelineQuery = TimeWindowQuery.extend({
  bucket: TimelineBucket.default('hour'),
  service: ServiceName.optional(),
  action: z.string().min(1).max(128).optional(),
  user_id: z.string().min(1).max(256).optional(),
});
export type TimelineQuery = z.infer<typeof TimelineQuery>;

export const Timeline = z.object({
  bucket: TimelineBucket,
  from: Instant,
  to: Instant,
  total: z.number().int(),
  /** Every bucket of the window in time order, empty ones with count 0 (UTC boundaries). */
  points: z.array(z.object({ t: Instant, count: z.number().int() })),
});
export type Timeline = z.infer<typeof Timeline>;

// ---------------------------------------------------------------------------------------------
// GET /api/mlog/events
// ---------------------------------------------------------------------------------------------

export const EventsQuery = TimeWindowQuery.extend({
  service: ServiceName.optional(),
  action: z.string().min(1).max(128).optional(),
  user_id: z.string().min(1).max(256).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

export const AuditEventView = z.object({
  id: z.uuid(),
  ts: Instant,
  receivedAt: Instant,
  service: z.string(),
  action: z.string(),
  userId: z.string().nullable(),
  sessionId: z.string().nullable(),
  correlationId: z.string().nullable(),
  schemaVersion: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
});
export type AuditEventView = z.infer<typeof AuditEventView>;

export const EventsPage = z.object({
  /** Newest first. */
  items: z.array(AuditEventView),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type EventsPage = z.infer<typeof EventsPage>;

// ---------------------------------------------------------------------------------------------
// POST /api/mlog/aggregate
// ---------------------------------------------------------------------------------------------

/** The most stages a pipeline may have. */
export const MAX_PIPELINE_STAGES = 20;
/** The most rows an aggregation returns; more sets `truncated`. */
export const MAX_AGGREGATE_ROWS = 10_000;

export const AggregateBody = z.object({
  /**
   * MongoDB-style stages: $match ($eq $ne $in $gt $gte $lt $lte), $group ($sum $avg $min $max),
   * $sort, $limit, $project, $count. Fields: ts, service, action, user_id, session_id,
   * correlation_id, metadata.<key>, and the fields earlier stages produced.
   */
  pipeline: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_PIPELINE_STAGES),
});
export type AggregateBody = z.infer<typeof AggregateBody>;

export const AggregateResult = z.object({
  rows: z.array(z.record(z.string(), z.unknown())),
  /** True when the pipeline produced more than the row cap and only the first rows are returned. */
  truncated: z.boolean(),
});
export type AggregateResult = z.infer<typeof AggregateResult>;

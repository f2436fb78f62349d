import { z } from 'zod';

/** The lowercase dotted names an audit action may have: login, upload, dataset.deleted... */
export const ACTION_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
/** Service names: what a service calls itself (axi, billing-api, Billing.Web). */
export const SERVICE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The actions every platform service sends; any other lowercase dotted name is accepted too. */
export const WELL_KNOWN_ACTIONS = ['login', 'upload', 'query', 'error'] as const;

/** At most this many events in one `POST /api/mlog/events` (JSON) request. */
export const MAX_JSON_EVENTS = 1_000;
/** At most this many events in one `POST /api/mlog/events/batch` (NDJSON) request. */
export const MAX_BATCH_EVENTS = 100_000;
/** At most this many errors are listed in an ingest result (all of them are counted). */
export const MAX_LISTED_ERRORS = 100;
/** How far ahead of the server's clock a timestamp may be (clock skew). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

const text = (max: number) => z.string().min(1).max(max);

/**
 * Schema version 2 (current). The server validates events itself (to report each bad event by
 * index instead of failing the request); this schema documents the shape and serves clients.
 */
export const AuditEventV2 = z
  .object({
    schema_version: z.literal(2).optional().describe('Default 2'),
    timestamp: z.iso
      .datetime({ offset: true })
      .describe('When it happened, ISO 8601 with an offset; at most 5 minutes ahead, within retention'),
    service: z.string().regex(SERVICE_PATTERN),
    action: z
      .string()
      .max(128)
      .regex(ACTION_PATTERN)
      .describe('login, upload, query, error, or any lowercase dotted name'),
    user_id: text(256).nullable().optional(),
    session_id: text(256).nullable().optional(),
    correlation_id: text(256).nullable().optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('A JSON object, at most MLOG_METADATA_MAX_BYTES serialised'),
  })
  .strict();
export type AuditEventV2 = z.infer<typeof AuditEventV2>;

/** Schema version 1 (legacy senders): `user` instead of `user_id`, `meta` instead of `metadata`. */
export const AuditEventV1 = z
  .object({
    schema_version: z.literal(1),
    timestamp: z.iso.datetime({ offset: true }),
    service: z.string().regex(SERVICE_PATTERN),
    action: z.string().max(128).regex(ACTION_PATTERN),
    user: text(256).nullable().optional(),
    session_id: text(256).nullable().optional(),
    correlation_id: text(256).nullable().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type AuditEventV1 = z.infer<typeof AuditEventV1>;

export const AuditEventInput = z.union([AuditEventV2, AuditEventV1]);
export type AuditEventInput = z.infer<typeof AuditEventInput>;

/** `POST /api/mlog/events`: one event or an array of up to 1,000 (each checked on its own). */
export const IngestJsonBody = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .describe('One event object or an array of them (see AuditEventV2 / AuditEventV1)');

export const IngestError = z.object({
  index: z
    .number()
    .int()
    .nonnegative()
    .describe('Position of the event in the array or NDJSON line (0-based)'),
  field: z.string().describe('The offending field, or "" for the event as a whole'),
  message: z.string(),
});
export type IngestError = z.infer<typeof IngestError>;

/** What an ingest request did: 202 when all were stored, 200 when some were rejected. */
export const IngestResult = z.object({
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  errors: z.array(IngestError).describe(`The first ${MAX_LISTED_ERRORS} rejections`),
  errorsTruncated: z.boolean().describe('True when more events were rejected than listed'),
});
export type IngestResult = z.infer<typeof IngestResult>;

import { randomUUID } from 'node:crypto';
import {
  ACTION_PATTERN,
  type IngestError,
  MAX_FUTURE_SKEW_MS,
  SERVICE_PATTERN,
} from '../../../../contracts/mlog/events.js';
import type { EncodableEvent } from './copy-rows.js';
import { canonicalTimestamp, parseTimestamp } from './event-timestamp.js';

export interface ValidationLimits {
  metadataMaxBytes: number;
  retentionDays: number;
  retentionByService: Record<string, number>;
}

export type Validated = { ok: true; event: EncodableEvent } | { ok: false; field: string; message: string };

const DAY_MS = 86_400_000;
const MAX_ID_CHARS = 256;

const fieldsV2 = new Set([
  'schema_version',
  'timestamp',
  'service',
  'action',
  'user_id',
  'session_id',
  'correlation_id',
  'metadata',
]);
const fieldsV1 = new Set([
  'schema_version',
  'timestamp',
  'service',
  'action',
  'user',
  'session_id',
  'correlation_id',
  'meta',
]);
const renamedInV2: Record<string, string> = { user: 'user_id', meta: 'metadata' };

// An unescaped \\u0000 or lone-surrogate escape in JSON.stringify output (paired surrogates are
// written as they are, so an escaped one is always unpaired).
const unstorableEscape = /(^|[^\\])(\\\\)*\\u(0000|d[89a-f][0-9a-f]{2})/i;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const NOT_ISO_TIMESTAMP = 'must be an ISO 8601 date-time with an offset, e.g. 2025-01-31T12:00:00Z';

const fail = (field: string, message: string): Validated => ({ ok: false, field, message });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalId(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_CHARS) return undefined;
  // PostgreSQL text cannot hold NUL; unpaired surrogates would be stored mangled.
  if (value.includes('\0') || loneSurrogate.test(value)) return undefined;
  return value;
}

/**
 * Checks one decoded event and upcasts it to the current schema (v2). Hand-written rather than
 * a zod parse so that a batch of 100,000 reports the first bad field of each event cheaply.
 */
export function validateEvent(
  raw: unknown,
  now: Date,
  limits: ValidationLimits,
  receivedAt: Date = now,
): Validated {
  if (!isPlainObject(raw)) return fail('', 'must be a JSON object');
  const version = raw.schema_version ?? 2;
  if (version !== 1 && version !== 2) return fail('schema_version', 'must be 1 or 2');
  const allowed = version === 1 ? fieldsV1 : fieldsV2;
  for (const key of Object.keys(raw)) {
    if (allowed.has(key)) continue;
    if (version === 2 && renamedInV2[key])
      return fail(key, `is a schema_version 1 field; version 2 calls it ${renamedInV2[key]}`);
    return fail(key, 'is not a field of an audit event');
  }

  const { timestamp, service, action } = raw;
  if (typeof service !== 'string' || !SERVICE_PATTERN.test(service))
    return fail('service', 'must be 1-64 letters, digits, dots, dashes or underscores');
  if (typeof action !== 'string' || action.length > 128 || !ACTION_PATTERN.test(action))
    return fail('action', 'must be a lowercase dotted name such as login or dataset.deleted');
  // An offset is required: a timestamp without one means different instants to different senders.
  if (typeof timestamp !== 'string') return fail('timestamp', NOT_ISO_TIMESTAMP);
  const tsMs = parseTimestamp(timestamp);
  if (tsMs === 'format') return fail('timestamp', NOT_ISO_TIMESTAMP);
  if (tsMs === 'date') return fail('timestamp', 'is not a real date-time');
  if (tsMs > now.getTime() + MAX_FUTURE_SKEW_MS)
    return fail('timestamp', 'is more than 5 minutes in the future');
  const retentionDays = limits.retentionByService[service] ?? limits.retentionDays;
  if (tsMs < now.getTime() - retentionDays * DAY_MS)
    return fail('timestamp', `is older than the ${retentionDays}-day retention of ${service}`);

  const userField = version === 1 ? 'user' : 'user_id';
  const userId = optionalId(raw[userField]);
  if (userId === undefined)
    return fail(userField, `must be a string of 1-${MAX_ID_CHARS} characters or null`);
  const sessionId = optionalId(raw.session_id);
  if (sessionId === undefined)
    return fail('session_id', `must be a string of 1-${MAX_ID_CHARS} characters or null`);
  const correlationId = optionalId(raw.correlation_id);
  if (correlationId === undefined)
    return fail('correlation_id', `must be a string of 1-${MAX_ID_CHARS} characters or null`);

  const metadataField = version === 1 ? 'meta' : 'metadata';
  const metadata = raw[metadataField] ?? {};
  if (!isPlainObject(metadata)) return fail(metadataField, 'must be a JSON object');
  // Bytes as sent (jsonb re-serialises, but the JSON text is what the sender controls).
  const metadataJson = JSON.stringify(metadata);
  // A UTF-16 unit is at most 3 UTF-8 bytes: short metadata needs no byte count.
  if (metadataJson.length * 3 > limits.metadataMaxBytes) {
    const metadataBytes = Buffer.byteLength(metadataJson);
    if (metadataBytes > limits.metadataMaxBytes)
      return fail(metadataField, `is ${metadataBytes} bytes; at most ${limits.metadataMaxBytes} are allowed`);
  }
  // jsonb refuses these; one such event must not fail the whole COPY.
  // JSON.stringify writes \u only for control characters and lone surrogates: most metadata
  // has none, and skips the regex.
  if (metadataJson.includes('\\u') && unstorableEscape.test(metadataJson))
    return fail(metadataField, 'must not contain NUL characters or unpaired UTF-16 surrogates');

  return {
    ok: true,
    event: {
      id: randomUUID(),
      ts: new Date(tsMs),
      tsText: canonicalTimestamp(timestamp, tsMs),
      receivedAt,
      service,
      action,
      userId,
      sessionId,
      correlationId,
      schemaVersion: version,
      metadata,
      metadataJson,
    },
  };
}

/** Collects the outcome of a request: counts everything, lists the first `maxListed` errors. */
export class IngestTally {
  accepted = 0;
  rejected = 0;
  readonly errors: IngestError[] = [];

  constructor(private readonly maxListed: number) {}

  reject(index: number, field: string, message: string) {
    this.rejected++;
    if (this.errors.length < this.maxListed) this.errors.push({ index, field, message });
  }

  result() {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      errors: this.errors,
      errorsTruncated: this.rejected > this.errors.length,
    };
  }
}

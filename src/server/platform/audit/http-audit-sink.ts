import { IngestResult, MAX_JSON_EVENTS } from '../../../contracts/mlog/events.js';
import { AbortError } from '../resilience/resilient-call.js';
import type { AuditEvent, AuditSink, AuditSinkResult } from './audit-client.js';

export interface HttpAuditSinkOptions {
  /** MLOG's base URL (`http://mlog:8008`); events go to `POST <base>/api/mlog/events`. */
  mlogUrl: string;
  /** An API key with scope audit:write; a secret: never log it. */
  apiKey: string;
  /**
   * Largest request body sent (default 512 KiB, half MLOG's default BODY_LIMIT_BYTES): a batch is
   * split into requests of at most this size and at most 1,000 events (MLOG's JSON limit).
   */
  maxBodyBytes?: number;
}

/** MLOG answered something other than "stored" or "stored some". */
export class AuditDeliveryRefused extends Error {
  override readonly name = 'AuditDeliveryRefused';
  constructor(readonly status: number) {
    super(
      status === 401 || status === 403
        ? `MLOG refused the audit API key (${status}): check AUDIT_API_KEY and its audit:write scope`
        : `MLOG answered ${status} to an audit batch`,
    );
  }
}

/** The event as MLOG's ingest takes it: schema version 2, snake_case. */
function toWire(e: AuditEvent) {
  return {
    schema_version: 2,
    timestamp: e.ts.toISOString(),
    service: e.service,
    action: e.action,
    user_id: e.userId,
    session_id: e.sessionId,
    correlation_id: e.correlationId,
    metadata: e.metadata,
  };
}

/** Serialised events grouped into request bodies within both limits; each keeps its batch position. */
function requestBodies(events: readonly AuditEvent[], maxBodyBytes: number) {
  const bodies: { first: number; json: string[]; bytes: number }[] = [];
  let current: (typeof bodies)[number] | undefined;
  events.forEach((event, index) => {
    const json = JSON.stringify(toWire(event));
    const bytes = Buffer.byteLength(json) + 1;
    if (!current || current.json.length >= MAX_JSON_EVENTS || current.bytes + bytes > maxBodyBytes) {
      current = { first: index, json: [], bytes: 2 };
      bodies.push(current);
    }
    current.json.push(json);
    current.bytes += bytes;
  });
  return bodies;
}

/**
 * Sends audit batches to a remote MLOG (split mode, MLOG in another process). The audit client
 * calls it inside its resilient call, so timeout, retries and breaker are already around it:
 * this only says which answers are worth retrying. Events MLOG refuses one by one are reported
 * back (counted as dropped, `rejected`); the others of the batch are stored.
 *
 * A batch sent as several requests is retried whole when a later request fails, so its earlier
 * requests may be stored twice (delivery is best effort, as the client documents).
 */
export function createHttpAuditSink(options: HttpAuditSinkOptions): AuditSink {
  const url = new URL('/api/mlog/events', options.mlogUrl).toString();
  const maxBodyBytes = options.maxBodyBytes ?? 512 * 1024;

  return {
    async send(events, signal) {
      const outcome: AuditSinkResult = { rejected: 0, errors: [] };
      for (const body of requestBodies(events, maxBodyBytes)) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
          body: `[${body.json.join(',')}]`,
          // Never follow a redirect with the key in the headers.
          redirect: 'error',
          signal,
        });
        const text = await res.text();
        if (res.status === 202) continue;
        if (res.status === 200) {
          const result = IngestResult.safeParse(parseJson(text));
          // Not retried: the events may well be stored, and a retry would store them again.
          if (!result.success) throw new AbortError(new Error('MLOG answered 200 with an unexpected body'));
          outcome.rejected += result.data.rejected;
          for (const e of result.data.errors) outcome.errors.push({ ...e, index: body.first + e.index });
          continue;
        }
        const refused = new AuditDeliveryRefused(res.status);
        // MLOG or its database (5xx), or AXI behind it (503), may come back; a 4xx will not change.
        if (res.status >= 500 || res.status === 408 || res.status === 429) throw refused;
        throw new AbortError(refused);
      }
      return outcome.rejected > 0 ? outcome : undefined;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

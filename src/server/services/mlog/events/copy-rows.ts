import type { StoredAuditEvent } from '../audit-event.js';

/**
 * An event on its way into COPY. `metadataJson`, when present, is `JSON.stringify(metadata)` as
 * validation already computed it (to check its size), so the row does not serialise it again.
 */
export type EncodableEvent = StoredAuditEvent & { readonly metadataJson?: string };

/** Column order of the COPY statement and of the rows `encodeRow` writes. */
export const COPY_COLUMNS =
  'id, ts, received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata';
export const COPY_STATEMENT = `copy mlog.events (${COPY_COLUMNS}) from stdin with (format text)`;

/** Bounds of one COPY chunk: whole rows only, so neither engine buffers much per message. */
export const CHUNK_ROWS = 5_000;
export const CHUNK_BYTES = 2 * 1024 * 1024;

const needsEscape = /[\\\t\n\r]/;
const specials = /[\\\t\n\r]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value in COPY text format: backslash, tab, newline and CR escaped (the common case untouched). */
export function copyText(value: string): string {
  return needsEscape.test(value) ? value.replace(specials, (c) => escapes[c] as string) : value;
}

const nullable = (value: string | null) => (value === null ? '\\N' : copyText(value));

/** One row of COPY text, newline-terminated. */
export function encodeRow(e: EncodableEvent, receivedAt: string = e.receivedAt.toISOString()): string {
  return `${e.id}\t${e.ts.toISOString()}\t${receivedAt}\t${copyText(e.service)}\t${copyText(
    e.action,
  )}\t${nullable(e.userId)}\t${nullable(e.sessionId)}\t${nullable(e.correlationId)}\t${e.schemaVersion}\t${copyText(
    e.metadataJson ?? JSON.stringify(e.metadata),
  )}\n`;
}

/** The events as COPY text chunks of at most CHUNK_ROWS rows / about CHUNK_BYTES each. */
export function* copyChunks(events: Iterable<EncodableEvent>): Generator<Uint8Array> {
  let rows: string[] = [];
  let chars = 0;
  // The events of one request share one receipt time: format it once, not once per row.
  let receivedAt: Date | undefined;
  let receivedAtText = '';
  for (const event of events) {
    if (event.receivedAt !== receivedAt) {
      receivedAt = event.receivedAt;
      receivedAtText = receivedAt.toISOString();
    }
    const row = encodeRow(event, receivedAtText);
    rows.push(row);
    // Characters, not bytes: close enough as a bound, and free to count.
    chars += row.length;
    if (rows.length >= CHUNK_ROWS || chars >= CHUNK_BYTES) {
      yield Buffer.from(rows.join(''));
      rows = [];
      chars = 0;
    }
  }
  if (rows.length > 0) yield Buffer.from(rows.join(''));
}

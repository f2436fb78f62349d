import type { StoredAuditEvent } from '../audit-event.js';

/**
 * An event on its way into COPY. `metadataJson`, when present, is `JSON.stringify(metadata)` as
 * validation already computed it (to check its size), so the row does not serialise it again;
 * `tsText`, when present, is `ts.toISOString()` (often the sender's own text), likewise.
 */
export type EncodableEvent = StoredAuditEvent & { readonly metadataJson?: string; readonly tsText?: string };

/** Column order of the COPY statement and of the rows `encodeRow` writes. */
export const COPY_COLUMNS =
  'id, ts, received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata';
export const COPY_STATEMENT = `copy mlog.events (${COPY_COLUMNS}) from stdin with (format text)`;

/** Bounds of one COPY chunk: whole rows only, so neither engine buffers much per message. */
export const CHUNK_ROWS = 5_000;
export const CHUNK_BYTES = 2 * 1024 * 1024;
const FIRST_CHUNK_BYTES = 64 * 1024;

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
  return `${e.id}\t${e.tsText ?? e.ts.toISOString()}\t${receivedAt}\t${copyText(e.service)}\t${copyText(
    e.action,
  )}\t${nullable(e.userId)}\t${nullable(e.sessionId)}\t${nullable(e.correlationId)}\t${e.schemaVersion}\t${copyText(
    e.metadataJson ?? JSON.stringify(e.metadata),
  )}\n`;
}

/**
 * Builds one COPY chunk by writing each event's row straight into a Buffer as it is added. A
 * chunk waiting for (or in) its COPY then holds bytes, not thousands of event objects and row
 * strings: those would outlive the young-generation GC and cost major collections, which was a
 * large share of the NDJSON ingest's CPU.
 */
export class CopyChunkBuilder {
  // Small at first (most JSON requests hold a few events); a new chunk starts at the size the
  // last one grew to, so a stream of full chunks stops growing after the first.
  #buffer = Buffer.allocUnsafe(FIRST_CHUNK_BYTES);
  #bytes = 0;
  #rows = 0;
  // The events of one request share one receipt time: format it once, not once per row.
  #receivedAt: Date | undefined;
  #receivedAtText = '';

  get rows(): number {
    return this.#rows;
  }

  /** At the bound of a chunk (CHUNK_ROWS rows or CHUNK_BYTES): time to take() it. */
  get full(): boolean {
    return this.#rows >= CHUNK_ROWS || this.#bytes >= CHUNK_BYTES;
  }

  add(event: EncodableEvent): void {
    if (event.receivedAt !== this.#receivedAt) {
      this.#receivedAt = event.receivedAt;
      this.#receivedAtText = event.receivedAt.toISOString();
    }
    const row = encodeRow(event, this.#receivedAtText);
    // A UTF-16 unit is at most 3 UTF-8 bytes, so this much room always holds the row.
    const roomNeeded = row.length * 3;
    if (this.#bytes + roomNeeded > this.#buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * this.#buffer.length, this.#bytes + roomNeeded));
      this.#buffer.copy(larger, 0, 0, this.#bytes);
      this.#buffer = larger;
    }
    this.#bytes += this.#buffer.write(row, this.#bytes);
    this.#rows++;
  }

  /** The rows added so far, as COPY text, and an empty builder for the next chunk. */
  take(): Buffer {
    const chunk = this.#buffer.subarray(0, this.#bytes);
    this.#buffer = Buffer.allocUnsafe(this.#buffer.length);
    this.#bytes = 0;
    this.#rows = 0;
    return chunk;
  }
}

/** The events as COPY text chunks of at most CHUNK_ROWS rows / about CHUNK_BYTES each. */
export function* copyChunks(events: Iterable<EncodableEvent>): Generator<Uint8Array> {
  const chunk = new CopyChunkBuilder();
  for (const event of events) {
    chunk.add(event);
    if (chunk.full) yield chunk.take();
  }
  if (chunk.rows > 0) yield chunk.take();
}

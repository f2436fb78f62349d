export type NdjsonLine = { index: number; text: string } | { index: number; tooLong: true };

const NEWLINE = 0x0a;

function decode(parts: Buffer[]): string {
  const text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * Splits a byte stream into NDJSON lines without holding more than one line: a line longer
 * than `maxLineBytes` is skipped to its end and reported as too long. `index` is the 0-based
 * line number; blank lines are not yielded (they are allowed between events) but are counted.
 */
export async function* ndjsonLines(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  maxLineBytes: number,
): AsyncGenerator<NdjsonLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let index = 0;
  let first = true;

  function* complete(piece: Buffer): Generator<NdjsonLine> {
    const lineIndex = index++;
    if (tooLong || pendingBytes + piece.length > maxLineBytes) {
      yield { index: lineIndex, tooLong: true };
    } else {
      pending.push(piece);
      let text = decode(pending);
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() !== '') yield { index: lineIndex, text };
    }
    first = false;
    pending = [];
    pendingBytes = 0;
    tooLong = false;
  }

  for await (const chunk of body) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
      yield* complete(buf.subarray(start, nl));
      start = nl + 1;
    }
    const rest = buf.subarray(start);
    if (rest.length === 0 || tooLong) continue;
    if (pendingBytes + rest.length > maxLineBytes) {
      tooLong = true;
      pending = [];
      pendingBytes = 0;
    } else {
      // Copied: the stream may reuse its buffer for the next chunk.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0 || tooLong) yield* complete(Buffer.alloc(0));
}

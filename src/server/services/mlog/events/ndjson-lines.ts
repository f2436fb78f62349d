export type NdjsonLine = { index: number; text: string } | { index: number; tooLong: true };

const NEWLINE = 0x0a;
/**
 * Lines are decoded a window of input at a time (a whole number of lines, each window one
 * string split in JavaScript), rather than one native decode per line: at 100,000 lines a
 * request the per-line decode and the per-line await of a line-by-line generator dominated.
 */
const WINDOW_BYTES = 256 * 1024;

/**
 * Splits a byte stream into NDJSON lines without holding more than one window of input and one
 * line: a line longer than `maxLineBytes` is skipped to its end and reported as too long.
 * `index` is the 0-based line number; blank lines are not yielded (they are allowed between
 * events) but are counted. Lines come in batches (the complete lines of a window), so the
 * caller awaits once per batch.
 */
export async function* ndjsonLineBatches(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  maxLineBytes: number,
): AsyncGenerator<NdjsonLine[]> {
  // Never smaller than a line may be, so a window without a newline is a line too long.
  const windowBytes = Math.max(WINDOW_BYTES, maxLineBytes + 1);
  // The start of a line that began in an earlier chunk (copied), or the fact it is too long.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let index = 0;
  let batch: NdjsonLine[] = [];

  const addLine = (text: string) => {
    const lineIndex = index++;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most lines need no byte count.
    if (text.length * 3 > maxLineBytes && Buffer.byteLength(text) > maxLineBytes) {
      batch.push({ index: lineIndex, tooLong: true });
      return;
    }
    // The first line may open with a byte order mark; a line may end in \r (CRLF input).
    if (lineIndex === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (text.charCodeAt(text.length - 1) === 0x0d) text = text.slice(0, -1);
    if (text.trim() !== '') batch.push({ index: lineIndex, text });
  };
  // Ends the line carried over from earlier chunks with `piece`, the bytes before its newline.
  const completePending = (piece: Buffer) => {
    if (tooLong || pendingBytes + piece.length > maxLineBytes) batch.push({ index: index++, tooLong: true });
    else addLine(Buffer.concat([...pending, piece]).toString('utf8'));
    pending = [];
    pendingBytes = 0;
    tooLong = false;
  };

  for await (const chunk of body) {
    const buf =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    if (pendingBytes > 0 || tooLong) {
      // Without a newline the whole chunk continues that line (kept or skipped below).
      const nl = buf.indexOf(NEWLINE);
      if (nl !== -1) {
        completePending(buf.subarray(0, nl));
        start = nl + 1;
      }
    }
    while (start < buf.length) {
      const windowEnd = Math.min(buf.length, start + windowBytes);
      // A newline byte never occurs inside a multi-byte UTF-8 character: cutting after one is safe.
      const lastNewline = buf.lastIndexOf(NEWLINE, windowEnd - 1);
      if (lastNewline < start) {
        if (windowEnd === buf.length) break; // the rest is the start of a line
        // A whole window without a newline: skip that line without decoding it.
        const nl = buf.indexOf(NEWLINE, windowEnd);
        if (nl === -1) {
          tooLong = true;
          start = buf.length;
          break;
        }
        batch.push({ index: index++, tooLong: true });
        start = nl + 1;
        continue;
      }
      const text = buf.toString('utf8', start, lastNewline);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        addLine(text.slice(from, nl));
        from = nl + 1;
      }
      addLine(text.slice(from));
      start = lastNewline + 1;
      yield batch;
      batch = [];
    }
    const rest = buf.length - start;
    if (rest > 0 && !tooLong) {
      if (pendingBytes + rest > maxLineBytes) {
        tooLong = true;
        pending = [];
        pendingBytes = 0;
      } else {
        // Copied: the stream may reuse its buffer for the next chunk.
        pending.push(Buffer.from(buf.subarray(start)));
        pendingBytes += rest;
      }
    }
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (pendingBytes > 0 || tooLong) completePending(Buffer.alloc(0));
  if (batch.length > 0) yield batch;
}

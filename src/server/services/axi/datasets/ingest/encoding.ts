import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'windows-1252';

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

export function startsWithUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === UTF8_BOM[0] && bytes[1] === UTF8_BOM[1] && bytes[2] === UTF8_BOM[2];
}

/**
 * Decides "valid UTF-8 or not" over a stream. Multi-byte sequences may straddle chunks, so the
 * unfinished tail of one chunk is checked together with the next.
 */
export class Utf8Validator {
  private tail: Uint8Array = new Uint8Array(0);
  valid = true;

  push(chunk: Uint8Array): void {
    if (!this.valid) return;
    const joined = this.tail.length ? concatBytes(this.tail, chunk) : chunk;
    const complete = completeUtf8Length(joined);
    if (!isUtf8(joined.subarray(0, complete))) this.valid = false;
    this.tail = joined.slice(complete);
  }

  finish(): boolean {
    if (this.tail.length) this.valid = false;
    this.tail = new Uint8Array(0);
    return this.valid;
  }
}

/** Length of the prefix of `bytes` that does not end inside a multi-byte UTF-8 sequence. */
function completeUtf8Length(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((bytes[i] as number) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return bytes.length;
  const lead = bytes[i] as number;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - i < needed ? i : bytes.length;
}

export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

// Windows-1252 as browsers read it (WHATWG): the five bytes the code page leaves undefined map to
// the C1 control of the same number instead of U+FFFD, so no byte of the file is lost.
const win1252ToUtf8: Uint8Array[] = (() => {
  const table: Uint8Array[] = [];
  for (let byte = 0; byte < 256; byte++) {
    let text = iconv.decode(Buffer.from([byte]), 'windows-1252');
    if (text === '\ufffd') text = String.fromCharCode(byte);
    table.push(new Uint8Array(Buffer.from(text, 'utf8')));
  }
  return table;
})();

/** Windows-1252 bytes re-encoded as UTF-8 (ASCII runs copied as they are). */
export function win1252ToUtf8Bytes(input: Uint8Array): Uint8Array {
  let high = 0;
  for (let i = 0; i < input.length; i++) if ((input[i] as number) >= 0x80) high++;
  if (high === 0) return input;
  const out = new Uint8Array(input.length + high * 2);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] as number;
    if (byte < 0x80) {
      out[o++] = byte;
    } else {
      const encoded = win1252ToUtf8[byte] as Uint8Array;
      for (let k = 0; k < encoded.length; k++) out[o++] = encoded[k] as number;
    }
  }
  return out.subarray(0, o);
}

/** Text of a byte range in the file's encoding. */
export function decodeBytes(bytes: Uint8Array, encoding: CsvEncoding): string {
  const utf8 = encoding === 'utf-8' ? bytes : win1252ToUtf8Bytes(bytes);
  return Buffer.from(utf8.buffer, utf8.byteOffset, utf8.byteLength).toString('utf8');
}

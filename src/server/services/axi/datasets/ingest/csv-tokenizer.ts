import { CsvMalformed } from './ingest.errors.js';

export const QUOTE = 0x22;
export const LF = 0x0a;
export const CR = 0x0d;
export const BACKSLASH = 0x5c;

/** The field was enclosed in quotes (its range excludes them). */
export const FIELD_QUOTED = 1;
/** The quoted field holds doubled quotes ("") that stand for one. */
export const FIELD_ESCAPES = 2;

/** A record longer than this is a broken file (typically a quote never closed), not data. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/**
 * A streaming CSV tokenizer over bytes (RFC 4180 and the usual liberties of real files).
 *
 * It works on bytes, not decoded text: the structural characters are ASCII and never occur
 * inside a multi-byte UTF-8 or Windows-1252 character, so the records and the types of their
 * values come out the same whatever the encoding, and nothing is decoded that is not shown.
 * Fields are reported as byte ranges in reusable arrays, so a row costs no allocation.
 *
 * Quotes: a field that starts with `"` runs to the matching `"` with `""` as an escaped quote and
 * may hold delimiters and line breaks; a quote inside an unquoted field is an ordinary character;
 * text after a closing quote is kept literally with the quoted part. Line ends: LF, CRLF or CR.
 */
export class CsvTokenizer {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  flags = new Uint8Array(64);
  /** Fields in the current row. */
  count = 0;
  /** Byte range of the current row, line end excluded. */
  rowStart = 0;
  rowEnd = 0;
  /** Physical line (1-based) the current row starts on. */
  rowLine = 1;
  /** The current row has a quoted field or a backslash (it cannot be passed on byte for byte). */
  rowNeedsCare = false;
  /** Physical line the next row starts on. */
  line = 1;

  /** Per byte: 1 ends an unquoted field (delimiter, CR, LF), 2 is a backslash, 0 is plain. */
  private readonly special = new Uint8Array(256);

  constructor(private readonly delimiter: number) {
    this.special[delimiter] = 1;
    this.special[LF] = 1;
    this.special[CR] = 1;
    this.special[BACKSLASH] = 2;
  }

  /**
   * Calls `onRow` for each complete row in `buf[from, to)` and returns where the first unfinished
   * row starts (`to` when none); the caller carries those bytes over to the next chunk. With
   * `final`, the input ends at `to` and the last row is complete however it ends.
   */
  scan(buf: Uint8Array, from: number, to: number, final: boolean, onRow: () => void): number {
    const delimiter = this.delimiter;
    const special = this.special;
    let pos = from;
    while (pos < to) {
      const rowStart = pos;
      let line = this.line;
      let n = 0;
      let care = false;
      let p = pos;
      for (;;) {
        if (n === this.starts.length) this.grow();
        if (p < to && buf[p] === QUOTE) {
          const quoteLine = line;
          let flags = FIELD_QUOTED;
          const start = p + 1;
          let q = start;
          let end = -1;
          care = true;
          while (end < 0) {
            if (q >= to) {
              if (!final) return this.unfinished(rowStart, to);
              throw new CsvMalformed(quoteLine, 'a quoted field is never closed');
            }
            const c = buf[q] as number;
            if (c === QUOTE) {
              if (q + 1 >= to && !final) return this.unfinished(rowStart, to);
              if (q + 1 < to && buf[q + 1] === QUOTE) {
                flags |= FIELD_ESCAPES;
                q += 2;
                continue;
              }
              end = q;
              q++;
            } else if (c === LF) {
              line++;
              q++;
            } else if (c === CR) {
              if (q + 1 >= to && !final) return this.unfinished(rowStart, to);
              if (q + 1 >= to || buf[q + 1] !== LF) line++;
              q++;
            } else {
              q++;
            }
          }
          if (q < to && buf[q] !== delimiter && buf[q] !== LF && buf[q] !== CR) {
            // `"abc"def`: keep every byte of the field literally, quotes included.
            while (q < to) {
              const c = buf[q] as number;
              if (c === delimiter || c === LF || c === CR) break;
              q++;
            }
            this.starts[n] = start - 1;
            this.ends[n] = q;
            this.flags[n] = 0;
          } else {
            this.starts[n] = start;
            this.ends[n] = end;
            this.flags[n] = flags;
          }
          p = q;
        } else {
          const start = p;
          while (p < to) {
            const kind = special[buf[p] as number] as number;
            if (kind !== 0) {
              if (kind === 1) break;
              care = true;
            }
            p++;
          }
          this.starts[n] = start;
          this.ends[n] = p;
          this.flags[n] = 0;
        }
        n++;
        if (p >= to) {
          if (!final) return this.unfinished(rowStart, to);
          this.rowEnd = p;
          break;
        }
        const c = buf[p] as number;
        if (c === delimiter) {
          p++;
          continue;
        }
        this.rowEnd = p;
        if (c === LF) {
          p++;
        } else if (p + 1 < to && buf[p + 1] === LF) {
          p += 2;
        } else if (p + 1 >= to && !final) {
          return this.unfinished(rowStart, to);
        } else {
          p++;
        }
        line++;
        break;
      }
      this.count = n;
      this.rowStart = rowStart;
      this.rowLine = this.line;
      this.rowNeedsCare = care;
      this.line = line;
      pos = p;
      onRow();
    }
    return pos;
  }

  /** The row is an empty line (one empty unquoted field). */
  isBlankRow(): boolean {
    return this.count === 1 && this.rowEnd === this.rowStart;
  }

  private unfinished(rowStart: number, to: number): number {
    if (to - rowStart > MAX_RECORD_BYTES) {
      throw new CsvMalformed(this.line, 'a record is longer than 64 MiB (is a quote never closed?)');
    }
    return rowStart;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    starts.set(this.starts);
    const ends = new Int32Array(size);
    ends.set(this.ends);
    const flags = new Uint8Array(size);
    flags.set(this.flags);
    this.starts = starts;
    this.ends = ends;
    this.flags = flags;
  }
}

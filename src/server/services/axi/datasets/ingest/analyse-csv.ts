import { open } from 'node:fs/promises';
import type { DatasetColumn } from '../../../../../contracts/axi/columns.js';
import { columnNames } from './column-names.js';
import { CsvTokenizer, FIELD_ESCAPES } from './csv-tokenizer.js';
import { type Delimiter, sniffDelimiter } from './delimiter-sniffer.js';
import { type CsvEncoding, concatBytes, decodeBytes, startsWithUtf8Bom, Utf8Validator } from './encoding.js';
import { EmptyFile, NotCsv, TooManyColumns, UploadTooLarge } from './ingest.errors.js';
import type { IngestColumn } from './ingest-column.js';
import { ColumnStats } from './type-inference.js';
import { classifyValue } from './value-classifier.js';

export interface CsvAnalysis {
  encoding: CsvEncoding;
  bom: boolean;
  delimiter: Delimiter;
  /** `type === inferredType` here; see `applyTypeOverrides`. */
  columns: DatasetColumn[];
  /** Data rows (header excluded), bad rows included. */
  rowCount: number;
  sizeBytes: number;
  ragged: { count: number; examples: { line: number; expected: number; got: number }[] };
  /** The first data rows as text, null for empty cells (for the preview). */
  sampleRows: (string | null)[][];
}

export interface AnalyseOptions {
  maxBytes: number;
  maxColumns: number;
  /** Also write the raw bytes here, for the caller to read back for the load (and delete). */
  spoolPath?: string;
  onProgress?(progress: { bytes: number; rows: number }): void;
  signal?: AbortSignal;
}

/** Bytes read before deciding delimiter and binary-ness. */
const HEAD_BYTES = 64 * 1024;
const SNIFF_BINARY_BYTES = 1024;
const SAMPLE_ROWS = 20;
const RAGGED_EXAMPLES = 10;

/**
 * Pass 1 over the whole file: size, encoding, delimiter, headers, and the type of every column
 * with its evidence. Streams: what it keeps does not grow with the file.
 */
export async function analyseCsv(
  input: AsyncIterable<Uint8Array>,
  options: AnalyseOptions,
): Promise<CsvAnalysis> {
  const spool = options.spoolPath ? await open(options.spoolPath, 'w', 0o600) : undefined;
  try {
    const analyser = new Analyser(options);
    // The spool write of one chunk overlaps the analysis of that chunk; one write at a time.
    let writing: Promise<void> = Promise.resolve();
    try {
      for await (const chunk of input) {
        options.signal?.throwIfAborted();
        analyser.checkSize(chunk);
        if (spool) {
          await writing;
          writing = writeAll(spool, chunk);
          // Handled when awaited next; this only keeps a failure from being reported as unhandled first.
          writing.catch(() => undefined);
        }
        analyser.push(chunk);
        options.onProgress?.({ bytes: analyser.bytes, rows: analyser.rows });
      }
    } finally {
      await writing.catch(() => undefined);
    }
    await writing;
    options.signal?.throwIfAborted();
    return analyser.finish();
  } finally {
    await spool?.close();
  }
}

async function writeAll(file: Awaited<ReturnType<typeof open>>, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

interface RawField {
  text: string;
  empty: boolean;
}

class Analyser {
  bytes = 0;
  rows = 0;
  private head: Uint8Array[] = [];
  private headBytes = 0;
  private started = false;
  private bom = false;
  private delimiter: Delimiter = ',';
  private tokenizer: CsvTokenizer | undefined;
  private pending: Uint8Array | undefined;
  private readonly utf8 = new Utf8Validator();
  private header: RawField[] | undefined;
  private width = 0;
  private stats: ColumnStats[] = [];
  private readonly samples: RawField[][] = [];
  private raggedCount = 0;
  private readonly raggedExamples: CsvAnalysis['ragged']['examples'] = [];
  private current: Uint8Array = new Uint8Array(0);
  private readonly onRow = () => this.row();

  constructor(private readonly options: AnalyseOptions) {}

  checkSize(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.bytes > this.options.maxBytes) throw new UploadTooLarge(this.options.maxBytes);
    // NUL never occurs in text of either encoding and PostgreSQL cannot store it.
    if (Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).indexOf(0) >= 0) {
      throw new NotCsv('it contains NUL bytes (a binary file?)');
    }
  }

  push(chunk: Uint8Array): void {
    this.utf8.push(chunk);
    if (this.started) {
      this.scan(chunk, false);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes >= HEAD_BYTES) this.start(false);
  }

  finish(): CsvAnalysis {
    if (!this.started) this.start(true);
    this.scan(new Uint8Array(0), true);
    if (!this.header) throw new EmptyFile();
    const encoding: CsvEncoding = this.utf8.finish() ? 'utf-8' : 'windows-1252';
    const text = (field: RawField) => decodeBytes(Buffer.from(field.text, 'latin1'), encoding);
    const rawText = (latin1: string) => decodeBytes(Buffer.from(latin1, 'latin1'), encoding);
    const originals = this.header.map(text);
    const names = columnNames(originals);
    const columns = originals.map((originalName, position): IngestColumn => {
      const decided = (this.stats[position] as ColumnStats).decide(rawText);
      return {
        name: names[position] as string,
        originalName,
        position,
        type: decided.type,
        inferredType: decided.type,
        evidence: decided.evidence,
        ...(decided.dateOrder ? { dateOrder: decided.dateOrder } : {}),
      };
    });
    return {
      encoding,
      bom: this.bom,
      delimiter: this.delimiter,
      columns,
      rowCount: this.rows,
      sizeBytes: this.bytes,
      ragged: { count: this.raggedCount, examples: this.raggedExamples },
      sampleRows: this.samples.map((row) => row.map((field) => (field.empty ? null : text(field)))),
    };
  }

  private start(complete: boolean): void {
    this.started = true;
    let head = this.head.length === 1 ? (this.head[0] as Uint8Array) : Buffer.concat(this.head);
    this.head = [];
    this.bom = startsWithUtf8Bom(head);
    if (this.bom) head = head.subarray(3);
    if (isBlank(head) && complete) throw new EmptyFile();
    const why = binaryReason(head.subarray(0, SNIFF_BINARY_BYTES));
    if (why) throw new NotCsv(why);
    this.delimiter = sniffDelimiter(head, complete);
    this.tokenizer = new CsvTokenizer(this.delimiter.charCodeAt(0));
    this.scan(head, false);
  }

  private scan(chunk: Uint8Array, final: boolean): void {
    const tokenizer = this.tokenizer as CsvTokenizer;
    const buf = this.pending ? concatBytes(this.pending, chunk) : chunk;
    this.current = buf;
    const end = tokenizer.scan(buf, 0, buf.length, final, this.onRow);
    this.pending = end < buf.length ? buf.slice(end) : undefined;
  }

  private row(): void {
    const t = this.tokenizer as CsvTokenizer;
    const buf = this.current;
    if (!this.header) {
      if (t.isBlankRow()) return;
      if (t.count > this.options.maxColumns) throw new TooManyColumns(t.count, this.options.maxColumns);
      this.header = this.fields(t, buf);
      this.width = t.count;
      this.stats = this.header.map(() => new ColumnStats());
      return;
    }
    // In a one-column file an empty line is an empty value; elsewhere it is no row at all.
    if (this.width > 1 && t.isBlankRow()) return;
    this.rows++;
    if (this.rows <= SAMPLE_ROWS) this.samples.push(this.fields(t, buf));
    if (t.count !== this.width) {
      this.raggedCount++;
      if (this.raggedExamples.length < RAGGED_EXAMPLES) {
        this.raggedExamples.push({ line: t.rowLine, expected: this.width, got: t.count });
      }
      return;
    }
    const { starts, ends, flags, rowLine } = t;
    const stats = this.stats;
    for (let i = 0; i < this.width; i++) {
      const start = starts[i] as number;
      const end = ends[i] as number;
      const column = stats[i] as ColumnStats;
      if (start === end) {
        column.empty++;
        continue;
      }
      const escapes = ((flags[i] as number) & FIELD_ESCAPES) !== 0;
      // A doubled quote is a `"` in the value, and no narrower type has one.
      column.add(escapes ? 0 : classifyValue(buf, start, end), rowLine, buf, start, end, escapes);
    }
  }

  private fields(t: CsvTokenizer, buf: Uint8Array): RawField[] {
    const fields: RawField[] = [];
    for (let i = 0; i < t.count; i++) {
      const start = t.starts[i] as number;
      const end = t.ends[i] as number;
      let text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
      if ((t.flags[i] as number) & FIELD_ESCAPES) text = text.replaceAll('""', '"');
      fields.push({ text, empty: start === end });
    }
    return fields;
  }
}

function isBlank(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return true;
}

const signatures: { bytes: number[]; what: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'it is a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'it is a ZIP archive (an Excel .xlsx file?); export it as CSV' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0],
    what: 'it is an Office document (an Excel .xls file?); export it as CSV',
  },
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'it is a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'it is a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'it is a GIF image' },
  { bytes: [0x1f, 0x8b], what: 'it is gzip-compressed; decompress it first' },
  { bytes: [0xff, 0xfe], what: 'it is UTF-16 text; save it as UTF-8' },
  { bytes: [0xfe, 0xff], what: 'it is UTF-16 text; save it as UTF-8' },
];

/** Why the start of a file is not CSV text, or undefined when it may be. */
function binaryReason(head: Uint8Array): string | undefined {
  for (const signature of signatures) {
    if (signature.bytes.every((byte, i) => head[i] === byte)) return signature.what;
  }
  let control = 0;
  for (const byte of head) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) || byte === 0x7f) control++;
  }
  // Text has next to no control characters; binary formats are full of them.
  if (control > Math.max(2, head.length * 0.01))
    return 'it contains control characters that text does not have';
  return undefined;
}

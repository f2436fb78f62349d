/**
 * Why AXI tokenizes CSV itself: the parsers we could use instead, timed on the same file in one
 * run. Each reads the file in 1 MB chunks and visits every field of every row; none stores rows.
 *
 *   npx tsx bench/csv-parsers.ts            (BENCH_ROWS, default 1,000,000)
 *
 * - csv-parse (streaming, the most used Node CSV parser),
 * - uDSV (streaming chunk API, string arrays; one of the fastest JS parsers),
 * - AXI's byte-level CsvTokenizer (fields as byte ranges, no decoding),
 * - AXI's whole first pass, analyseCsv (tokenize + classify every value for type inference).
 * The anchor is the slowest library, csv-parse: the issue reports ~3.2 s for such a file.
 */
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { inferSchema, initParser } from 'udsv';
import { CsvTokenizer } from '../src/server/services/axi/datasets/ingest/csv-tokenizer.js';
import { analyseCsv } from '../src/server/services/axi/datasets/ingest/index.js';
import { generateCsv } from './generate-csv.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const dir = join(tmpdir(), 'axi-bench');
mkdirSync(dir, { recursive: true });
const file = join(dir, `orders-${rows}.csv`);
await generateCsv(file, rows);
const read = () => createReadStream(file, { highWaterMark: 1024 * 1024 });

async function timed(name: string, fn: () => Promise<number>) {
  const started = performance.now();
  const count = await fn();
  return { name, ms: performance.now() - started, count };
}

const results = [];
results.push(
  await timed('csv-parse (stream)', async () => {
    let count = 0;
    let fields = 0;
    for await (const record of read().pipe(parse({ relax_column_count: true }))) {
      count++;
      fields += (record as string[]).length;
    }
    return fields > 0 ? count - 1 : 0;
  }),
);
results.push(
  await timed('uDSV (chunk API)', async () => {
    let parser: ReturnType<typeof initParser> | undefined;
    let count = 0;
    let fields = 0;
    const onRow = (row: string[]) => {
      count++;
      fields += row.length;
    };
    for await (const chunk of read()) {
      const text = (chunk as Buffer).toString();
      parser ??= initParser(inferSchema(text));
      parser.chunk(text, parser.stringArrs as never, onRow as never);
    }
    parser?.end();
    return fields > 0 ? count : 0;
  }),
);
results.push(
  await timed('AXI CsvTokenizer (bytes)', async () => {
    const tokenizer = new CsvTokenizer(','.charCodeAt(0));
    let pending: Uint8Array | undefined;
    let count = 0;
    let fields = 0;
    const onRow = () => {
      count++;
      fields += tokenizer.count;
    };
    for await (const chunk of read()) {
      const buf = pending ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      const end = tokenizer.scan(buf, 0, buf.length, false, onRow);
      pending = end < buf.length ? buf.subarray(end) : undefined;
    }
    tokenizer.scan(pending ?? new Uint8Array(0), 0, pending?.length ?? 0, true, onRow);
    return fields > 0 ? count - 1 : 0;
  }),
);
results.push(
  await timed('AXI analyseCsv (tokenize + infer types)', async () => {
    const analysis = await analyseCsv(read(), { maxBytes: 2 ** 31, maxColumns: 1000 });
    return analysis.rowCount;
  }),
);

const anchor = results[0]!.ms;
console.log(
  `CSV parsers on ${rows.toLocaleString('en')} rows x 12 columns (${(statSync(file).size / 2 ** 20).toFixed(0)} MB)`,
);
for (const r of results) {
  if (r.count !== rows) throw new Error(`${r.name} saw ${r.count} rows, expected ${rows}`);
  console.log(
    `  ${r.name.padEnd(42)} ${(r.ms / 1000).toFixed(2)} s   ${(anchor / r.ms).toFixed(2)}x csv-parse`,
  );
}

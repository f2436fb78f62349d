/**
 * AXI ingest benchmark: upload-to-queryable of a 1,000,000-row x 12-column CSV, measured side by
 * side in one run against `psql \copy` of the same file into the same typed table (the anchor).
 *
 *   npx tsx bench/axi-ingest.ts            (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROWS=200000 npx tsx bench/axi-ingest.ts
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { sqlTypeOf } from '../src/contracts/axi/columns.js';
import {
  type DatabaseHandle,
  openEmbeddedDatabase,
  openPostgresDatabase,
} from '../src/server/platform/db/database.js';
import { analyseCsv, type CsvAnalysis, loadCsv } from '../src/server/services/axi/datasets/ingest/index.js';
import { createPostgresDatabase } from '../test/support/databases.js';
import { generateCsv } from './generate-csv.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = join(tmpdir(), 'axi-bench');
const file = join(dir, `orders-${rows}.csv`);
const READ_CHUNK = 1024 * 1024;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Samples the process's RSS while `fn` runs; returns its result, time and the peak seen. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; peakRss: number }> {
  let peakRss = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  try {
    const result = await fn();
    return { result, ms: performance.now() - started, peakRss: Math.max(peakRss, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

/** analyseCsv (spooling, as the upload does) then loadCsv from the spool, in one transaction. */
async function upload(handle: DatabaseHandle, table: string) {
  const spoolPath = join(dir, `spool-${randomBytes(4).toString('hex')}.csv`);
  try {
    const analysisStart = performance.now();
    const analysis = await analyseCsv(createReadStream(file, { highWaterMark: READ_CHUNK }), {
      maxBytes: 1024 ** 3,
      maxColumns: 1000,
      spoolPath,
    });
    const analyseMs = performance.now() - analysisStart;
    const loaded = await handle.withCopySession((session) =>
      session.db.transaction().execute((tx) =>
        loadCsv(session, createReadStream(spoolPath, { highWaterMark: READ_CHUNK }), {
          table,
          columns: analysis.columns,
          encoding: analysis.encoding,
          delimiter: analysis.delimiter,
          onError: 'reject',
        }).then(async (result) => {
          await sql`select 1`.execute(tx);
          return result;
        }),
      ),
    );
    return { analysis, analyseMs, rowCount: loaded.rowCount };
  } finally {
    rmSync(spoolPath, { force: true });
  }
}

async function main() {
  mkdirSync(dir, { recursive: true });
  const generated = performance.now();
  await generateCsv(file, rows);
  const size = statSync(file).size;
  console.log(
    `file: ${file} (${rows.toLocaleString('en')} rows, ${mb(size)}; ready in ${seconds(performance.now() - generated)})`,
  );

  const scratch = await createPostgresDatabase(baseUrl);
  const handle = await openPostgresDatabase({
    url: scratch.url,
    pool: { max: 4, connectionTimeoutMs: 5000, idleTimeoutMs: 10_000 },
    statementTimeoutMs: 0,
    applicationName: 'axi-bench',
  });
  try {
    await sql`create schema axi_data`.execute(handle.db);
    const baseRss = process.memoryUsage.rss();

    const ours = await measured(() => upload(handle, 'axi_data.ds_ours'));
    const analysis: CsvAnalysis = ours.result.analysis;
    console.log(`columns: ${analysis.columns.map((c) => `${c.name}:${c.type}`).join(', ')}`);

    const definitions = analysis.columns.map((c) => `${c.name} ${sqlTypeOf[c.type]}`).join(', ');
    await sql.raw(`create table axi_data.psql_anchor (${definitions})`).execute(handle.db);
    const psqlStart = performance.now();
    execFileSync(
      'psql',
      [scratch.url, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy axi_data.psql_anchor from '${file}' csv header`],
      {
        env: { ...process.env, PGTZ: 'UTC' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const psqlMs = performance.now() - psqlStart;

    const { rows: check } = await sql<{ same: boolean }>`
      select (select count(*) from axi_data.psql_anchor) = (select count(*) from axi_data.ds_ours)
        and not exists (select * from axi_data.psql_anchor except all select * from axi_data.ds_ours) as same`.execute(
      handle.db,
    );

    const throughput = (ms: number) => `${(size / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`;
    console.log('\nreal PostgreSQL');
    console.log(`  (a) psql \\copy (anchor)        ${seconds(psqlMs)}  ${throughput(psqlMs)}`);
    console.log(
      `  (b) analyseCsv + loadCsv        ${seconds(ours.ms)}  ${throughput(ours.ms)}  ratio to anchor ${(psqlMs / ours.ms).toFixed(2)}x (target >= 0.5x)` +
        `  [analyse ${seconds(ours.result.analyseMs)}, load ${seconds(ours.ms - ours.result.analyseMs)}]`,
    );
    console.log(
      `      rows ${ours.result.rowCount.toLocaleString('en')}; same rows as psql: ${check[0]?.same}`,
    );
    console.log(
      `      peak RSS ${mb(ours.peakRss)} (growth ${mb(ours.peakRss - baseRss)} over ${mb(baseRss)} at start; target < 300 MB)`,
    );
  } finally {
    await handle.close();
    await scratch.drop();
  }

  if (process.env.BENCH_SKIP_PGLITE !== '1') {
    const embeddedDir = join(dir, `pglite-${randomBytes(4).toString('hex')}`);
    const embedded = await openEmbeddedDatabase({ dataDir: embeddedDir });
    try {
      await sql`create schema axi_data`.execute(embedded.db);
      const baseRss = process.memoryUsage.rss();
      const result = await measured(() => upload(embedded, 'axi_data.ds_ours'));
      console.log('\nembedded PGlite (on disk)');
      console.log(
        `  (c) analyseCsv + loadCsv        ${seconds(result.ms)}  [analyse ${seconds(result.result.analyseMs)}, load ${seconds(result.ms - result.result.analyseMs)}]` +
          `  rows ${result.result.rowCount.toLocaleString('en')}`,
      );
      console.log(
        `      peak RSS ${mb(result.peakRss)} (growth ${mb(result.peakRss - baseRss)} over ${mb(baseRss)} at start)`,
      );
    } finally {
      await embedded.close();
      rmSync(embeddedDir, { recursive: true, force: true });
    }
  }
}

await main();

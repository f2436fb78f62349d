/**
 * AXI end to end, as a user meets it: the built server in its own process, a signed-in analyst
 * uploading a 1,000,000-row x 12-column CSV over HTTP, measured in one run next to its anchor,
 * `psql \copy` of the same file into the same typed table on the same PostgreSQL.
 *
 *   npm run build && npx tsx bench/axi-upload.ts
 *   BENCH_ROWS=200000 npx tsx bench/axi-upload.ts       BENCH_SKIP_PGLITE=1 ...
 *
 * Prints: upload-to-queryable time and throughput ratio vs psql (target >= 0.5x), the server's
 * peak RSS during the upload for a small and the full file (target < 300 MB and not growing with
 * the file), time from queryable to profile ready (target <= 5 s), summary GET p50/p99 over HTTP
 * (target p99 < 50 ms), Pearson over every numeric column; then the same upload on the embedded
 * PGlite default.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sqlTypeOf } from '../src/contracts/axi/columns.js';
import { createPostgresDatabase } from '../test/support/databases.js';
import { type ServerProcess, startServerProcess } from '../test/support/server-process.js';
import { generateCsv } from './generate-csv.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const smallRows = Math.max(1_000, Math.floor(rows / 4));
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = join(tmpdir(), 'axi-bench');
const account = { email: 'bench@analytics.local', password: 'bench-Upload-heron-1987', displayName: 'Bench' };

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const line = (what: string, value: string, target = '') =>
  console.log(`  ${what.padEnd(44)} ${value.padEnd(22)} ${target}`);

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

async function json(res: Response) {
  if (!res.ok) throw new Error(`${res.url} -> ${res.status}: ${await res.text()}`);
  return res.json();
}

async function signIn(server: ServerProcess): Promise<Record<string, string>> {
  await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  const { accessToken } = await json(
    await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: account.email, password: account.password }),
    }),
  );
  return { authorization: `Bearer ${accessToken}` };
}

interface UploadFigures {
  ms: number;
  peakRss: number;
  baseRss: number;
  dataset: { id: string; rowCount: number; columns: { name: string; type: keyof typeof sqlTypeOf }[] };
  uploadId: string;
}

/** Streams the file to the server and samples the server's RSS until the 201 arrives. */
async function upload(
  server: ServerProcess,
  auth: Record<string, string>,
  file: string,
): Promise<UploadFigures> {
  const baseRss = rssOf(server.pid);
  let peakRss = baseRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssOf(server.pid));
  }, 20);
  const uploadId = crypto.randomUUID();
  const started = performance.now();
  try {
    const res = await fetch(`${server.url}/api/v1/datasets/upload?upload_id=${uploadId}`, {
      method: 'POST',
      headers: {
        ...auth,
        'content-type': 'text/csv',
        'content-length': String(statSync(file).size),
        'content-disposition': 'attachment; filename="bench.csv"',
      },
      body: createReadStream(file, { highWaterMark: 1024 * 1024 }) as unknown as BodyInit,
      duplex: 'half',
    } as RequestInit);
    const { dataset } = await json(res);
    return {
      ms: performance.now() - started,
      peakRss: Math.max(peakRss, rssOf(server.pid)),
      baseRss,
      dataset,
      uploadId,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function startServer(env: Record<string, string | undefined>) {
  return startServerProcess({
    env: { LOG_LEVEL: 'info', AXI_ADMIN_EMAILS: account.email, RATE_LIMIT_PER_USER: '100000', ...env },
    startTimeoutMs: 60_000,
  });
}

mkdirSync(dir, { recursive: true });
const file = join(dir, `orders-${rows}.csv`);
const smallFile = join(dir, `orders-${smallRows}.csv`);
await generateCsv(file, rows);
await generateCsv(smallFile, smallRows);
console.log(
  `AXI upload benchmark: ${rows.toLocaleString('en')} rows x 12 columns, ${mb(statSync(file).size)}`,
);

// --- Real PostgreSQL --------------------------------------------------------------------------
const scratch = await createPostgresDatabase(baseUrl);
const server = await startServer({ DATABASE_URL: scratch.url });
try {
  const auth = await signIn(server);
  const waitForProfile = async (uploadId: string) => {
    const since = performance.now();
    for (;;) {
      const progress = await json(
        await fetch(`${server.url}/api/v1/datasets/uploads/${uploadId}`, { headers: auth }),
      );
      if (progress.phase === 'done') return performance.now() - since;
      if (performance.now() - since > 120_000) throw new Error('profile not ready after 120 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const checkpoint = async () => {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query('checkpoint');
    await client.end();
  };

  // A warm-up upload of a quarter of the file; its profile must finish before anything is timed.
  const small = await upload(server, auth, smallFile);
  await waitForProfile(small.uploadId);

  // The anchor: psql's own \copy of the same file into a table of the same types.
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  const columns = small.dataset.columns.map((c) => `"${c.name}" ${sqlTypeOf[c.type]}`).join(', ');
  await client.query(`create table bench_anchor (${columns})`);
  await client.end();
  await checkpoint();
  const psqlStart = performance.now();
  execFileSync('psql', [scratch.url, '-qc', `\\copy bench_anchor from '${file}' csv header`], {
    stdio: 'inherit',
  });
  const psqlMs = performance.now() - psqlStart;

  await checkpoint();
  const big = await upload(server, auth, file);
  if (big.dataset.rowCount !== rows) throw new Error(`stored ${big.dataset.rowCount} rows, expected ${rows}`);
  // Queryable -> profile ready: the upload answers once the rows are committed; the profile
  // follows in the background and the progress reaches `done` when it is stored.
  const profileMs = await waitForProfile(big.uploadId);

  const latencies: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await json(await fetch(`${server.url}/api/v1/datasets/${big.dataset.id}/summary`, { headers: auth }));
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)]!;

  const numeric = big.dataset.columns.filter((c) => ['integer', 'bigint', 'double'].includes(c.type));
  const pearsonStart = performance.now();
  await json(
    await fetch(`${server.url}/api/v1/analytics/correlations`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        datasetId: big.dataset.id,
        columns: numeric.map((c) => c.name),
        method: 'pearson',
      }),
    }),
  );
  const pearsonMs = performance.now() - pearsonStart;

  console.log(
    `\nreal PostgreSQL (${baseUrl.replace(/:[^:@/]*@/, ':***@')}), server process pid ${server.pid}`,
  );
  line('psql \\copy (anchor)', s(psqlMs));
  line(
    'HTTP upload -> queryable',
    s(big.ms),
    `ratio to psql ${(psqlMs / big.ms).toFixed(2)}x (target >= 0.5x)`,
  );
  const stored = server
    .logEntries()
    .find((e) => e.msg === 'dataset stored' && e.datasetId === big.dataset.id);
  if (stored) {
    line(
      '  of which: receive + analyse, then load',
      `${s(Number(stored.analyseMs))} + ${s(Number(stored.loadMs))}`,
    );
  }
  line(
    `server peak RSS, ${smallRows.toLocaleString('en')} rows`,
    `${mb(small.peakRss)} (+${mb(small.peakRss - small.baseRss)})`,
  );
  line(
    `server peak RSS, ${rows.toLocaleString('en')} rows`,
    `${mb(big.peakRss)} (+${mb(big.peakRss - big.baseRss)})`,
    `target < 300 MB; file 4x larger -> ${(big.peakRss / small.peakRss).toFixed(2)}x RSS`,
  );
  line(
    'queryable -> profile ready',
    s(profileMs),
    `target <= 5 s (${(profileMs / 5000).toFixed(2)} of budget)`,
  );
  line(
    'summary GET p50 / p99 (300 calls)',
    `${pct(50).toFixed(1)} / ${pct(99).toFixed(1)} ms`,
    'target p99 < 50 ms',
  );
  line(`Pearson ${numeric.length}x${numeric.length} over HTTP`, s(pearsonMs), 'target 7x7 < 1 s');
} finally {
  await server.stop();
  await scratch.drop();
}

// --- Embedded PGlite --------------------------------------------------------------------------
if (!process.env.BENCH_SKIP_PGLITE) {
  const dataDir = join(dir, `pglite-${process.pid}`);
  const embedded = await startServer({ DATA_DIR: dataDir, DATABASE_URL: undefined });
  try {
    const auth = await signIn(embedded);
    const figures = await upload(embedded, auth, file);
    console.log('\nembedded PGlite (the npm start default)');
    line('HTTP upload -> queryable', s(figures.ms), 'PGlite COPY of the whole file: ~5.5 s and >1 GB');
    line('server peak RSS', `${mb(figures.peakRss)} (+${mb(figures.peakRss - figures.baseRss)})`);
  } finally {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * AIDE questions end to end, in one run on the real PostgreSQL: `POST /api/aide/nl2sql` through
 * the whole chain (describe, built-in engine, guard, reader role, read-only run, history, event,
 * usage) with the cache off, then the same questions answered from the cache, both held against
 * the anchor: the same SQL run directly on the same connection pool, without AIDE. Printed:
 * p50/p95 of each and the ratios (chain / direct SQL, cache hit / chain).
 *
 *   npx tsx bench/aide-nl2sql.ts         (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROWS=20000 BENCH_ROUNDS=10 npx tsx bench/aide-nl2sql.ts
 *
 * Requests go through Fastify's inject (no sockets), in-process cache (no Redis). Other work on
 * the same machine moves every figure: compare ratios within one run.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Runtime } from '../src/server/runtime.js';
import { createPostgresDatabase } from '../test/support/databases.js';
import { startTestRuntime } from '../test/support/test-runtime.js';

const rows = Number(process.env.BENCH_ROWS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 20);
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const questions = [
  'how many rows',
  'total amount by region',
  'average amount by product',
  'top 5 customers by total amount',
  'total amount by month',
  'how many orders in the North region',
  'number of distinct customers',
  'maximum quantity by region',
];

const regions = ['North', 'South', 'East', 'West', 'Central'];
const products = ['Laptop', 'Phone', 'Tablet', 'Monitor', 'Desk', 'Chair'];

function ordersCsv(): string {
  const lines = ['Customer,Region,Product,Amount,Quantity,Order Date'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2024, 0, 1) + (i % 730) * 86_400_000).toISOString().slice(0, 10);
    lines.push(
      `c${(i * 7919) % 5000},${regions[i % 5]},${products[(i * 3) % 6]},${((i * 37) % 1000) + 0.5},${1 + (i % 9)},${day}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

const figures = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};
const ms = (v: number) => `${v.toFixed(2).padStart(8)} ms`;

async function signedIn(runtime: Runtime) {
  const app = runtime.apps[0]!.app;
  const email = `bench.${randomUUID()}@example.com`;
  const password = 'bench-Password-123';
  await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password } });
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email, password } });
  return { app, headers: { authorization: `Bearer ${login.json().accessToken as string}` } };
}

async function main() {
  const database = await createPostgresDatabase(baseUrl);
  const env = { DATABASE_URL: database.url, AIDE_RATE_BURST: '1000000', LOG_LEVEL: 'silent' };
  const uncached = await startTestRuntime({ ...env, AIDE_CACHE_TTL_SECONDS: '0' });
  try {
    const { app, headers } = await signedIn(uncached);
    const upload = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload?name=orders',
      headers: { ...headers, 'content-type': 'text/csv' },
      payload: ordersCsv(),
    });
    if (upload.statusCode !== 201) throw new Error(`upload answered ${upload.statusCode}: ${upload.body}`);
    const datasetId = upload.json().dataset.id as string;
    const ask = async (target: typeof app, question: string) => {
      const started = performance.now();
      const res = await target.inject({
        method: 'POST',
        url: '/api/aide/nl2sql',
        headers,
        payload: { datasetId, question },
      });
      const elapsed = performance.now() - started;
      const body = res.json();
      if (res.statusCode !== 200 || !body.understood)
        throw new Error(`"${question}": ${res.body.slice(0, 300)}`);
      return { elapsed, sql: body.sql as string, cached: body.cached as boolean };
    };

    // Warm-up: reader role, profile, JIT; and the SQL of each question for the anchor.
    const sqlOf = new Map<string, string>();
    for (const q of questions) sqlOf.set(q, (await ask(app, q)).sql);

    const db = uncached.databases.get('aide')!.db;
    const direct: number[] = [];
    const chain: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const q of questions) {
        const started = performance.now();
        await sql.raw(sqlOf.get(q)!).execute(db);
        direct.push(performance.now() - started);
        chain.push((await ask(app, q)).elapsed);
      }
    }

    // A second process-like runtime on the same database, with the cache on: first asks fill it.
    const cachedRuntime = await startTestRuntime(env);
    try {
      const other = cachedRuntime.apps[0]!.app;
      for (const q of questions) await ask(other, q);
      const hits: number[] = [];
      for (let r = 0; r < rounds; r++) {
        for (const q of questions) {
          const answer = await ask(other, q);
          if (!answer.cached) throw new Error(`"${q}" was not answered from the cache`);
          hits.push(answer.elapsed);
        }
      }
      const d = figures(direct);
      const c = figures(chain);
      const h = figures(hits);
      console.log(
        `AIDE nl2sql over ${rows.toLocaleString('en-US')} rows, ${questions.length} questions x ${rounds} rounds`,
      );
      console.log(`  anchor: the same SQL run directly   p50 ${ms(d.p50)}   p95 ${ms(d.p95)}`);
      console.log(
        `  whole chain, cache off              p50 ${ms(c.p50)}   p95 ${ms(c.p95)}   p95 ratio to direct SQL ${(c.p95 / d.p95).toFixed(2)}x`,
      );
      console.log(
        `  answered from the cache             p50 ${ms(h.p50)}   p95 ${ms(h.p95)}   p95 ratio to the chain ${(h.p95 / c.p95).toFixed(3)}x`,
      );
    } finally {
      await cachedRuntime.close();
    }
  } finally {
    await uncached.close();
    await database.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

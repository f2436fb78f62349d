/**
 * AXI analytics benchmark on real PostgreSQL: a 1,000,000 x 12 dataset (7 numeric, 2 text,
 * 1 boolean, 1 date, 1 timestamp column) generated in SQL, then
 *   - profile (summary) computation          target <= 5 s after the data is queryable
 *   - summary read p99 (the service's GET)   target < 50 ms
 *   - 7x7 Pearson matrix                     target < 1 s
 * plus Spearman and a monthly cohort matrix for information. A scratch database is created
 * and dropped.
 *
 *   npx tsx bench/axi-analytics.ts            (BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 *                                              else postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROWS=200000 npx tsx bench/axi-analytics.ts
 */
import { sql } from 'kysely';
import { openPostgresDatabase } from '../src/server/platform/db/database.js';
import { createOutbox } from '../src/server/platform/events/outbox.js';
import { createAnalyticsService } from '../src/server/services/axi/analytics/analytics.service.js';
import { dataTable } from '../src/server/services/axi/datasets/dataset-record.js';
import {
  contextOf,
  createTestDataset,
  migrateAxiDatasets,
  testDatasetAccess,
} from '../test/support/axi-datasets.js';
import { createPostgresDatabase } from '../test/support/databases.js';

const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const rowCount = Number(process.env.BENCH_ROWS ?? 1_000_000);
const summaryCalls = Number(process.env.BENCH_SUMMARY_CALLS ?? 1_000);
// The pool of APP_ENV=dev; local uses 5, prod 20.
const poolMax = Number(process.env.BENCH_POOL_MAX ?? 10);

const columns = [
  { name: 'order_id', type: 'integer' as const },
  { name: 'amount', type: 'double' as const },
  { name: 'quantity', type: 'integer' as const },
  { name: 'unit_price', type: 'double' as const },
  { name: 'discount', type: 'double' as const },
  { name: 'score', type: 'integer' as const },
  { name: 'weight_g', type: 'bigint' as const },
  { name: 'customer', type: 'text' as const },
  { name: 'region', type: 'text' as const },
  { name: 'paid', type: 'boolean' as const },
  { name: 'order_date', type: 'date' as const },
  { name: 'created_at', type: 'timestamp' as const },
];

function seconds(ms: number) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function line(label: string, value: string, target: string, ratio: number) {
  const verdict = ratio <= 1 ? 'ok' : 'OVER TARGET';
  console.log(
    `${label.padEnd(34)} ${value.padStart(10)}   target ${target.padEnd(8)} ratio ${ratio.toFixed(3)}  ${verdict}`,
  );
}

async function main() {
  const scratch = await createPostgresDatabase(baseUrl);
  const handle = await openPostgresDatabase({
    url: scratch.url,
    pool: { max: poolMax, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
    statementTimeoutMs: 600_000,
    applicationName: 'bench-axi-analytics',
  });
  try {
    const db = handle.db;
    await migrateAxiDatasets(db);
    const owner = { id: 'bench-owner', roles: ['analyst' as const] };
    const dataset = await createTestDataset(db, { ownerId: owner.id, name: 'bench', columns, rows: [] });

    const loadStarted = performance.now();
    await db.transaction().execute(async (tx) => {
      await sql`select setseed(0.42)`.execute(tx);
      await sql`
        insert into ${dataTable(dataset)}
        select
          i,
          case when i % 50 = 0 then null else round((100 + 30 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))::numeric, 2)::float8 end,
          1 + (i::bigint * 7919) % 20,
          round((5 + random() * 95)::numeric, 2)::float8,
          case when i % 3 = 0 then 0 else round(random()::numeric * 0.3, 3)::float8 end,
          case when i % 97 = 0 then null else (random() * 100)::int end,
          (random() * 5000000)::bigint,
          'customer-' || (i::bigint * 2654435761 % 50000),
          (array['north', 'south', 'east', 'west', 'central', 'north-east', 'south-west', 'islands'])[1 + i % 8],
          case when i % 11 = 0 then null else random() < 0.8 end,
          date '2022-01-01' + (i * 31 % 1095),
          timestamptz '2022-01-01 00:00:00+00' + ((i * 7 % 1095) || ' days')::interval + (random() * 86400) * interval '1 second'
        from generate_series(1, ${rowCount}) as i`.execute(tx);
      await sql`update axi.datasets set row_count = ${rowCount} where id = ${dataset.id}`.execute(tx);
    });
    await sql`analyze ${dataTable(dataset)}`.execute(db);
    const loadMs = performance.now() - loadStarted;
    const { rows: size } = await sql<{ bytes: string }>`
      select pg_total_relation_size(${`axi_data.${dataset.tableName}`}) as bytes`.execute(db);
    console.log(
      `dataset: ${rowCount.toLocaleString('en')} rows x ${columns.length} columns, ${(Number(size[0]!.bytes) / 1048576).toFixed(0)} MiB, generated in ${seconds(loadMs)} (PostgreSQL ${handle.label}, pool ${poolMax})`,
    );

    const analytics = createAnalyticsService({
      db,
      outbox: createOutbox('axi'),
      clock: () => new Date(),
      datasets: testDatasetAccess(db),
    });
    const ctx = contextOf(owner);

    const profileStarted = performance.now();
    const profile = await analytics.computeProfile(db, { ...dataset, rowCount });
    const profileMs = performance.now() - profileStarted;
    if (profile.rowCount !== rowCount) throw new Error(`profile counted ${profile.rowCount} rows`);

    for (let i = 0; i < 20; i++) await analytics.summary(ctx, dataset.id);
    const latencies: number[] = [];
    for (let i = 0; i < summaryCalls; i++) {
      const started = performance.now();
      await analytics.summary(ctx, dataset.id);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length * 0.5)]!;
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;

    const numeric = columns
      .filter((c) => ['integer', 'double', 'bigint'].includes(c.type))
      .map((c) => c.name);
    const pearsonStarted = performance.now();
    const pearson = await analytics.correlations(ctx, {
      datasetId: dataset.id,
      columns: numeric,
      method: 'pearson',
    });
    const pearsonMs = performance.now() - pearsonStarted;
    if (pearson.result.pairs.length !== 21) throw new Error('expected 21 pairs');

    const spearmanStarted = performance.now();
    await analytics.correlations(ctx, { datasetId: dataset.id, columns: numeric, method: 'spearman' });
    const spearmanMs = performance.now() - spearmanStarted;

    const cohortStarted = performance.now();
    const cohort = await analytics.cohorts(ctx, {
      datasetId: dataset.id,
      entityColumn: 'customer',
      timeColumn: 'order_date',
      period: 'month',
      valueColumn: 'amount',
    });
    const cohortMs = performance.now() - cohortStarted;

    console.log('');
    line('profile ready after data queryable', seconds(profileMs), '5 s', profileMs / 5000);
    line(`summary read p99 (${summaryCalls} calls)`, `${p99.toFixed(2)} ms`, '50 ms', p99 / 50);
    console.log(`${'  summary read p50'.padEnd(34)} ${`${p50.toFixed(2)} ms`.padStart(10)}`);
    line('7x7 Pearson matrix', seconds(pearsonMs), '1 s', pearsonMs / 1000);
    console.log(`${'7x7 Spearman matrix (no target)'.padEnd(34)} ${seconds(spearmanMs).padStart(10)}`);
    console.log(
      `${'monthly cohorts (no target)'.padEnd(34)} ${seconds(cohortMs).padStart(10)}   ${cohort.result.cohorts.length} cohorts, ${cohort.result.entities} entities`,
    );
  } finally {
    await handle.close();
    await scratch.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Cell,
  contextOf,
  createTestDataset,
  migrateAxiDatasets,
  seededRandom,
  type TestColumn,
  testDatasetAccess,
} from '../../../../../test/support/axi-datasets.js';
import { databaseTargets } from '../../../../../test/support/databases.js';
import type { ColumnProfile, DatasetProfile } from '../../../../contracts/axi/analytics.js';
import type { DatabaseHandle } from '../../../platform/db/database.js';
import { createOutbox } from '../../../platform/events/outbox.js';
import type { DatasetRecord } from '../datasets/dataset-record.js';
import { createAnalyticsService } from './analytics.service.js';

// ---- the independent computation, in plain TypeScript --------------------------------------

function expectClose(actual: number | null | undefined, expected: number, what: string) {
  expect(actual, what).not.toBeNull();
  const tolerance = 1e-9 * Math.max(Math.abs(expected), 1e-12);
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

function quantile(sorted: number[], p: number): number {
  const position = (sorted.length - 1) * p;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

function expectedHistogram(values: number[], integer: boolean) {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (integer) {
    const width = Math.max(1, Math.ceil((max - min + 1) / 20));
    const bins = Math.ceil((max - min + 1) / width);
    const counts = Array.from({ length: bins }, () => 0);
    for (const v of values) counts[Math.floor((v - min) / width)]!++;
    return counts.map((count, i) => ({ lower: min + i * width, upper: min + (i + 1) * width, count }));
  }
  if (min === max) return [{ lower: min, upper: max, count: values.length }];
  const step = (max - min) / 20;
  const counts = Array.from({ length: 20 }, () => 0);
  for (const v of values) counts[Math.min(Math.floor(((v - min) / (max - min)) * 20), 19)]!++;
  return counts.map((count, i) => ({
    lower: min + i * step,
    upper: i === 19 ? max : min + (i + 1) * step,
    count,
  }));
}

/** Monday of the UTC week (date_trunc('week') semantics), as YYYY-MM-DD. */
function periodStart(iso: string, period: string): string {
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (period === 'day') return d.toISOString().slice(0, 10);
  if (period === 'week') {
    const back = (d.getUTCDay() + 6) % 7;
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - back))
      .toISOString()
      .slice(0, 10);
  }
  if (period === 'month') return `${d.toISOString().slice(0, 7)}-01`;
  return `${d.getUTCFullYear()}-01-01`;
}

function checkColumn(profile: ColumnProfile, column: TestColumn, rows: Cell[][], index: number) {
  const raw = rows.map((r) => r[index] ?? null);
  const present = raw.filter((v) => v !== null);
  expect(profile.name).toBe(column.name);
  expect(profile.count, `${column.name} count`).toBe(present.length);
  expect(profile.nulls, `${column.name} nulls`).toBe(raw.length - present.length);
  const keys = present.map((v) => (v instanceof Date ? v.toISOString() : String(v)));
  expect(profile.distinct, `${column.name} distinct`).toBe(new Set(keys).size);

  if (profile.kind === 'numeric') {
    const values = present.map(Number);
    if (values.length === 0) {
      expect([profile.min, profile.max, profile.mean, profile.stddev, profile.median]).toEqual([
        null,
        null,
        null,
        null,
        null,
      ]);
      expect(profile.histogram).toEqual([]);
      return;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
    expect(profile.min).toBe(sorted[0]);
    expect(profile.max).toBe(sorted.at(-1));
    if (sorted[0] === sorted.at(-1)) {
      // A constant column: exactly its value and no spread (plain summation would say ~1e-14).
      expect(profile.mean).toBe(sorted[0]);
      expect(profile.stddev).toBe(values.length > 1 ? 0 : null);
    } else {
      expectClose(profile.mean, mean, `${column.name} mean`);
      expectClose(profile.stddev, Math.sqrt(variance), `${column.name} stddev`);
    }
    expectClose(profile.q1, quantile(sorted, 0.25), `${column.name} q1`);
    expectClose(profile.median, quantile(sorted, 0.5), `${column.name} median`);
    expectClose(profile.q3, quantile(sorted, 0.75), `${column.name} q3`);
    expect(profile.histogram).toEqual(expectedHistogram(values, column.type !== 'double'));
    expect(profile.histogram.reduce((n, b) => n + b.count, 0)).toBe(values.length);
  } else if (profile.kind === 'categorical') {
    const counts = new Map<string | boolean, number>();
    for (const v of present) counts.set(v as string | boolean, (counts.get(v as string | boolean) ?? 0) + 1);
    const expected = [...counts.entries()]
      .sort(([a, na], [b, nb]) => nb - na || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, 10)
      .map(([value, count]) => ({ value, count }));
    expect(profile.topValues).toEqual(expected);
  } else {
    const isos = present.map((v) => (v instanceof Date ? v.toISOString() : String(v))).sort();
    // Timestamps come back with microseconds (2023-01-01T04:46:11.355000Z).
    const asIso = (v: string | null) => (v === null || v.length === 10 ? v : new Date(v).toISOString());
    expect(asIso(profile.min)).toBe(isos[0] ?? null);
    expect(asIso(profile.max)).toBe(isos.at(-1) ?? null);
    const counts = new Map<string, number>();
    for (const iso of isos) {
      const key = periodStart(iso, profile.period);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(profile.counts).toEqual(
      [...counts.entries()].sort().map(([period, count]) => ({ period, count })),
    );
  }
}

// ---- generated data ------------------------------------------------------------------------

const columns: TestColumn[] = [
  { name: 'id', type: 'integer' },
  { name: 'score', type: 'double', originalName: 'Score (%)' },
  { name: 'qty', type: 'integer' },
  { name: 'amount_cents', type: 'bigint' },
  { name: 'constant', type: 'double' },
  { name: 'nothing', type: 'double' },
  { name: 'category', type: 'text' },
  { name: 'flag', type: 'boolean' },
  { name: 'day', type: 'date' },
  { name: 'seen_at', type: 'timestamp' },
  { name: 'code', type: 'text' },
];

function generate(count: number, seed: number): Cell[][] {
  const random = seededRandom(seed);
  const categories = [
    'alpha',
    'beta',
    'gamma',
    'delta',
    'Épsilon',
    'zeta',
    'eta',
    'theta',
    'iota',
    'kappa',
    'Lambda',
    'mu',
  ];
  const maybe = <T>(share: number, value: () => T): T | null => (random() < share ? null : value());
  return Array.from({ length: count }, (_, i) => [
    i + 1,
    maybe(0.1, () => Math.round((random() * 200 - 50) * 1e6) / 1e6 + random() * 1e-7),
    maybe(0.05, () => Math.floor(random() * 16)),
    maybe(0.02, () => 1_000_000_000 + Math.floor(random() * 5_000_000)),
    3.7,
    null,
    maybe(0.15, () => categories[Math.floor(random() ** 2 * categories.length)]!),
    maybe(0.3, () => random() < 0.7),
    maybe(0.1, () => new Date(Date.UTC(2024, 1, 1 + Math.floor(random() * 60))).toISOString().slice(0, 10)),
    maybe(0.05, () => new Date(Date.UTC(2023, 0, 1) + Math.floor(random() * 300 * 86_400_000))),
    `C${String(Math.floor(random() * 400)).padStart(4, '0')}`,
  ]);
}

describe.each(databaseTargets())('dataset profile on $name', (target) => {
  let handle: DatabaseHandle;
  let dataset: DatasetRecord;
  let profile: DatasetProfile;
  const rows = generate(1_500, 42);
  const owner = { id: 'owner-1', roles: ['viewer' as const] };
  const now = new Date('2026-01-02T03:04:05.000Z');

  function service() {
    return createAnalyticsService({
      db: handle.db,
      outbox: createOutbox('axi'),
      clock: () => now,
      datasets: testDatasetAccess(handle.db),
    });
  }

  beforeAll(async () => {
    handle = await target.open();
    await migrateAxiDatasets(handle.db);
    dataset = await createTestDataset(handle.db, { ownerId: owner.id, columns, rows });
    profile = await service().computeProfile(handle.db, dataset);
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('counts rows and keeps column order, names and types', () => {
    expect(profile.datasetId).toBe(dataset.id);
    expect(profile.rowCount).toBe(rows.length);
    expect(profile.computedAt).toBe(now.toISOString());
    expect(profile.columns.map((c) => [c.name, c.originalName, c.type])).toEqual(
      columns.map((c) => [c.name, c.originalName ?? c.name, c.type]),
    );
    expect(profile.columns.map((c) => c.kind)).toEqual([
      'numeric',
      'numeric',
      'numeric',
      'numeric',
      'numeric',
      'numeric',
      'categorical',
      'categorical',
      'temporal',
      'temporal',
      'categorical',
    ]);
  });

  it.each(columns.map((c, i) => [c.name, i] as const))('column %s matches a plain computation', (_, i) => {
    checkColumn(profile.columns[i]!, columns[i]!, rows, i);
  });

  it('picks the period from the range: 60 days by day, 300 days by week', () => {
    const [day, seenAt] = [profile.columns[8]!, profile.columns[9]!];
    expect(day.kind === 'temporal' && day.period).toBe('day');
    expect(seenAt.kind === 'temporal' && seenAt.period).toBe('week');
  });

  it('serves the stored profile and computes one on first request when missing', async () => {
    const analytics = service();
    expect(await analytics.summary(contextOf(owner), dataset.id)).toEqual(profile);
    const second = await createTestDataset(handle.db, {
      ownerId: owner.id,
      columns: [{ name: 'x', type: 'integer' }],
      rows: [[1], [2], [2], [null]],
    });
    const fresh = await analytics.summary(contextOf(owner), second.id);
    expect(fresh.columns[0]).toMatchObject({ count: 3, nulls: 1, distinct: 2, min: 1, max: 2, median: 2 });
    const { rows: stored } = await sql<{ n: string }>`
      select count(*) as n from axi.dataset_profiles where dataset_id = ${second.id}`.execute(handle.db);
    expect(Number(stored[0]!.n)).toBe(1);
    expect(await analytics.summary(contextOf(owner), second.id)).toEqual(fresh);
  });

  it('recomputing replaces the stored profile', async () => {
    const analytics = service();
    const own = await createTestDataset(handle.db, { ownerId: owner.id, columns, rows: rows.slice(0, 300) });
    await analytics.computeProfile(handle.db, own);
    await sql`delete from ${sql.table(`axi_data.${own.tableName}`)} where id > 100`.execute(handle.db);
    await analytics.computeProfile(handle.db, own);
    const served = await analytics.summary(contextOf(owner), own.id);
    expect(served.rowCount).toBe(100);
    for (const [i, c] of served.columns.entries()) checkColumn(c, columns[i]!, rows.slice(0, 100), i);
  });

  it('profiles an empty dataset (header only)', async () => {
    const empty = await createTestDataset(handle.db, { columns, rows: [] });
    const emptyProfile = await service().computeProfile(handle.db, empty);
    expect(emptyProfile.rowCount).toBe(0);
    for (const [i, c] of emptyProfile.columns.entries()) checkColumn(c, columns[i]!, [], i);
  });

  it('bins a bigint column whose range exceeds the bigint range', async () => {
    const wide = await createTestDataset(handle.db, {
      columns: [{ name: 'big', type: 'bigint' }],
      rows: [[-(2n ** 62n) * 2n + 1n], [2n ** 62n], [0n], [null]],
    });
    const [big] = (await service().computeProfile(handle.db, wide)).columns;
    expect(big).toMatchObject({ kind: 'numeric', count: 3, nulls: 1, distinct: 3 });
    const bins = big!.kind === 'numeric' ? big!.histogram : [];
    expect(bins).toHaveLength(20);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(3);
    // 0 sits two thirds of the way from -2^63 to 2^62.
    expect([bins[0]!.count, bins[13]!.count, bins[19]!.count]).toEqual([1, 1, 1]);
  });

  it("hides other people's datasets and needs a signed-in caller", async () => {
    const analytics = service();
    await expect(
      analytics.summary(contextOf({ id: 'someone-else', roles: ['analyst'] }), dataset.id),
    ).rejects.toMatchObject({
      status: 404,
    });
    await expect(analytics.summary(contextOf(undefined), dataset.id)).rejects.toMatchObject({ status: 401 });
    const admin = await analytics.summary(contextOf({ id: 'root', roles: ['admin'] }), dataset.id);
    expect(admin.datasetId).toBe(dataset.id);
  });

  it('drops the stored profile with its dataset', async () => {
    const doomed = await createTestDataset(handle.db, { columns, rows: rows.slice(0, 10) });
    await service().computeProfile(handle.db, doomed);
    await sql`delete from axi.datasets where id = ${doomed.id}`.execute(handle.db);
    const { rows: left } = await sql<{ n: string }>`
      select count(*) as n from axi.dataset_profiles where dataset_id = ${doomed.id}`.execute(handle.db);
    expect(Number(left[0]!.n)).toBe(0);
  });
});

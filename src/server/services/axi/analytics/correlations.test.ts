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
import type { CorrelationMethod, CorrelationResult } from '../../../../contracts/axi/analytics.js';
import type { DatabaseHandle } from '../../../platform/db/database.js';
import { createOutbox } from '../../../platform/events/outbox.js';
import type { DatasetRecord } from '../datasets/dataset-record.js';
import { createAnalyticsService } from './analytics.service.js';
import { correlationPValue, fisherInterval } from './stats.js';

// ---- the independent computation -----------------------------------------------------------

function pearson(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  if (new Set(xs).size < 2 || new Set(ys).size < 2) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** Average ranks: tied values share the mean of the positions they occupy (1-based). */
function averageRanks(values: number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = rank;
    start = end + 1;
  }
  return ranks;
}

function naiveBenjaminiHochberg(ps: (number | null)[]): (number | null)[] {
  const tested = ps.filter((p): p is number => p !== null);
  const m = tested.length;
  return ps.map((p) => {
    if (p === null) return null;
    // min over every p' >= p of p' * m / rank(p'), rank = how many tested p-values are <= p'.
    let best = 1;
    for (const q of tested) {
      if (q < p) continue;
      const rank = tested.filter((t) => t <= q).length;
      best = Math.min(best, (q * m) / rank);
    }
    return best;
  });
}

function expectClose(actual: number | null | undefined, expected: number, tolerance: number, what: string) {
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tolerance * Math.max(Math.abs(expected), 1e-6),
  );
}

function checkAgainstPlain(
  result: CorrelationResult,
  rows: Cell[][],
  names: string[],
  method: CorrelationMethod,
) {
  const expectedP: (number | null)[] = [];
  for (const pair of result.pairs) {
    const xi = names.indexOf(pair.x);
    const yi = names.indexOf(pair.y);
    const complete = rows.filter((r) => r[xi] !== null && r[yi] !== null);
    let xs = complete.map((r) => Number(r[xi]));
    let ys = complete.map((r) => Number(r[yi]));
    if (method === 'spearman') {
      xs = averageRanks(xs);
      ys = averageRanks(ys);
    }
    const r = pearson(xs, ys);
    expect(pair.n, `${pair.x}/${pair.y} n`).toBe(complete.length);
    if (r === null) {
      expect(pair.r, `${pair.x}/${pair.y} r`).toBeNull();
      expect(pair.pValue).toBeNull();
      expect(pair.reason).toBeTruthy();
      expectedP.push(null);
      continue;
    }
    expectClose(pair.r, r, 1e-9, `${pair.x}/${pair.y} r`);
    const p = correlationPValue(r, complete.length);
    expectedP.push(p);
    if (p === null) expect(pair.pValue).toBeNull();
    else expectClose(pair.pValue, p, 1e-6, `${pair.x}/${pair.y} p`);
    const ci = fisherInterval(r, complete.length, method === 'spearman' ? 1.06 : 1);
    if (ci === null) expect(pair.ci95).toBeNull();
    else {
      expectClose(pair.ci95![0], ci[0], 1e-9, `${pair.x}/${pair.y} ci low`);
      expectClose(pair.ci95![1], ci[1], 1e-9, `${pair.x}/${pair.y} ci high`);
    }
    const i = result.columns.indexOf(pair.x);
    const j = result.columns.indexOf(pair.y);
    expect(result.matrix[i]![j]).toBe(pair.r);
    expect(result.matrix[j]![i]).toBe(pair.r);
  }
  const adjusted = naiveBenjaminiHochberg(expectedP);
  result.pairs.forEach((pair, k) => {
    const expected = adjusted[k]!;
    if (expected === null) expect(pair.pAdjusted).toBeNull();
    else expectClose(pair.pAdjusted, expected, 1e-6, `${pair.x}/${pair.y} BH`);
  });
}

// ---- generated data ------------------------------------------------------------------------

const columns: TestColumn[] = [
  { name: 'a', type: 'double' },
  { name: 'b', type: 'double' },
  { name: 'c', type: 'integer' },
  { name: 'd', type: 'bigint' },
  { name: 'k', type: 'double' },
  { name: 'few', type: 'integer' },
  { name: 'label', type: 'text' },
];
const numeric = ['a', 'b', 'c', 'd', 'k', 'few'];

function generate(count: number, seed: number): Cell[][] {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: count }, (_, i) => {
    const a = normal() * 10 + 50;
    return [
      a,
      random() < 0.05 ? null : 0.6 * a + normal() * 8,
      random() < 0.1 ? null : Math.round(a / 10 + normal()),
      Math.floor(random() * 7) * 1000,
      2.5,
      i === 3 || i === 17 ? i : null,
      `row ${i % 5}`,
    ];
  });
}

describe.each(databaseTargets())('correlations on $name', (target) => {
  let handle: DatabaseHandle;
  let dataset: DatasetRecord;
  const rows = generate(800, 7);
  const analyst = { id: 'analyst-1', roles: ['analyst' as const] };

  const service = () =>
    createAnalyticsService({
      db: handle.db,
      outbox: createOutbox('axi'),
      clock: () => new Date(),
      datasets: testDatasetAccess(handle.db),
    });

  beforeAll(async () => {
    handle = await target.open();
    await migrateAxiDatasets(handle.db);
    dataset = await createTestDataset(handle.db, { ownerId: analyst.id, columns, rows });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it.each(['pearson', 'spearman'] as const)(
    '%s: every figure matches a plain computation',
    async (method) => {
      const report = await service().correlations(contextOf(analyst), { datasetId: dataset.id, method });
      expect(report.result.columns).toEqual(numeric);
      checkAgainstPlain(report.result, rows, numeric, method);
      // A constant column has no defined r, with a reason; two observations give r but no p-value.
      const constant = report.result.pairs.find((p) => p.x === 'a' && p.y === 'k')!;
      expect(constant).toMatchObject({ r: null, pValue: null, ci95: null, reason: '"k" is constant' });
      const few = report.result.pairs.find((p) => p.x === 'a' && p.y === 'few')!;
      expect(few.n).toBe(2);
      expect(few.pValue).toBeNull();
      expect(few.reason).toMatch(/at least 3/);
      const kIndex = numeric.indexOf('k');
      expect(report.result.matrix.map((row, i) => row[i])).toEqual(
        numeric.map((_, i) => (i === kIndex ? null : 1)),
      );
    },
  );

  it('correlates the requested columns only, in the requested order', async () => {
    const report = await service().correlations(contextOf(analyst), {
      datasetId: dataset.id,
      columns: ['c', 'a'],
      method: 'spearman',
    });
    expect(report.result.columns).toEqual(['c', 'a']);
    expect(report.result.pairs.map((p) => [p.x, p.y])).toEqual([['c', 'a']]);
    checkAgainstPlain(report.result, rows, numeric, 'spearman');
  });

  it('ranks ties by their average rank (hand example, SciPy spearmanr)', async () => {
    const small = await createTestDataset(handle.db, {
      ownerId: analyst.id,
      columns: [
        { name: 'x', type: 'integer' },
        { name: 'y', type: 'integer' },
      ],
      rows: [
        [1, 1],
        [2, 3],
        [2, 2],
        [3, 4],
        [5, 4],
        [null, 9],
      ],
    });
    const report = await service().correlations(contextOf(analyst), {
      datasetId: small.id,
      method: 'spearman',
    });
    const pair = report.result.pairs[0]!;
    expect(pair.n).toBe(5);
    // ranks x = [1, 2.5, 2.5, 4, 5], y = [1, 3, 2, 4.5, 4.5]
    expectClose(pair.r, 0.9473684210526317, 1e-12, 'r');
    expectClose(pair.pValue, 0.014379533619930497, 1e-9, 'p');
  });

  it('stores the result as a report and emits correlation.calculated in the same transaction', async () => {
    const ctx = contextOf(analyst);
    const report = await service().correlations(ctx, { datasetId: dataset.id, method: 'pearson' });
    const stored = await service().getReport(contextOf(analyst), report.id);
    expect(stored).toEqual(report);
    const { rows: events } = await sql<{ type: string; payload: unknown; correlationId: string }>`
      select type, payload, correlation_id from axi.outbox where payload->>'reportId' = ${report.id}`.execute(
      handle.db,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toBe('correlation.calculated');
    expect(events[0]!.correlationId).toBe(ctx.correlationId);
    const payload =
      typeof events[0]!.payload === 'string' ? JSON.parse(events[0]!.payload) : events[0]!.payload;
    expect(payload).toEqual({
      reportId: report.id,
      datasetId: dataset.id,
      ownerId: analyst.id,
      method: 'pearson',
      columns: numeric,
    });
  });

  it('refuses non-numeric, unknown and repeated columns, naming each', async () => {
    const attempt = service().correlations(contextOf(analyst), {
      datasetId: dataset.id,
      columns: ['a', 'label', 'nope', 'a'],
      method: 'pearson',
    });
    await expect(attempt).rejects.toMatchObject({
      status: 400,
      code: 'invalid-column',
      fieldErrors: [
        { field: 'body.columns.1', message: 'column "label" is text, not numeric' },
        { field: 'body.columns.2', message: 'column "nope" does not exist' },
        { field: 'body.columns.3', message: 'column "a" is listed twice' },
      ],
    });
  });

  it('needs two numeric columns when none are named', async () => {
    const one = await createTestDataset(handle.db, {
      ownerId: analyst.id,
      columns: [
        { name: 'x', type: 'integer' },
        { name: 't', type: 'text' },
      ],
      rows: [[1, 'a']],
    });
    await expect(
      service().correlations(contextOf(analyst), { datasetId: one.id, method: 'pearson' }),
    ).rejects.toMatchObject({ status: 400, fieldErrors: [{ field: 'body.columns' }] });
  });

  it('needs the analyst or admin role, and a readable dataset', async () => {
    const input = { datasetId: dataset.id, method: 'pearson' as const };
    await expect(
      service().correlations(contextOf({ id: analyst.id, roles: ['viewer'] }), input),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      service().correlations(contextOf({ id: 'other', roles: ['analyst'] }), input),
    ).rejects.toMatchObject({
      status: 404,
    });
    const admin = await service().correlations(contextOf({ id: 'root', roles: ['admin'] }), input);
    expect(admin.ownerId).toBe('root');
  });
});

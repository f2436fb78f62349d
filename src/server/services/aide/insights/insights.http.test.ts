import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AideTestApp, expectProblem, startAideTestApp } from '../../../../../test/support/aide-app.js';
import { runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import {
  AnalyzeDatasetResponse,
  type Insight,
  InsightsResponse,
} from '../../../../contracts/aide/insights.js';
import type { Db } from '../../../platform/db/database.js';
import type { Runtime } from '../../../runtime.js';
import { numbersAreGrounded } from './grounding.js';

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;
const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

function pearson(xs: number[], ys: number[]): number {
  const mx = sum(xs) / xs.length;
  const my = sum(ys) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

// 120 sales over 2024, ten a month from the 1st to (in December) the 31st, so every month is full.
// Units grow month by month, Revenue follows Units closely, three of ten regions take 80% of the
// rows, and Discount is empty in every other row.
const regions = ['North', 'South', 'East', 'West', 'Centre', 'Coast', 'Hills', 'Lakes', 'Plains', 'Islands'];
const days = [1, 4, 7, 10, 13, 16, 19, 22, 25, 28];
const sales = Array.from({ length: 120 }, (_, i) => {
  const month = Math.floor(i / 10);
  const k = i % 10;
  const day = month === 11 && k === 9 ? 31 : days[k]!;
  const units = 5 + month * 2 + (k % 3);
  return {
    date: `2024-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    region: k < 8 ? regions[k % 3]! : regions[3 + ((month + k) % 7)]!,
    units,
    revenue: units * 10 + (k % 4) * 3.5,
    discount: i % 2 === 0 ? null : (i % 7) + 0.5,
  };
});
const salesCsv = [
  'Order Date,Region,Units,Revenue,Discount',
  ...sales.map((s) => `${s.date},${s.region},${s.units},${s.revenue},${s.discount ?? ''}`),
].join('\n');

// 40 rows with nothing to say: unique codes, eight even groups, two unrelated even spreads.
const plain = Array.from({ length: 40 }, (_, i) => ({
  code: `C${String(i).padStart(3, '0')}`,
  group: `G${i % 8}`,
  score: i % 10,
  level: Math.floor(i / 10),
}));
const plainCsv = [
  'Code,Group,Score,Level',
  ...plain.map((p) => `${p.code},${p.group},${p.score},${p.level}`),
].join('\n');

// 30 payments: two far too large, the rest 10..14; a country column that never changes.
const payments = Array.from({ length: 30 }, (_, i) => ({
  note: `n${i}`,
  country: 'DE',
  amount: i === 0 ? 900 : i === 1 ? 500 : 10 + (i % 5),
}));
const paymentsCsv = [
  'Note,Country,Amount',
  ...payments.map((p) => `${p.note},${p.country},${p.amount}`),
].join('\n');

/** Continuous quantile (linear interpolation between closest ranks), as PostgreSQL's percentile_cont. */
function quantile(values: number[], p: number): number {
  const xs = [...values].sort((a, b) => a - b);
  const pos = p * (xs.length - 1);
  const lo = Math.floor(pos);
  return xs[lo]! + (pos - lo) * ((xs[lo + 1] ?? xs[lo]!) - xs[lo]!);
}

describe.each(runtimeTargets())('AIDE insights over HTTP on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let db: Db;
  let salesId: string;
  let plainId: string;
  let paymentsId: string;
  let headers: AideTestApp['headers'];

  beforeAll(async () => {
    const started = await startAideTestApp(await target.env());
    ({ runtime, app, db, headers } = started);
    salesId = await started.upload('sales', salesCsv);
    plainId = await started.upload('plain', plainCsv);
    paymentsId = await started.upload('payments', paymentsCsv);
  });

  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const generate = (datasetId: string, who: keyof AideTestApp['headers'] = 'alice') =>
    app.inject({
      method: 'POST',
      url: `/api/aide/insights/${datasetId}`,
      headers: headers[who],
    });

  async function insightsOf(datasetId: string): Promise<Insight[]> {
    const res = await generate(datasetId);
    expect(res.statusCode, res.body).toBe(200);
    const body = InsightsResponse.parse(res.json());
    // No LLM configured: the templates wrote every text, and nothing was asked of a model.
    expect(body).toMatchObject({ provider: 'builtin', model: null, promptVersion: 'builtin-1' });
    expect(body.fallback).toBeUndefined();
    expect(body.usage).toBeUndefined();
    expect(body.insights.every((i) => i.rephrased === false)).toBe(true);
    return body.insights;
  }

  it('finds the correlation, the growth, the concentration and the empty column, with true numbers', async () => {
    const insights = await insightsOf(salesId);
    expect(insights.map((i) => i.kind).sort()).toEqual([
      'concentration',
      'correlation',
      'data_quality',
      'trend',
    ]);
    const scores = insights.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const byKind = new Map(insights.map((i) => [i.kind, i]));

    const correlation = byKind.get('correlation')!;
    expect([correlation.facts.x, correlation.facts.y].sort()).toEqual(['Revenue', 'Units']);
    const r = pearson(
      sales.map((s) => s.units),
      sales.map((s) => s.revenue),
    );
    expect(correlation.facts.r).toBeCloseTo(round(r, 3), 9);
    expect(correlation.facts.n).toBe(120);
    expect(correlation.chart.type).toBe('scatter');

    const trend = byKind.get('trend')!;
    const column = trend.facts.column as 'Units' | 'Revenue';
    expect(['Units', 'Revenue']).toContain(column);
    const key = column === 'Units' ? 'units' : 'revenue';
    const monthTotal = (m: string) => sum(sales.filter((s) => s.date.startsWith(m)).map((s) => s[key]));
    const [jan, dec] = [monthTotal('2024-01'), monthTotal('2024-12')];
    expect(trend.facts).toMatchObject({
      timeColumn: 'Order Date',
      firstMonth: '2024-01',
      lastMonth: '2024-12',
      fullMonths: 12,
    });
    expect(trend.facts.firstTotal).toBeCloseTo(jan, 6);
    expect(trend.facts.lastTotal).toBeCloseTo(dec, 6);
    expect(trend.facts.changePct).toBeCloseTo(round(((dec - jan) / jan) * 100, 1), 6);
    // Units grow faster than Revenue, whose per-row extra does not grow: the larger change is shown.
    expect(column).toBe('Units');
    expect(trend.chart).toMatchObject({ type: 'line', x: 'month', y: 'Units' });
    expect(trend.chart.data).toHaveLength(12);

    const concentration = byKind.get('concentration')!;
    expect(concentration.facts.column).toBe('Region');
    const measure = concentration.facts.measure as string;
    const measureKey = { Units: 'units', Revenue: 'revenue', Discount: 'discount' } as const;
    const measured = (s: (typeof sales)[number]) =>
      measure === 'rows' ? 1 : (s[measureKey[measure as keyof typeof measureKey]] ?? 0);
    const perRegion = new Map<string, number>();
    for (const s of sales) perRegion.set(s.region, (perRegion.get(s.region) ?? 0) + measured(s));
    const ranked = [...perRegion.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const total = sum([...perRegion.values()]);
    expect(concentration.facts).toMatchObject({ topK: 3, categories: 10 });
    expect([concentration.facts.top1, concentration.facts.top2, concentration.facts.top3]).toEqual(
      ranked.slice(0, 3).map(([region]) => region),
    );
    expect(concentration.facts.total).toBeCloseTo(total, 6);
    expect(concentration.facts.sharePct).toBeCloseTo(
      round((sum(ranked.slice(0, 3).map(([, v]) => v)) / total) * 100, 1),
      6,
    );

    const quality = byKind.get('data_quality')!;
    expect(quality.facts).toMatchObject({ column: 'Discount', nulls: 60, rows: 120, nullPct: 50 });

    for (const insight of insights) {
      expect(numbersAreGrounded(insight.explanation, insight.facts), insight.explanation).toBe(true);
      expect(numbersAreGrounded(insight.title, insight.facts), insight.title).toBe(true);
      expect(insight.chart.data.length).toBeGreaterThan(0);
      expect(insight.chart.data.length).toBeLessThanOrEqual(50);
    }
  });

  it('returns no invented insights for a dataset with nothing notable', async () => {
    // The premise, checked: no correlation worth naming, no date, no empty cell, even groups.
    expect(
      Math.abs(
        pearson(
          plain.map((p) => p.score),
          plain.map((p) => p.level),
        ),
      ),
    ).toBeLessThan(0.3);
    expect(await insightsOf(plainId)).toEqual([]);
  });

  it('finds outliers beyond 1.5 IQR and a constant column, with true numbers', async () => {
    const insights = await insightsOf(paymentsId);
    expect(insights.map((i) => i.kind)).toEqual(['outliers', 'data_quality']);
    const amounts = payments.map((p) => p.amount);
    const [q1, q3] = [quantile(amounts, 0.25), quantile(amounts, 0.75)];
    const [lower, upper] = [q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)];
    const outside = amounts.filter((a) => a < lower || a > upper);
    expect(insights[0]!.facts).toMatchObject({
      column: 'Amount',
      outliers: outside.length,
      values: 30,
      sharePct: round((outside.length / 30) * 100, 1),
      extreme1: 900,
      extreme2: 500,
    });
    expect(outside).toHaveLength(2);
    expect(insights[0]!.facts.lowerFence).toBeCloseTo(round(lower, 2), 9);
    expect(insights[0]!.facts.upperFence).toBeCloseTo(round(upper, 2), 9);
    expect(insights[1]!.facts).toMatchObject({ column: 'Country', values: 30 });
    for (const insight of insights)
      expect(numbersAreGrounded(insight.explanation, insight.facts), insight.explanation).toBe(true);
  });

  it('announces insight.generated in the outbox with the kinds and count', async () => {
    await insightsOf(salesId);
    const events = await db
      .selectFrom('aide.outbox')
      .select(['payload', 'sourceService'])
      .where('type', '=', 'insight.generated')
      .execute();
    const payloads = events.map((e) => (typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload));
    const mine = payloads.find((p) => p.datasetId === salesId);
    expect(mine).toBeDefined();
    expect(mine.count).toBe(4);
    expect([...mine.kinds].sort()).toEqual(['concentration', 'correlation', 'data_quality', 'trend']);
    expect(Object.keys(mine).sort()).toEqual(['count', 'datasetId', 'kinds', 'userId']);
    expect(events[0]!.sourceService).toBe('aide');
  });

  it('summarises every column from the stored profile, and computes the same without it', async () => {
    const analyze = async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/aide/analyze-dataset',
        headers: headers.alice,
        payload: { datasetId: salesId },
      });
      expect(res.statusCode, res.body).toBe(200);
      return AnalyzeDatasetResponse.parse(res.json());
    };
    const check = (body: AnalyzeDatasetResponse) => {
      expect(body.rowCount).toBe(120);
      const col = new Map(body.columns.map((c) => [c.originalName, c]));
      const units = sales.map((s) => s.units);
      expect(col.get('Units')).toMatchObject({
        type: 'integer',
        nulls: 0,
        min: Math.min(...units),
        max: Math.max(...units),
      });
      expect(col.get('Units')!.mean).toBeCloseTo(sum(units) / units.length, 9);
      expect(col.get('Discount')).toMatchObject({ nulls: 60, count: 60 });
      expect(col.get('Discount')!.explanation).toMatch(/empty in 60 of 120 rows \(50%\)/);
      expect(col.get('Region')).toMatchObject({ type: 'text', distinct: 10 });
      // North is every row with k in {0, 3, 6}: three a month.
      expect(col.get('Region')!.topValues[0]).toEqual({
        value: 'North',
        count: sales.filter((s) => s.region === 'North').length,
      });
      expect(sales.filter((s) => s.region === 'North')).toHaveLength(36);
      expect(col.get('Order Date')).toMatchObject({ type: 'date', min: '2024-01-01', max: '2024-12-31' });
      for (const c of body.columns) expect(c.explanation.length).toBeGreaterThan(10);
      expect(body.summary).toMatch(/120 rows and 5 columns/);
      return body.columns;
    };
    const first = await analyze();
    const fromFirst = check(first);
    // Without AXI's stored profile the summary is computed from the rows, to the same numbers.
    await db.deleteFrom('axi.datasetProfiles').where('datasetId', '=', salesId).execute();
    const second = await analyze();
    expect(second.source).toBe('computed');
    expect(check(second).map((c) => c.explanation)).toEqual(fromFirst.map((c) => c.explanation));
  });

  it("hides another user's dataset (404), lets an admin in, and needs the analyst role (403)", async () => {
    expectProblem(await generate(salesId, 'bob'), 404, '/problems/not-found');
    expect((await generate(salesId, 'admin')).statusCode).toBe(200);
    expectProblem(await generate(salesId, 'aliceViewer'), 403, '/problems/forbidden');
    expectProblem(
      await app.inject({ method: 'POST', url: `/api/aide/insights/${salesId}` }),
      401,
      '/problems/unauthenticated',
    );
    const analyzeAs = (who: keyof AideTestApp['headers']) =>
      app.inject({
        method: 'POST',
        url: '/api/aide/analyze-dataset',
        headers: headers[who],
        payload: { datasetId: salesId },
      });
    expectProblem(await analyzeAs('bob'), 404, '/problems/not-found');
    expectProblem(await analyzeAs('aliceViewer'), 403, '/problems/forbidden');
  });

  it('answers bad input with a 400 problem naming the field', async () => {
    const bad = expectProblem(await generate('not-a-uuid'), 400, '/problems/validation-error');
    expect(bad.errors?.map((e) => e.field)).toContain('params.dataset_id');
    const body = expectProblem(
      await app.inject({
        method: 'POST',
        url: '/api/aide/analyze-dataset',
        headers: headers.alice,
        payload: {},
      }),
      400,
      '/problems/validation-error',
    );
    expect(body.errors?.map((e) => e.field)).toContain('body.datasetId');
  });

  it('documents its endpoints in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/api/aide/insights/{dataset_id}'].post.responses).toHaveProperty('200');
    expect(doc.paths['/api/aide/analyze-dataset'].post.requestBody).toBeDefined();
  });
});

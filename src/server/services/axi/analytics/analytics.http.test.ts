import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cell, createTestDataset } from '../../../../../test/support/axi-datasets.js';
import { runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import { startTestRuntime } from '../../../../../test/support/test-runtime.js';
import { createTestIssuer } from '../../../../../test/support/tokens.js';
import {
  CohortReport,
  CorrelationReport,
  DatasetProfile,
  ReportList,
} from '../../../../contracts/axi/analytics.js';
import type { Db } from '../../../platform/db/database.js';
import type { Runtime } from '../../../runtime.js';
import type { DatasetRecord } from '../datasets/dataset-record.js';

function expectProblem(res: LightMyRequestResponse, status: number, type: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.type).toBe(type);
  return body as { detail?: string; errors?: { field: string; message: string }[] };
}

const columns = [
  { name: 'customer', type: 'text' as const },
  { name: 'ordered_at', type: 'timestamp' as const },
  { name: 'amount', type: 'double' as const },
  { name: 'items', type: 'integer' as const },
];

function orders(): Cell[][] {
  return Array.from({ length: 60 }, (_, i) => [
    `c${i % 12}`,
    new Date(Date.UTC(2024, 0, 1 + (i % 12) + Math.floor(i / 12) * 20)),
    i % 7 === 0 ? null : 10 + i * 1.5,
    1 + (i % 4),
  ]);
}

describe.each(runtimeTargets())('AXI analytics over HTTP on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let db: Db;
  let dataset: DatasetRecord;
  const alice = randomUUID();
  const bob = randomUUID();
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    const issuer = await createTestIssuer();
    runtime = await startTestRuntime(await target.env(), { tokenKeys: () => issuer.jwks });
    app = runtime.apps[0]!.app;
    db = runtime.databases.get('axi')!.db;
    for (const [key, sub, roles] of [
      ['alice', alice, ['analyst']],
      ['bob', bob, ['analyst']],
      ['aliceViewer', alice, ['viewer']],
    ] as const) {
      headers[key] = { authorization: `Bearer ${await issuer.token({ sub, roles: [...roles] })}` };
    }
    dataset = await createTestDataset(db, { ownerId: alice, columns, rows: orders() });
  });

  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const post = (url: string, payload: unknown, who: string | null = 'alice') =>
    app.inject({ method: 'POST', url, headers: who ? headers[who] : {}, payload: payload as object });
  const get = (url: string, who: string | null = 'alice') =>
    app.inject({ method: 'GET', url, headers: who ? headers[who] : {} });

  it('serves the summary to the owner, whatever their role, and to nobody else', async () => {
    const res = await get(`/api/v1/datasets/${dataset.id}/summary`, 'aliceViewer');
    expect(res.statusCode, res.body).toBe(200);
    const profile = DatasetProfile.parse(res.json());
    expect(profile.rowCount).toBe(60);
    expect(profile.columns.find((c) => c.name === 'amount')).toMatchObject({ count: 51, nulls: 9 });
    expect(profile.columns.find((c) => c.name === 'customer')).toMatchObject({
      kind: 'categorical',
      distinct: 12,
    });
    expectProblem(await get(`/api/v1/datasets/${dataset.id}/summary`, 'bob'), 404, '/problems/not-found');
    expectProblem(
      await get(`/api/v1/datasets/${dataset.id}/summary`, null),
      401,
      '/problems/unauthenticated',
    );
    const bad = expectProblem(
      await get('/api/v1/datasets/not-a-uuid/summary'),
      400,
      '/problems/validation-error',
    );
    expect(bad.errors?.[0]?.field).toBe('params.id');
  });

  it('computes a correlation matrix for an analyst and stores it as a report', async () => {
    const res = await post('/api/v1/analytics/correlations', { datasetId: dataset.id, method: 'spearman' });
    expect(res.statusCode, res.body).toBe(201);
    const report = CorrelationReport.parse(res.json());
    expect(report.result.columns).toEqual(['amount', 'items']);
    expect(report.result.pairs[0]!.n).toBe(51);
    const again = await get(`/api/v1/analytics/reports/${report.id}`);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(res.json());
  });

  it('answers bad correlation requests with problem details', async () => {
    const wrongColumn = expectProblem(
      await post('/api/v1/analytics/correlations', {
        datasetId: dataset.id,
        columns: ['amount', 'customer'],
      }),
      400,
      '/problems/invalid-column',
    );
    expect(wrongColumn.errors).toEqual([
      { field: 'body.columns.1', message: 'column "customer" is text, not numeric' },
    ]);
    const badMethod = expectProblem(
      await post('/api/v1/analytics/correlations', { datasetId: dataset.id, method: 'kendall' }),
      400,
      '/problems/validation-error',
    );
    expect(badMethod.errors?.[0]?.field).toBe('body.method');
    expectProblem(
      await post('/api/v1/analytics/correlations', { datasetId: dataset.id }, 'aliceViewer'),
      403,
      '/problems/forbidden',
    );
    expectProblem(
      await post('/api/v1/analytics/correlations', { datasetId: dataset.id }, null),
      401,
      '/problems/unauthenticated',
    );
    expectProblem(
      await post('/api/v1/analytics/correlations', { datasetId: dataset.id }, 'bob'),
      404,
      '/problems/not-found',
    );
  });

  it('computes a cohort matrix and refuses a time column that is not a date', async () => {
    const res = await post('/api/v1/analytics/cohorts', {
      datasetId: dataset.id,
      entityColumn: 'customer',
      timeColumn: 'ordered_at',
      period: 'week',
      valueColumn: 'amount',
    });
    expect(res.statusCode, res.body).toBe(201);
    const report = CohortReport.parse(res.json());
    expect(report.result.entities).toBe(12);
    expect(report.result.cohorts.reduce((n, c) => n + c.size, 0)).toBe(12);
    const bad = expectProblem(
      await post('/api/v1/analytics/cohorts', {
        datasetId: dataset.id,
        entityColumn: 'customer',
        timeColumn: 'amount',
        period: 'week',
      }),
      400,
      '/problems/invalid-column',
    );
    expect(bad.errors?.[0]?.field).toBe('body.timeColumn');
  });

  it("lists the caller's reports newest first, page by page, and hides others' reports", async () => {
    const mine = await get('/api/v1/analytics/reports?limit=100');
    const list = ReportList.parse(mine.json());
    expect(list.total).toBeGreaterThanOrEqual(2);
    expect(list.items.every((r) => r.ownerId === alice)).toBe(true);
    const times = list.items.map((r) => r.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const page = ReportList.parse((await get('/api/v1/analytics/reports?limit=1&offset=1')).json());
    expect(page.items.map((r) => r.id)).toEqual([list.items[1]!.id]);
    expect(page).toMatchObject({ limit: 1, offset: 1, total: list.total });
    const cohort = list.items.find((r) => r.kind === 'cohort');
    expect(cohort?.params).toEqual({
      datasetId: dataset.id,
      entityColumn: 'customer',
      timeColumn: 'ordered_at',
      period: 'week',
      valueColumn: 'amount',
    });
    expect(list.items.find((r) => r.kind === 'correlation')?.params).toEqual({
      datasetId: dataset.id,
      method: 'spearman',
    });
    const bobs = ReportList.parse((await get('/api/v1/analytics/reports', 'bob')).json());
    expect(bobs.total).toBe(0);
    expectProblem(
      await get(`/api/v1/analytics/reports/${list.items[0]!.id}`, 'bob'),
      404,
      '/problems/not-found',
    );
    expectProblem(await get('/api/v1/analytics/reports?limit=1000'), 400, '/problems/validation-error');
  });

  it('profiles an uploaded CSV: the summary of a real upload', async () => {
    const csv = [
      'id,price,city,day',
      '1,2.5,Oslo,2024-01-01',
      '2,,Oslo,2024-01-02',
      '3,4.5,Rome,',
      '4,6.5,,2024-01-02',
    ].join('\n');
    const uploaded = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload',
      headers: {
        ...headers.alice,
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="t.csv"',
      },
      payload: csv,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { dataset: created } = uploaded.json() as { dataset: { id: string } };
    const res = await get(`/api/v1/datasets/${created.id}/summary`);
    expect(res.statusCode, res.body).toBe(200);
    const profile = DatasetProfile.parse(res.json());
    expect(profile.rowCount).toBe(4);
    const byName = new Map(profile.columns.map((c) => [c.originalName, c]));
    expect(byName.get('price')).toMatchObject({
      kind: 'numeric',
      count: 3,
      nulls: 1,
      mean: 4.5,
      median: 4.5,
    });
    expect(byName.get('city')).toMatchObject({
      kind: 'categorical',
      distinct: 2,
      topValues: [
        { value: 'Oslo', count: 2 },
        { value: 'Rome', count: 1 },
      ],
    });
    expect(byName.get('day')).toMatchObject({
      kind: 'temporal',
      min: '2024-01-01',
      max: '2024-01-02',
      period: 'day',
    });
  });

  it('documents every analytics endpoint in OpenAPI under its tag', async () => {
    const spec = (await get('/openapi.json', null)).json() as {
      paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>>;
    };
    const operations = [
      ['/api/v1/datasets/{id}/summary', 'get'],
      ['/api/v1/analytics/correlations', 'post'],
      ['/api/v1/analytics/cohorts', 'post'],
      ['/api/v1/analytics/reports', 'get'],
      ['/api/v1/analytics/reports/{id}', 'get'],
    ] as const;
    for (const [path, method] of operations) {
      const operation = spec.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation!.tags).toEqual(['axi: analytics']);
      expect(Object.keys(operation!.responses)).toContain('401');
    }
  });
});

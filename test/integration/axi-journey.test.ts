import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/server/platform/db/database.js';
import type { Runtime } from '../../src/server/runtime.js';
import { runtimeTargets } from '../support/runtime-targets.js';
import { startTestRuntime } from '../support/test-runtime.js';
import { waitFor } from '../support/wait-for.js';

const maxUploadBytes = 4_000;

/** An analyst's whole day with AXI's own tokens (no test issuer): sign up to sign out. */
describe.each(runtimeTargets())('AXI end to end on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let db: Db;
  let auth: Record<string, string>;

  beforeAll(async () => {
    runtime = await startTestRuntime({
      ...(await target.env()),
      AXI_UPLOAD_MAX_BYTES: String(maxUploadBytes),
    });
    app = runtime.apps[0]!.app;
    db = runtime.databases.get('axi')!.db;
    const register = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'ana@example.com', password: 'correct-Horse-battery-77', displayName: 'Ana' },
    });
    expect(register.statusCode, register.body).toBe(201);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { email: 'ana@example.com', password: 'correct-Horse-battery-77' },
    });
    expect(login.statusCode, login.body).toBe(200);
    auth = { authorization: `Bearer ${login.json().accessToken}` };
  });

  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const datasetState = async () => ({
    tables: (
      await sql<{
        n: number;
      }>`select count(*)::int as n from information_schema.tables where table_schema = 'axi_data'`.execute(db)
    ).rows[0]!.n,
    datasets: Number(
      (
        await db
          .selectFrom('axi.datasets')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });

  const orders = [
    'customer,order_date,amount,items',
    'c1,2025-01-03,10,1',
    'c2,2025-01-20,20,2',
    'c1,2025-02-11,15,2',
    'c3,2025-02-14,30,4',
    'c2,2025-03-02,25,3',
    'c1,2025-03-09,12,1',
  ].join('\n');

  it('uploads, profiles, correlates, follows cohorts and lists the reports', async () => {
    const upload = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload?name=Orders',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: orders,
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const id = upload.json().dataset.id;

    const summary = await app.inject({ url: `/api/v1/datasets/${id}/summary`, headers: auth });
    expect(summary.statusCode, summary.body).toBe(200);
    const amount = summary.json().columns.find((c: { name: string }) => c.name === 'amount');
    expect(amount).toMatchObject({ count: 6, min: 10, max: 30, mean: 112 / 6 });

    const correlation = await app.inject({
      method: 'POST',
      url: '/api/v1/analytics/correlations',
      headers: auth,
      payload: { datasetId: id, columns: ['amount', 'items'], method: 'pearson' },
    });
    expect(correlation.statusCode, correlation.body).toBe(201);

    const cohorts = await app.inject({
      method: 'POST',
      url: '/api/v1/analytics/cohorts',
      headers: auth,
      payload: { datasetId: id, entityColumn: 'customer', timeColumn: 'order_date', period: 'month' },
    });
    expect(cohorts.statusCode, cohorts.body).toBe(201);

    const reports = await app.inject({ url: '/api/v1/analytics/reports', headers: auth });
    expect(
      reports
        .json()
        .items.map((r: { kind: string }) => r.kind)
        .sort(),
    ).toEqual(['cohort', 'correlation']);
  });

  it('lets a read-only API key read but not upload', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: auth,
      payload: { name: 'reporting job', scopes: ['datasets:read'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const key = { 'x-api-key': created.json().key };
    const list = await app.inject({ url: '/api/v1/datasets', headers: key });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().total).toBeGreaterThan(0);
    const upload = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload',
      headers: { ...key, 'content-type': 'text/csv' },
      payload: orders,
    });
    expect(upload.statusCode, upload.body).toBe(403);

    const writer = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: auth,
      payload: { name: 'loader', scopes: ['datasets:write', 'datasets:read'] },
    });
    const writerKey = { 'x-api-key': writer.json().key };
    const datasetId = list.json().items[0].id;
    const correlate = await app.inject({
      method: 'POST',
      url: '/api/v1/analytics/correlations',
      headers: writerKey,
      payload: { datasetId, columns: ['amount', 'items'] },
    });
    expect(correlate.statusCode, correlate.body).toBe(403);
    expect(correlate.json().detail).toMatch(/analytics:run/);
    const events = await app.inject({ url: '/api/echo/events', headers: writerKey });
    expect(events.statusCode, events.body).toBe(403);
  });

  it.each([
    ['an empty file', '', 422, '/problems/empty-file'],
    [
      'a binary file',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
      422,
      '/problems/not-csv',
    ],
    [
      'a file over the size limit',
      `a,b\n${'1,2\n'.repeat(maxUploadBytes / 4)}`,
      413,
      '/problems/upload-too-large',
    ],
  ])('refuses %s with a clear problem and stores nothing', async (_what, payload, status, type) => {
    const before = await datasetState();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload,
    });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ type, status });
    expect(await datasetState()).toEqual(before);
  });

  it('answers a too-large upload while the body is still coming, and closes the connection', async () => {
    const { port } = new URL(runtime.apps[0]!.url);
    const answer = await new Promise<{ status: number; connection: string | undefined }>(
      (resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/datasets/upload',
          headers: { ...auth, 'content-type': 'text/csv', 'content-length': String(maxUploadBytes * 100) },
        });
        req.on('response', (res) => {
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
          res.resume();
          req.destroy();
        });
        req.on('error', reject);
        // More than the limit, but far less than announced: the server must not wait for the rest.
        req.write(`a,b\n${'1,2\n'.repeat(maxUploadBytes / 2)}`);
      },
    );
    expect(answer).toEqual({ status: 413, connection: 'close' });
  });

  it('accepts a header-only file as an empty dataset', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: 'id,name\n',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().dataset).toMatchObject({ rowCount: 0 });
    expect(res.json().dataset.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'name']);
  });

  it('leaves nothing behind when the client goes away mid-upload', async () => {
    const before = await datasetState();
    const spools = () => readdirSync(tmpdir()).filter((f) => f.startsWith('axi-upload-')).length;
    const spoolsBefore = spools();
    const { port } = new URL(runtime.apps[0]!.url);
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/datasets/upload',
        headers: { ...auth, 'content-type': 'text/csv', 'content-length': String(maxUploadBytes - 10) },
      });
      req.on('error', () => resolve());
      req.write('a,b\n1,2\n3,4\n');
      // The server is reading the body when the connection drops.
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 200);
    });
    await waitFor(async () => spools() === spoolsBefore, { what: 'the spool file to be removed' });
    expect(await datasetState()).toEqual(before);
  });

  it("shows an upload's progress while it is still arriving", async () => {
    const uploadId = crypto.randomUUID();
    const head = 'n,label\n';
    const rows = Array.from({ length: 150 }, (_, i) => `${i},row ${i}\n`).join('');
    const { port } = new URL(runtime.apps[0]!.url);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: `/api/v1/datasets/upload?upload_id=${uploadId}`,
      headers: { ...auth, 'content-type': 'text/csv', 'content-length': String(head.length + rows.length) },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write(head + rows.slice(0, 1000));
    const midway = await waitFor(async () => {
      const res = await app.inject({ url: `/api/v1/datasets/uploads/${uploadId}`, headers: auth });
      const progress = res.statusCode === 200 ? (res.json() as { bytes: number }) : undefined;
      return progress && progress.bytes > 0 ? progress : undefined;
    });
    expect(midway).toMatchObject({
      phase: 'receiving',
      totalBytes: head.length + rows.length,
      datasetId: null,
    });
    expect(midway.bytes).toBeLessThan(head.length + rows.length);
    req.end(rows.slice(1000));
    const done = await answered;
    expect(done.status, done.body).toBe(201);
    expect(JSON.parse(done.body).dataset.rowCount).toBe(150);
  });

  it('signs out: the refresh token no longer works', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { email: 'ana@example.com', password: 'correct-Horse-battery-77', includeRefreshToken: true },
    });
    const { refreshToken, accessToken } = login.json();
    const logout = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${accessToken}` },
      payload: { refreshToken },
    });
    expect(logout.statusCode, logout.body).toBeLessThan(300);
    const refresh = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it('documents every AXI endpoint in OpenAPI', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json();
    const paths = Object.keys(spec.paths);
    for (const path of [
      '/api/v1/auth/register',
      '/api/v1/auth/token',
      '/api/v1/auth/refresh',
      '/api/v1/auth/logout',
      '/api/v1/users/me',
      '/api/v1/datasets/upload',
      '/api/v1/datasets/preview',
      '/api/v1/datasets',
      '/api/v1/datasets/{id}',
      '/api/v1/datasets/{id}/rows',
      '/api/v1/datasets/{id}/export',
      '/api/v1/datasets/{id}/summary',
      '/api/v1/analytics/correlations',
      '/api/v1/analytics/cohorts',
      '/api/v1/analytics/reports',
      '/.well-known/jwks.json',
    ]) {
      expect(paths).toContain(path);
    }
  });
});

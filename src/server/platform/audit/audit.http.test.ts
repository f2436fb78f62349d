import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeTargets } from '../../../../test/support/runtime-targets.js';
import { startTestRuntime } from '../../../../test/support/test-runtime.js';
import type { Runtime } from '../../runtime.js';
import { axiModule } from '../../services/axi/index.js';

const password = 'velvet-Harbour-quietly-47';

interface Row {
  action: string;
  userId: string | null;
  sessionId: string | null;
  correlationId: string | null;
  schemaVersion: number;
  metadata: Record<string, unknown>;
}

describe.each(runtimeTargets())('platform audit events reach MLOG on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;

  beforeAll(async () => {
    runtime = await startTestRuntime(await target.env());
    app = runtime.apps[0]!.app;
  });
  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const post = (url: string, payload: Record<string, unknown>, ip: string) =>
    app.inject({ method: 'POST', url, payload, remoteAddress: ip });

  it('records register, login, a failed login and logout from AXI in mlog.events', async () => {
    const email = 'audit.subject@example.com';
    const reg = await post('/api/v1/auth/register', { email, password }, '10.9.0.1');
    expect(reg.statusCode, reg.body).toBe(201);
    const userId = reg.json().id as string;
    const wrong = await post('/api/v1/auth/token', { email, password: 'not-the-Password-1234' }, '10.9.0.2');
    expect(wrong.statusCode).toBe(401);
    const login = await post(
      '/api/v1/auth/token',
      { email, password, includeRefreshToken: true },
      '10.9.0.3',
    );
    expect(login.statusCode, login.body).toBe(200);
    const { refreshToken } = login.json() as { refreshToken: string };
    const logout = await post('/api/v1/auth/logout', { refreshToken }, '10.9.0.4');
    expect(logout.statusCode, logout.body).toBe(204);

    await runtime.audit.flush();
    const { rows } = await sql<Row>`
      select action, user_id, session_id, correlation_id, schema_version, metadata
        from mlog.events where service = 'axi' and user_id = ${userId} order by ts`.execute(
      runtime.databases.get('mlog')!.db,
    );
    expect(rows.map((r) => r.action)).toEqual(['register', 'login.failed', 'login', 'logout']);
    const [registered, failed, signedIn, signedOut] = rows;
    expect(registered!.correlationId).toBe(reg.headers['x-correlation-id']);
    expect(failed!.metadata).toEqual({ reason: 'wrong_password' });
    expect(signedIn).toMatchObject({ schemaVersion: 2, correlationId: login.headers['x-correlation-id'] });
    // The sign-in's session id is the refresh-token family, which logout ends.
    expect(signedIn!.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(signedOut!.sessionId).toBe(signedIn!.sessionId);
    expect(JSON.stringify(rows)).not.toContain(password);
    expect(JSON.stringify(rows)).not.toContain(refreshToken);

    const sent = await runtime.metrics.registry.getSingleMetric('audit_events_sent_total')!.get();
    expect(sent.values[0]!.value).toBeGreaterThanOrEqual(4);
  });

  it('records an upload with its dataset and rows, and the deletion', async () => {
    const email = 'audit.uploader@example.com';
    expect((await post('/api/v1/auth/register', { email, password }, '10.9.1.1')).statusCode).toBe(201);
    const login = await post('/api/v1/auth/token', { email, password }, '10.9.1.2');
    const auth = { authorization: `Bearer ${(login.json() as { accessToken: string }).accessToken}` };
    const uploaded = await app.inject({
      method: 'POST',
      url: '/api/v1/datasets/upload',
      headers: { ...auth, 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="a.csv"' },
      payload: 'a,b\n1,2\n3,4\n',
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const datasetId = (uploaded.json() as { dataset: { id: string } }).dataset.id;
    const removed = await app.inject({
      method: 'DELETE',
      url: `/api/v1/datasets/${datasetId}`,
      headers: auth,
    });
    expect(removed.statusCode, removed.body).toBe(204);

    await runtime.audit.flush();
    const { rows } = await sql<Row>`
      select action, metadata from mlog.events
       where service = 'axi' and action in ('upload', 'dataset.deleted') and metadata->>'datasetId' = ${datasetId}
       order by ts`.execute(runtime.databases.get('mlog')!.db);
    expect(rows.map((r) => r.action)).toEqual(['upload', 'dataset.deleted']);
    expect(rows[0]!.metadata).toMatchObject({ datasetId, rows: 2, rejectedRows: 0 });
  });
});

describe('platform audit without MLOG in the process', () => {
  it('counts the events as dropped (no_sink) and answers the request as usual', async () => {
    const runtime = await startTestRuntime({}, { modules: [axiModule] });
    try {
      const app = runtime.apps[0]!.app;
      const reg = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email: 'no.mlog@example.com', password },
      });
      expect(reg.statusCode, reg.body).toBe(201);
      await runtime.audit.flush();
      const dropped = await runtime.metrics.registry.getSingleMetric('audit_events_dropped_total')!.get();
      expect(dropped.values).toContainEqual(
        expect.objectContaining({ labels: { reason: 'no_sink' }, value: 1 }),
      );
    } finally {
      await runtime.close();
    }
  });
});

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import { startTestRuntime } from '../../../../../test/support/test-runtime.js';
import { createTestIssuer, headersByRole } from '../../../../../test/support/tokens.js';
import { waitFor } from '../../../../../test/support/wait-for.js';
import type { Db } from '../../../platform/db/database.js';
import type { Runtime } from '../../../runtime.js';
import { createDayPartition } from '../events/events.repository.js';

describe.each(runtimeTargets())('MLOG lifecycle over HTTP on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let db: Db;
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    const issuer = await createTestIssuer();
    runtime = await startTestRuntime(await target.env(), { tokenKeys: () => issuer.jwks });
    app = runtime.apps[0]!.app;
    db = runtime.databases.get('mlog')!.db;
    Object.assign(headers, await headersByRole(issuer));
    await sql`
      insert into mlog.daily_metrics (day, service, action, count, distinct_users, refreshed_at) values
        ('2026-01-01', 'axi', 'login', 10, 3, now()),
        ('2026-01-02', 'axi', 'login', 7, 2, now()),
        ('2026-01-02', 'aide', 'query', 4, 1, now()),
        ('2026-01-05', 'axi', 'login', 1, 1, now())`.execute(db);
    await sql`
      insert into mlog.user_sessions (user_id, service, session_id, started_at, ended_at, events) values
        ('u1', 'axi', null, '2026-01-01T10:00:00Z', '2026-01-01T10:20:00Z', 3),
        ('u1', 'aide', 's-9', '2026-01-02T10:00:00Z', '2026-01-02T12:00:00Z', 5),
        ('u2', 'axi', null, '2026-01-01T10:00:00Z', '2026-01-01T10:05:00Z', 2)`.execute(db);
    await sql`
      insert into mlog.anomalies (service, action, minute, count, baseline_mean, baseline_stddev, z_score, detected_at)
      values ('axi', 'error', '2026-01-02T10:00:00Z', 80, 2.5, 1.2, 24.9, '2026-01-02T10:01:05Z')`.execute(
      db,
    );
    // An expired day partition (the default retention is 90 days) holding two events.
    await createDayPartition(db, '20200101');
    await sql`
      insert into mlog.events (id, ts, received_at, service, action, schema_version, metadata)
      select gen_random_uuid(), '2020-01-01T05:00:00Z', now(), 'axi', 'login', 1, '{}'::jsonb
      from generate_series(1, 2)`.execute(db);
  });

  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  it('serves daily metrics to analysts, filtered by day range and service', async () => {
    const res = await app.inject({
      url: '/api/mlog/metrics/daily?from=2026-01-01&to=2026-01-02&service=axi',
      headers: headers.analyst,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      { day: '2026-01-01', service: 'axi', action: 'login', count: 10, distinctUsers: 3 },
      { day: '2026-01-02', service: 'axi', action: 'login', count: 7, distinctUsers: 2 },
    ]);
  });

  it('refuses anonymous and viewer callers, and a malformed day', async () => {
    const url = '/api/mlog/metrics/daily?from=2026-01-01&to=2026-01-02';
    expect((await app.inject({ url })).statusCode).toBe(401);
    expect((await app.inject({ url, headers: headers.viewer })).statusCode).toBe(403);
    const bad = await app.inject({
      url: '/api/mlog/metrics/daily?from=yesterday&to=2026-01-02',
      headers: headers.admin,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it("lists a user's sessions newest first", async () => {
    const res = await app.inject({ url: '/api/mlog/sessions?user_id=u1', headers: headers.analyst });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      {
        userId: 'u1',
        service: 'aide',
        sessionId: 's-9',
        startedAt: '2026-01-02T10:00:00.000Z',
        endedAt: '2026-01-02T12:00:00.000Z',
        events: 5,
      },
      {
        userId: 'u1',
        service: 'axi',
        sessionId: null,
        startedAt: '2026-01-01T10:00:00.000Z',
        endedAt: '2026-01-01T10:20:00.000Z',
        events: 3,
      },
    ]);
    const ranged = await app.inject({
      url: '/api/mlog/sessions?user_id=u1&from=2026-01-02T00:00:00Z',
      headers: headers.analyst,
    });
    expect(ranged.json().items.map((s: { service: string }) => s.service)).toEqual(['aide']);
  });

  it('lists recent anomalies', async () => {
    const res = await app.inject({ url: '/api/mlog/anomalies?service=axi', headers: headers.admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      {
        service: 'axi',
        action: 'error',
        minute: '2026-01-02T10:00:00.000Z',
        count: 80,
        baselineMean: 2.5,
        baselineStddev: 1.2,
        zScore: 24.9,
        detectedAt: '2026-01-02T10:01:05.000Z',
      },
    ]);
  });

  it('records who read the daily metrics, sessions and anomalies in the audit log itself', async () => {
    const reader = { authorization: headers.analyst!.authorization!, 'x-correlation-id': 'lifecycle-reads' };
    for (const url of [
      '/api/mlog/metrics/daily?from=2026-01-01&to=2026-01-02',
      '/api/mlog/sessions?user_id=u1',
      '/api/mlog/anomalies?service=axi',
    ])
      expect((await app.inject({ url, headers: reader })).statusCode).toBe(200);
    await waitFor(
      async () => {
        const { rows } = await sql<{ endpoint: string; paramUser: string | null }>`
          select metadata->>'endpoint' as endpoint, metadata->'params'->>'user_id' as param_user from mlog.events
          where service = 'mlog' and action = 'analytics.query' and correlation_id = 'lifecycle-reads'
          order by ts`.execute(db);
        return rows.length === 3 ? rows : undefined;
      },
      { what: 'three analytics.query audit events' },
    ).then((rows) => {
      expect(rows.map((r) => r.endpoint)).toEqual(['metrics/daily', 'sessions', 'anomalies']);
      expect(rows.map((r) => r.paramUser)).toEqual([null, 'u1', null]);
    });
  });

  it('runs retention for admins only', async () => {
    const denied = await app.inject({
      method: 'POST',
      url: '/api/mlog/retention/run',
      headers: headers.analyst,
    });
    expect(denied.statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/api/mlog/retention/run', headers: headers.admin });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.dropped).toEqual([
      { partition: 'events_20200101', day: '2020-01-01', rows: 2, archive: null },
    ]);
    expect(body.failed).toEqual([]);
    const { rows } = await sql<{
      oid: string | null;
    }>`select to_regclass('mlog.events_20200101')::text as oid`.execute(db);
    expect(rows[0]!.oid).toBeNull();
  });
});

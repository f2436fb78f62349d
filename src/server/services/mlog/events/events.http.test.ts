import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import { startTestRuntime, testConfig } from '../../../../../test/support/test-runtime.js';
import { createTestIssuer, headersByRole } from '../../../../../test/support/tokens.js';
import type { DatabaseHandle, Db } from '../../../platform/db/database.js';
import type { Runtime } from '../../../runtime.js';
import { compactEventCounts } from '../event-counts.js';
import { validateEvent } from './event-validation.js';
import { createEvents } from './index.js';

const metadataMaxBytes = 512;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

describe.each(runtimeTargets())('MLOG ingest over HTTP on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let database: DatabaseHandle;
  let db: Db;
  const headers: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    const issuer = await createTestIssuer();
    runtime = await startTestRuntime(
      {
        ...(await target.env()),
        MLOG_METADATA_MAX_BYTES: String(metadataMaxBytes),
        MLOG_RETENTION_DAYS: '90',
      },
      { tokenKeys: () => issuer.jwks },
    );
    app = runtime.apps[0]!.app;
    database = runtime.databases.get('mlog')!;
    db = database.db;
    Object.assign(headers, await headersByRole(issuer));
    // An API key belongs to a real AXI user.
    const registered = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: 'sender@example.com', password: 'correct-Horse-battery-77', displayName: 'Sender' },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    headers.owner = {
      authorization: `Bearer ${await issuer.token({ sub: registered.json().id, roles: ['analyst'] })}`,
    };
  });

  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const post = (payload: unknown, who = 'analyst') =>
    app.inject({
      method: 'POST',
      url: '/api/mlog/events',
      headers: headers[who],
      payload: payload as object,
    });
  const postNdjson = (body: string, who = 'analyst') =>
    app.inject({
      method: 'POST',
      url: '/api/mlog/events/batch',
      headers: { ...headers[who], 'content-type': 'application/x-ndjson' },
      payload: body,
    });
  const stored = async (service: string) =>
    (
      await sql<{
        service: string;
        action: string;
        userId: string | null;
        sessionId: string | null;
        correlationId: string | null;
        schemaVersion: number;
        metadata: Record<string, unknown>;
        ts: Date;
      }>`select service, action, user_id, session_id, correlation_id, schema_version, metadata, ts
           from mlog.events where service = ${service} order by ts, action`.execute(db)
    ).rows;
  const event = (service: string, overrides: Record<string, unknown> = {}) => ({
    timestamp: minutesAgo(1),
    service,
    action: 'login',
    user_id: 'u-1',
    ...overrides,
  });

  it('stores one event, keeping awkward characters intact', async () => {
    const metadata = { note: 'tab\there\nnew line \\ back\\slash', nested: { n: 1, ok: true }, text: 'é ✓' };
    const res = await post(
      event('single', {
        action: 'dataset.deleted',
        user_id: 'user\twith\\tab',
        session_id: 's-1',
        correlation_id: 'c-1',
        metadata,
      }),
    );
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ accepted: 1, rejected: 0, errors: [], errorsTruncated: false });
    const [row] = await stored('single');
    expect(row).toMatchObject({
      action: 'dataset.deleted',
      userId: 'user\twith\\tab',
      sessionId: 's-1',
      correlationId: 'c-1',
      schemaVersion: 2,
      metadata,
    });
  });

  it('stores the valid events of an array and reports the others by index and field', async () => {
    const res = await post([
      event('array', { action: 'upload' }),
      event('array', { action: 'Not-Valid' }),
      event('array', { action: 'query', metadata: { big: 'x'.repeat(metadataMaxBytes) } }),
      event('array', { action: 'error', timestamp: new Date(Date.now() + 10 * 60_000).toISOString() }),
      event('array', { action: 'query', timestamp: daysAgo(91) }),
      event('array', { action: 'query', timestamp: '2025-01-01 10:00' }),
      'not an object',
      event('array', { action: 'query', user: 'v1-name-in-v2' }),
      event('array', { action: 'auth.password.changed' }),
    ]);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 7, errorsTruncated: false });
    expect(body.errors.map((e: { index: number; field: string }) => [e.index, e.field])).toEqual([
      [1, 'action'],
      [2, 'metadata'],
      [3, 'timestamp'],
      [4, 'timestamp'],
      [5, 'timestamp'],
      [6, ''],
      [7, 'user'],
    ]);
    expect(body.errors[2].message).toMatch(/future/);
    expect(body.errors[3].message).toMatch(/retention/);
    expect((await stored('array')).map((r) => r.action).sort()).toEqual(['auth.password.changed', 'upload']);
  });

  it('upcasts schema version 1 (user, meta) to version 2 on write', async () => {
    const res = await post({
      schema_version: 1,
      timestamp: minutesAgo(2),
      service: 'legacy',
      action: 'login',
      user: 'old-user',
      meta: { client: 'v1' },
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(await stored('legacy')).toMatchObject([
      { userId: 'old-user', metadata: { client: 'v1' }, schemaVersion: 1 },
    ]);
    const wrong = await post({ schema_version: 3, timestamp: minutesAgo(2), service: 'legacy', action: 'x' });
    expect(wrong.json().errors).toEqual([{ index: 0, field: 'schema_version', message: 'must be 1 or 2' }]);
  });

  it('takes an NDJSON batch, reporting bad lines by line number and storing the rest', async () => {
    const lines = [
      JSON.stringify(event('ndjson', { action: 'login' })),
      '{not json',
      '',
      JSON.stringify(event('ndjson', { action: 'BAD' })),
      JSON.stringify(event('ndjson', { action: 'upload', metadata: { rows: 3 } })),
      JSON.stringify(event('ndjson', { action: 'query', metadata: { sql: 'x'.repeat(20_000) } })),
      `${JSON.stringify(event('ndjson', { action: 'error' }))}\r`,
    ];
    const res = await postNdjson(`${lines.join('\n')}\n`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 3, rejected: 3 });
    expect(body.errors.map((e: { index: number; field: string }) => [e.index, e.field])).toEqual([
      [1, ''],
      [3, 'action'],
      [5, ''],
    ]);
    expect((await stored('ndjson')).map((r) => r.action).sort()).toEqual(['error', 'login', 'upload']);
  });

  it('answers 400 to a body that is not JSON or NDJSON at all, and to no events', async () => {
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/mlog/events',
      headers: { ...headers.analyst, 'content-type': 'application/json' },
      payload: 'hello there',
    });
    expect(notJson.statusCode, notJson.body).toBe(400);
    const notNdjson = await postNdjson('hello there\nand more text\n');
    expect(notNdjson.statusCode, notNdjson.body).toBe(400);
    expect(notNdjson.json().type).toBe('/problems/malformed-body');
    expect((await postNdjson('')).statusCode).toBe(400);
    expect((await post([])).statusCode).toBe(400);
  });

  it('refuses more than 1,000 events as JSON and more than 100,000 as NDJSON, storing nothing', async () => {
    const tooMany = await post(Array.from({ length: 1_001 }, () => event('too-many-json')));
    expect(tooMany.statusCode, tooMany.body).toBe(413);
    const line = JSON.stringify({ timestamp: minutesAgo(1), service: 'too-many', action: 'login' });
    const res = await postNdjson(`${line}\n`.repeat(100_001));
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().type).toBe('/problems/too-many-events');
    expect(await stored('too-many')).toEqual([]);
    expect(await stored('too-many-json')).toEqual([]);
  });

  it('has the partitions of yesterday, today and tomorrow ready from start-up', async () => {
    const names = [-1, 0, 1].map(
      (d) =>
        `mlog.events_${new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')}`,
    );
    for (const name of names) {
      const { rows } = await sql<{
        found: string | null;
      }>`select to_regclass(${name})::text as found`.execute(db);
      expect(rows[0]?.found, name).toBe(name);
    }
  });

  it('creates a partition for each day the events fall on', async () => {
    const days = [0, 1, 2, 5].map((d) => new Date(Date.now() - d * 86_400_000));
    const res = await postNdjson(
      days
        .map((d) => JSON.stringify({ timestamp: d.toISOString(), service: 'days', action: 'query' }))
        .join('\n'),
    );
    expect(res.statusCode, res.body).toBe(202);
    const partitions = (
      await sql<{ name: string }>`select c.relname as name from pg_inherits i
        join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
        join pg_namespace n on n.oid = p.relnamespace
        where n.nspname = 'mlog' and p.relname = 'events'`.execute(db)
    ).rows.map((r) => r.name);
    for (const d of days)
      expect(partitions).toContain(`events_${d.toISOString().slice(0, 10).replaceAll('-', '')}`);
    expect(await stored('days')).toHaveLength(4);
  });

  it('lets two processes create the same new partitions at once', async () => {
    // Two ingest instances with their own partition caches, as two server processes would have.
    const config = testConfig();
    const deps = { db, database, config, clock: () => new Date(), log: runtime.log };
    const [a, b] = [createEvents(deps), createEvents(deps)];
    const now = new Date();
    const batch = (tag: string) =>
      [10, 11, 12, 13].map((d) => {
        const checked = validateEvent(
          { timestamp: new Date(Date.now() - d * 86_400_000).toISOString(), service: 'race', action: tag },
          now,
          { metadataMaxBytes: 1024, retentionDays: 90, retentionByService: {} },
        );
        if (!checked.ok) throw new Error(checked.message);
        return checked.event;
      });
    const counts = await Promise.all([a.insertEvents(db, batch('a')), b.insertEvents(db, batch('b'))]);
    expect(counts).toEqual([4, 4]);
    expect(await stored('race')).toHaveLength(8);
  });

  it('needs a token with a writing role or an API key with audit:write', async () => {
    const anonymous = await app.inject({ method: 'POST', url: '/api/mlog/events', payload: event('auth') });
    expect(anonymous.statusCode).toBe(401);
    expect((await post(event('auth'), 'viewer')).statusCode).toBe(403);
    expect((await postNdjson(JSON.stringify(event('auth')), 'viewer')).statusCode).toBe(403);
    expect((await post(event('auth'), 'admin')).statusCode).toBe(202);

    const createKey = (scopes: string[]) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: headers.owner,
        payload: { name: `key ${scopes.join(' ')}`, scopes },
      });
    const writer = await createKey(['audit:write']);
    expect(writer.statusCode, writer.body).toBe(201);
    // datasets:write makes the key act as an analyst, so only the missing scope refuses it.
    const reader = await createKey(['datasets:write']);
    const withKey = (key: string) =>
      app.inject({
        method: 'POST',
        url: '/api/mlog/events',
        headers: { 'x-api-key': key },
        payload: event('auth'),
      });
    expect((await withKey(writer.json().key)).statusCode).toBe(202);
    const refused = await withKey(reader.json().key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/audit:write/);
    expect(await stored('auth')).toHaveLength(2);
  });
  it('keeps the hourly counts exact under concurrent JSON and NDJSON ingest, and compaction keeps them', async () => {
    const spread = (i: number) =>
      event('counted', { action: ['login', 'query', 'upload'][i % 3], timestamp: minutesAgo(i * 7) });
    const ndjson = (offset: number) =>
      postNdjson(
        `${[...Array.from({ length: 40 }, (_, i) => JSON.stringify(spread(offset + i))), '{bad'].join('\n')}\n`,
      );
    const json = (offset: number) =>
      post([
        ...Array.from({ length: 30 }, (_, i) => spread(offset + i)),
        event('counted', { action: 'BAD' }),
      ]);
    const results = await Promise.all([ndjson(0), ndjson(5), ndjson(11), json(3), json(17)]);
    for (const res of results) expect(res.statusCode, res.body).toBeLessThan(300);
    expect(results.reduce((n, r) => n + r.json().accepted, 0)).toBe(3 * 40 + 2 * 30);

    const fromEvents = () =>
      sql<{ hour: Date; action: string; n: number }>`
        select date_trunc('hour', ts, 'UTC') as hour, action, count(*)::int as n
        from mlog.events where service = 'counted' group by 1, 2 order by 1, 2`.execute(db);
    const fromCounts = () =>
      sql<{ hour: Date; action: string; n: number; keyRows: number }>`
        select hour, action, sum(count)::int as n, count(*)::int as key_rows
        from mlog.event_counts_hourly where service = 'counted' group by 1, 2 order by 1, 2`.execute(db);
    const expected = (await fromEvents()).rows;
    expect(expected.length).toBeGreaterThan(3);
    const before = (await fromCounts()).rows;
    expect(before.map(({ keyRows: _, ...r }) => r)).toEqual(expected);
    // Each request inserted its own rows: several per key until compaction merges them.
    expect(before.some((r) => r.keyRows > 1)).toBe(true);

    await compactEventCounts(db);
    const after = (await fromCounts()).rows;
    expect(after.map(({ keyRows: _, ...r }) => r)).toEqual(expected);
    expect(after.every((r) => r.keyRows === 1)).toBe(true);
  });
});

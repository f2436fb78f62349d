import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLogger } from '../../../../../test/support/logger.js';
import { runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import { startTestRuntime } from '../../../../../test/support/test-runtime.js';
import { createTestIssuer, headersByRole } from '../../../../../test/support/tokens.js';
import { waitFor } from '../../../../../test/support/wait-for.js';
import type { Db } from '../../../platform/db/database.js';
import type { Runtime } from '../../../runtime.js';
import type { StoredAuditEvent } from '../audit-event.js';
import { rebuildEventCounts } from '../event-counts.js';
import { createDayPartition } from '../events/events.repository.js';
import { createQueryAudit } from '../query-audit.js';
import { createQueryService } from './query.service.js';

type Doc = Record<string, unknown>;

interface Row {
  id: string;
  ts: string;
  service: string;
  action: string;
  user_id: string | null;
  session_id: string | null;
  correlation_id: string | null;
  metadata: Record<string, unknown>;
}

/** 90 events over 2025-03-01..03 from a fixed seed: every kind of metadata value appears. */
function makeRows(): Row[] {
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const start = Date.parse('2025-03-01T00:00:00Z');
  return Array.from({ length: 90 }, (_, i) => {
    const metadata: Record<string, unknown> = { ms: next(500) };
    const plan = next(4);
    if (plan === 0) metadata.plan = 'pro';
    if (plan === 1) metadata.plan = 'free';
    if (plan === 2) metadata.plan = null;
    const n = next(3);
    if (n === 0) metadata.n = 5;
    if (n === 1) metadata.n = '5';
    metadata.ok = next(2) === 0;
    const user = next(6);
    return {
      id: randomUUID(),
      ts: new Date(start + i * 47 * 60_000 + next(1000)).toISOString(),
      service: ['axi', 'mlog', 'nexus'][next(3)]!,
      action: ['login', 'upload', 'query', 'error'][next(4)]!,
      user_id: user === 5 ? null : `u${user}`,
      session_id: next(2) === 0 ? `s${next(9)}` : null,
      correlation_id: null,
      metadata,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The same pipeline semantics in plain TypeScript (see pipeline-compiler.ts), as the oracle.
// Documents are flat maps keyed by dotted names, nested only at the end, as the SQL does.
// ---------------------------------------------------------------------------------------------

function get(doc: Doc, name: string): unknown {
  if (name in doc) return doc[name] ?? null;
  const meta = doc.metadata;
  if (name.startsWith('metadata.') && meta && typeof meta === 'object')
    return (meta as Doc)[name.slice(9)] ?? null;
  return null;
}

function compare(v: unknown, op: string, operand: unknown): boolean {
  if (operand === null) return op === '$eq' ? v === null : v !== null;
  const sameType = typeof v === typeof operand && v !== null;
  switch (op) {
    case '$eq':
      return sameType && v === operand;
    case '$ne':
      return !(sameType && v === operand);
    case '$in':
      return (operand as unknown[]).some((o) => compare(v, '$eq', o));
    case '$gt':
      return sameType && (v as number) > (operand as number);
    case '$gte':
      return sameType && (v as number) >= (operand as number);
    case '$lt':
      return sameType && (v as number) < (operand as number);
    default:
      return sameType && (v as number) <= (operand as number);
  }
}

const rank = (v: unknown) =>
  v === null ? 0 : typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : typeof v === 'boolean' ? 5 : 3;

function order(a: unknown, b: unknown): number {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a === b || a === null) return 0;
  return (a as number) < (b as number) ? -1 : 1;
}

function evaluate(rows: Row[], pipeline: Doc[]): Doc[] {
  let docs: Doc[] = rows.map(({ id: _, ...r }) => ({ ...r }));
  for (const stage of pipeline) {
    const [op, spec] = Object.entries(stage)[0]! as [string, never];
    if (op === '$match') {
      docs = docs.filter((d) =>
        Object.entries(spec as Doc).every(([field, cond]) =>
          cond !== null && typeof cond === 'object'
            ? Object.entries(cond).every(([o, operand]) => compare(get(d, field), o, operand))
            : compare(get(d, field), '$eq', cond),
        ),
      );
    } else if (op === '$sort') {
      const keys = Object.entries(spec as Record<string, number>);
      docs = [...docs].sort((a, b) => {
        for (const [f, dir] of keys) {
          const c = order(get(a, f), get(b, f)) * dir;
          if (c !== 0) return c;
        }
        return 0;
      });
    } else if (op === '$limit') {
      docs = docs.slice(0, spec);
    } else if (op === '$count') {
      docs = docs.length > 0 ? [{ [spec]: docs.length }] : [];
    } else if (op === '$project') {
      const entries = Object.entries(spec as Doc);
      docs = docs.map((d) => {
        const out: Doc = {};
        if (!entries.some(([k]) => k === '_id') && '_id' in d) out._id = d._id;
        for (const [k, v] of entries) {
          if (v === 0) continue;
          out[k] = typeof v === 'string' ? get(d, v.slice(1)) : get(d, k);
        }
        return out;
      });
    } else if (op === '$group') {
      const { _id, ...accs } = spec as Doc;
      const keyOf = (d: Doc): Doc =>
        _id === null
          ? { _id: null }
          : typeof _id === 'string'
            ? { _id: get(d, _id.slice(1)) }
            : Object.fromEntries(
                Object.entries(_id as Doc).map(([k, ref]) => [`_id.${k}`, get(d, (ref as string).slice(1))]),
              );
      const groups = new Map<string, Doc[]>();
      for (const d of docs) {
        const key = JSON.stringify(keyOf(d));
        groups.set(key, [...(groups.get(key) ?? []), d]);
      }
      docs = [...groups.entries()].map(([key, members]) => {
        const out: Doc = JSON.parse(key);
        for (const [name, acc] of Object.entries(accs)) {
          const [fn, arg] = Object.entries(acc as Doc)[0]!;
          if (typeof arg === 'number') {
            out[name] = members.length * arg;
            continue;
          }
          const field = (arg as string).slice(1);
          const all = members.map((m) => get(m, field)).filter((v) => v !== null);
          const values = field.startsWith('metadata.') ? all.filter((v) => typeof v === 'number') : all;
          const nums = values as number[];
          if (fn === '$sum') out[name] = nums.reduce((s, v) => s + v, 0);
          else if (fn === '$avg')
            out[name] = nums.length ? nums.reduce((s, v) => s + v, 0) / nums.length : null;
          else {
            const sorted = [...values].sort(order);
            out[name] = (fn === '$min' ? sorted[0] : sorted.at(-1)) ?? null;
          }
        }
        return out;
      });
    }
  }
  return docs.map((flat) => {
    const nested: Doc = {};
    for (const [k, v] of Object.entries(flat)) {
      const parts = k.split('.');
      let target = nested;
      for (const p of parts.slice(0, -1)) {
        target[p] ??= {};
        target = target[p] as Doc;
      }
      target[parts.at(-1)!] = v;
    }
    return nested;
  });
}

const inTestDays = { $match: { ts: { $gte: '2025-03-01T00:00:00.000Z', $lt: '2025-03-04T00:00:00.000Z' } } };

const byJson = (docs: unknown[]) => docs.map((d) => JSON.stringify(d)).sort();

function expectProblem(res: LightMyRequestResponse, status: number, type: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.type).toBe(type);
  return body as { detail?: string; errors?: { field: string; message: string }[] };
}

describe.each(runtimeTargets())('MLOG queries over HTTP on $name', (target) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let db: Db;
  const headers: Record<string, Record<string, string>> = {};
  const rows = makeRows();
  const window = 'from=2025-03-01T00:00:00Z&to=2025-03-04T00:00:00Z';

  let issuer: Awaited<ReturnType<typeof createTestIssuer>>;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    runtime = await startTestRuntime(await target.env(), { tokenKeys: () => issuer.jwks });
    app = runtime.apps[0]!.app;
    db = runtime.databases.get('mlog')!.db;
    Object.assign(headers, await headersByRole(issuer, (role) => `user-${role}`));
    for (const day of ['20250301', '20250302', '20250303']) await createDayPartition(db, day);
    for (const r of rows) {
      await sql`insert into mlog.events (id, ts, received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata)
        values (${r.id}, ${r.ts}::timestamptz, now(), ${r.service}, ${r.action}, ${r.user_id}, ${r.session_id},
          ${r.correlation_id}, 1, ${JSON.stringify(r.metadata)}::text::jsonb)`.execute(db);
    }
    // Stored around the ingest path (their days are past retention, so ingest would refuse
    // them): the hourly counts ingest keeps are recounted the way the migration does.
    await rebuildEventCounts(db, new Date('2025-03-01T00:00:00Z'), new Date('2025-03-04T00:00:00Z'));
  });

  afterAll(async () => {
    await runtime?.close();
    await target.cleanup();
  });

  const get = (url: string, who = 'analyst') => app.inject({ url: `/api/mlog${url}`, headers: headers[who] });
  const aggregate = (pipeline: unknown, who = 'analyst') =>
    app.inject({ method: 'POST', url: '/api/mlog/aggregate', headers: headers[who], payload: { pipeline } });

  it('counts a service’s events by action, with distinct users, over a window', async () => {
    const res = await get(`/analytics/axi?${window}&users=true`);
    expect(res.statusCode, res.body).toBe(200);
    const axi = rows.filter((r) => r.service === 'axi');
    const body = res.json();
    // Without users=true the same counts, and no distinct users (they cost a scan of the events).
    const countsOnly = (await get(`/analytics/axi?${window}`)).json();
    expect(countsOnly.distinctUsers).toBeNull();
    expect(countsOnly.byAction).toEqual(
      body.byAction.map((a: { action: string; count: number }) => ({ ...a, distinctUsers: null })),
    );
    expectProblem(await get(`/analytics/axi?${window}&users=maybe`), 400, '/problems/validation-error');
    expect(body.total).toBe(axi.length);
    expect(body.distinctUsers).toBe(new Set(axi.map((r) => r.user_id).filter(Boolean)).size);
    for (const { action, count } of body.byAction) {
      expect(count).toBe(axi.filter((r) => r.action === action).length);
    }
    const counts = body.byAction.map((a: { count: number }) => a.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));

    const inverted = await get('/analytics/axi?from=2025-03-04T00:00:00Z&to=2025-03-01T00:00:00Z');
    expect(expectProblem(inverted, 400, '/problems/validation-error').errors?.[0]?.field).toBe('query.from');
    expectProblem(await get(`/analytics/axi';--?${window}`), 400, '/problems/validation-error');
    // Names keep their case, as ingest stores them: another service, not axi's events.
    expect((await get(`/analytics/AXI?${window}`)).json().total).toBe(0);
  });

  it('returns zero-filled day buckets with filters, and refuses too many buckets or an unknown bucket', async () => {
    const res = await get(`/metrics/timeline?bucket=day&service=nexus&${window}`);
    expect(res.statusCode, res.body).toBe(200);
    const points = res.json().points as { t: string; count: number }[];
    expect(points.map((p) => p.t)).toEqual([
      '2025-03-01T00:00:00.000Z',
      '2025-03-02T00:00:00.000Z',
      '2025-03-03T00:00:00.000Z',
    ]);
    expect(points.map((p) => p.count)).toEqual(
      ['01', '02', '03'].map(
        (d) => rows.filter((r) => r.service === 'nexus' && r.ts.startsWith(`2025-03-${d}`)).length,
      ),
    );
    const hours = await get(`/metrics/timeline?bucket=hour&user_id=u1&${window}`);
    expect(hours.json().points).toHaveLength(72);
    expect(hours.json().total).toBe(rows.filter((r) => r.user_id === 'u1').length);

    const tooMany = await get(
      '/metrics/timeline?bucket=minute&from=2025-03-01T00:00:00Z&to=2025-03-31T00:00:00Z',
    );
    expect(expectProblem(tooMany, 400, '/problems/validation-error').errors?.[0]?.field).toBe('query.bucket');
    const unknown = await get(`/metrics/timeline?bucket=week&${window}`);
    expect(expectProblem(unknown, 400, '/problems/validation-error').errors?.[0]?.field).toBe('query.bucket');
  });

  it('counts windows that start and end inside an hour exactly (hourly counts plus the edge events)', async () => {
    const windows = [
      ['2025-03-01T10:17:00Z', '2025-03-02T15:45:30Z'],
      ['2025-03-01T00:00:00Z', '2025-03-03T12:30:00Z'],
      ['2025-03-02T08:05:00Z', '2025-03-02T08:50:00Z'],
      ['2025-03-02T08:05:00Z', '2025-03-02T09:50:00Z'],
      ['2025-03-01T20:30:00Z', '2025-03-02T09:10:30Z'],
    ] as const;
    for (const [from, to] of windows) {
      const inWindow = rows.filter(
        (r) => Date.parse(r.ts) >= Date.parse(from) && Date.parse(r.ts) < Date.parse(to),
      );
      const minutes = (Date.parse(to) - Date.parse(from)) / 60_000;
      for (const bucket of minutes <= 2000
        ? (['minute', 'hour', 'day'] as const)
        : (['hour', 'day'] as const)) {
        for (const service of [undefined, 'axi']) {
          const expected = inWindow.filter((r) => service === undefined || r.service === service);
          const res = await get(
            `/metrics/timeline?bucket=${bucket}&from=${from}&to=${to}${service ? `&service=${service}` : ''}`,
          );
          expect(res.statusCode, res.body).toBe(200);
          const points = res.json().points as { t: string; count: number }[];
          expect(res.json().total, `${bucket} ${from}..${to} ${service}`).toBe(expected.length);
          const bucketMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[bucket];
          for (const p of points) {
            const start = Date.parse(p.t);
            const n = expected.filter(
              (r) => Math.floor(Date.parse(r.ts) / bucketMs) * bucketMs === start,
            ).length;
            expect(p.count, `${p.t} (${bucket} ${from}..${to} ${service})`).toBe(n);
          }
        }
      }
      const analytics = (await get(`/analytics/axi?from=${from}&to=${to}&users=true`)).json();
      const axi = inWindow.filter((r) => r.service === 'axi');
      expect(analytics.total).toBe(axi.length);
      for (const { action, count, distinctUsers } of analytics.byAction) {
        const ofAction = axi.filter((r) => r.action === action);
        expect(count).toBe(ofAction.length);
        expect(distinctUsers).toBe(new Set(ofAction.map((r) => r.user_id).filter(Boolean)).size);
      }
    }
  });

  it('pages events newest first with an opaque cursor, without gaps or repeats', async () => {
    const expected = rows
      .filter((r) => r.service === 'axi')
      .sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0))
      .map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/events?service=axi&limit=7&${window}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((e: { id: string }) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const first = (await get(`/events?limit=1&${window}`)).json().items[0];
    const newest = rows.reduce((a, b) => (a.ts > b.ts ? a : b));
    expect(first).toMatchObject({
      id: newest.id,
      ts: newest.ts,
      service: newest.service,
      metadata: newest.metadata,
    });

    const badCursor = await get(`/events?cursor=not-a-cursor&${window}`);
    expect(expectProblem(badCursor, 400, '/problems/validation-error').errors?.[0]?.field).toBe(
      'query.cursor',
    );
    const forged = Buffer.from(JSON.stringify({ t: "x'; drop table mlog.events;--", i: 'y' })).toString(
      'base64url',
    );
    expectProblem(await get(`/events?cursor=${forged}&${window}`), 400, '/problems/validation-error');
    expectProblem(await get(`/events?limit=1001&${window}`), 400, '/problems/validation-error');
  });

  const pipelines: { name: string; ordered: boolean; pipeline: Doc[] }[] = [
    {
      name: 'counts per service and action in a time range',
      ordered: false,
      pipeline: [
        { $match: { ts: { $gte: '2025-03-01T12:00:00.000Z', $lt: '2025-03-03T00:00:00.000Z' } } },
        { $group: { _id: { service: '$service', action: '$action' }, n: { $sum: 1 } } },
      ],
    },
    {
      name: 'numeric metadata accumulators per plan (string, null and missing plans)',
      ordered: false,
      pipeline: [
        {
          $group: {
            _id: '$metadata.plan',
            total: { $sum: '$metadata.ms' },
            avg: { $avg: '$metadata.ms' },
            lo: { $min: '$metadata.ms' },
            hi: { $max: '$metadata.ms' },
            twice: { $sum: 2 },
            first: { $min: '$ts' },
            lastUser: { $max: '$user_id' },
          },
        },
      ],
    },
    {
      name: 'typed metadata comparisons, $ne over missing values, $in, sort and limit',
      ordered: true,
      pipeline: [
        {
          $match: {
            'metadata.n': 5,
            'metadata.ok': { $ne: false },
            action: { $in: ['login', 'query', 'error'] },
          },
        },
        { $sort: { 'metadata.ms': -1, ts: 1 } },
        { $limit: 6 },
        { $project: { _id: 0, ts: 1, user_id: 1, ms: '$metadata.ms' } },
      ],
    },
    {
      name: 'sort over mixed metadata types, null users first',
      ordered: true,
      pipeline: [
        { $match: { service: { $ne: 'mlog' } } },
        { $sort: { user_id: 1, 'metadata.n': 1, ts: -1 } },
        { $project: { user_id: 1, 'metadata.n': 1, ts: 1 } },
      ],
    },
    {
      name: 'group, then match and sort the groups',
      ordered: true,
      pipeline: [
        { $match: { user_id: { $ne: null } } },
        { $group: { _id: '$user_id', n: { $sum: 1 }, ms: { $sum: '$metadata.ms' } } },
        { $match: { n: { $gte: 3 } } },
        { $sort: { ms: -1 } },
      ],
    },
    {
      name: '$count after a range on text and a string metadata match',
      ordered: true,
      pipeline: [{ $match: { action: { $gt: 'login' }, 'metadata.n': '5' } }, { $count: 'events' }],
    },
    {
      name: '$count of nothing is no row',
      ordered: true,
      pipeline: [{ $match: { service: 'none' } }, { $count: 'n' }],
    },
    {
      name: 'group everything',
      ordered: true,
      pipeline: [
        { $match: { 'metadata.plan': null } },
        { $group: { _id: null, n: { $sum: 1 }, avg: { $avg: '$metadata.ms' } } },
      ],
    },
  ];

  it.each(pipelines)(
    'runs the pipeline "$name" as the reference evaluation does',
    async ({ name, pipeline, ordered }) => {
      // Bounded to the test's days: the platform audits these very queries into today's partition.
      const bounded = [inTestDays, ...pipeline];
      const res = await aggregate(bounded);
      expect(res.statusCode, res.body).toBe(200);
      const { rows: got, truncated } = res.json();
      expect(truncated).toBe(false);
      const want = evaluate(rows, bounded);
      // A comparison of two empty answers would prove nothing.
      if (!name.includes('nothing')) expect(want.length).toBeGreaterThan(0);
      if (ordered) expect(got).toEqual(want);
      else expect(byJson(got)).toEqual(byJson(want));
    },
  );

  it('refuses pipelines outside the subset by stage and operator or field, and injection attempts', async () => {
    const lookup = await aggregate([{ $match: {} }, { $limit: 1 }, { $lookup: { from: 'axi.users' } }]);
    expect(expectProblem(lookup, 400, '/problems/invalid-pipeline').detail).toBe(
      'pipeline[2].$lookup is not supported',
    );
    const password = await aggregate([{ $match: { password: 'x' } }]);
    const body = expectProblem(password, 400, '/problems/invalid-pipeline');
    expect(body.detail).toBe('pipeline[0].$match.password: unknown field');
    expect(body.errors?.[0]?.field).toBe('body.pipeline[0].$match.password');
    const regex = await aggregate([{ $match: { service: { $regex: '.*' } } }]);
    expect(expectProblem(regex, 400, '/problems/invalid-pipeline').detail).toBe(
      'pipeline[0].$match.service.$regex is not supported',
    );
    const fieldInjection = await aggregate([
      { $group: { _id: '$service) from mlog.events; drop table mlog.events; --' } },
    ]);
    expectProblem(fieldInjection, 400, '/problems/invalid-pipeline');
    const keyInjection = await aggregate([{ $match: { "metadata.x' or '1'='1": 'y' } }]);
    expectProblem(keyInjection, 400, '/problems/invalid-pipeline');

    const valueInjection = await aggregate([{ $match: { service: "axi' or '1'='1" } }, { $count: 'n' }]);
    expect(valueInjection.json().rows).toEqual([]);
    const stillThere = await aggregate([inTestDays, { $count: 'n' }]);
    expect(stillThere.json().rows).toEqual([{ n: rows.length }]);
  });

  it('answers only signed-in admins and analysts', async () => {
    for (const url of [`/analytics/axi?${window}`, `/metrics/timeline?${window}`, `/events?${window}`]) {
      expectProblem(await app.inject({ url: `/api/mlog${url}` }), 401, '/problems/unauthenticated');
      expectProblem(await get(url, 'viewer'), 403, '/problems/forbidden');
      expect((await get(url, 'admin')).statusCode).toBe(200);
    }
    expectProblem(
      await app.inject({
        method: 'POST',
        url: '/api/mlog/aggregate',
        payload: { pipeline: [{ $count: 'n' }] },
      }),
      401,
      '/problems/unauthenticated',
    );
    expectProblem(await aggregate([{ $count: 'n' }], 'viewer'), 403, '/problems/forbidden');
  });

  it('reads with an API key only when it has the audit:read scope (a sender’s key cannot read)', async () => {
    const payload = { email: `reader.${randomUUID()}@example.com`, password: 'velvet-Harbour-quietly-47' };
    const registered = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload });
    expect(registered.statusCode, registered.body).toBe(201);
    // This runtime trusts the test issuer's tokens: one for the registered user, as an analyst.
    const token = await issuer.token({ sub: registered.json().id, roles: ['analyst'] });
    const keyWith = async (scopes: string[]) => {
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { authorization: `Bearer ${token}` },
        payload: { name: scopes.join(' '), scopes },
      });
      expect(created.statusCode, created.body).toBe(201);
      return { 'x-api-key': created.json().key as string };
    };
    const sender = await keyWith(['audit:write']);
    const reader = await keyWith(['audit:read']);
    for (const url of [`/analytics/axi?${window}`, `/metrics/timeline?${window}`, `/events?${window}`]) {
      const refused = await app.inject({ url: `/api/mlog${url}`, headers: sender });
      expect(expectProblem(refused, 403, '/problems/forbidden').detail).toMatch(/audit:read/);
      expect((await app.inject({ url: `/api/mlog${url}`, headers: reader })).statusCode).toBe(200);
    }
  });

  it('records who queried what in the audit log itself', async () => {
    const res = await get(`/analytics/nexus?${window}`, 'admin');
    expect(res.statusCode).toBe(200);
    const audited = await waitFor(
      async () =>
        (
          await sql<{ n: number }>`select count(*)::int as n from mlog.events
            where service = 'mlog' and action = 'analytics.query' and user_id = 'user-admin'
              and metadata->>'endpoint' = 'analytics' and metadata->'params'->>'service' = 'nexus'`.execute(
            db,
          )
        ).rows[0]!.n > 0,
      { what: 'the analytics.query audit event' },
    );
    expect(audited).toBe(true);
  });

  it('audits each query after answering, defaults to the last 24 hours, and answers even when the audit fails', async () => {
    const recorded: StoredAuditEvent[] = [];
    const clock = () => new Date('2025-03-02T06:00:00Z');
    const ctx = {
      actor: { id: 'user-analyst', roles: ['analyst' as const] },
      correlationId: 'corr-1',
      log: testLogger,
    };
    const service = createQueryService({
      db,
      clock,
      recordQuery: createQueryAudit({
        db,
        clock,
        log: testLogger,
        insertEvents: async (_db, events) => {
          recorded.push(...events);
          return events.length;
        },
      }),
    });
    const answer = await service.serviceAnalytics(ctx, 'mlog', { users: false });
    expect(answer.from).toBe('2025-03-01T06:00:00.000Z');
    const inWindow = rows.filter(
      (r) => r.service === 'mlog' && r.ts >= '2025-03-01T06:00:00.000Z' && r.ts < '2025-03-02T06:00:00.000Z',
    );
    expect(answer.total).toBe(inWindow.length);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      service: 'mlog',
      action: 'analytics.query',
      userId: 'user-analyst',
      correlationId: 'corr-1',
      metadata: { endpoint: 'analytics', params: { service: 'mlog' } },
    });

    const failing = createQueryService({
      db,
      clock,
      recordQuery: createQueryAudit({
        db,
        clock,
        log: testLogger,
        insertEvents: async () => {
          throw new Error('audit store down');
        },
      }),
    });
    const stillAnswered = await failing.aggregate(ctx, [
      inTestDays,
      { $match: { service: 'mlog' } },
      { $count: 'n' },
    ]);
    expect(stillAnswered.rows).toEqual([{ n: rows.filter((r) => r.service === 'mlog').length }]);
  });
});

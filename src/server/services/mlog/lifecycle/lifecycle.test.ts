import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseTarget, databaseTargets } from '../../../../../test/support/databases.js';
import { testLogger } from '../../../../../test/support/logger.js';
import { testConfig } from '../../../../../test/support/test-runtime.js';
import type { DatabaseHandle, Db } from '../../../platform/db/database.js';
import { migrateSchema } from '../../../platform/db/migrate.js';
import { eventTablesMigration } from '../../../platform/events/event-tables.migration.js';
import { createOutbox } from '../../../platform/events/outbox.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../../platform/http/webhooks.js';
import { rebuildEventCounts } from '../event-counts.js';
import { createDayPartition as createEventsDayPartition } from '../events/events.repository.js';
import { mlogTableMigrations } from '../migrations.js';
import { createLifecycle, lifecycleMigrations } from './index.js';

const secret = 'lifecycle-test-secret-0123456789';

async function openMlog(target: DatabaseTarget): Promise<DatabaseHandle> {
  const handle = await target.open();
  await migrateSchema(handle.db, 'mlog', {
    '0000_create_event_tables': eventTablesMigration('mlog'),
    ...mlogTableMigrations,
    ...lifecycleMigrations,
  });
  return handle;
}

function dayName(day: string) {
  return `events_${day.replaceAll('-', '')}`;
}

/** The real partition of a `YYYY-MM-DD` day, made as ingest makes it. */
async function createDayPartition(db: Db, day: string) {
  await createEventsDayPartition(db, day.replaceAll('-', ''));
}

/** `n` events of one service and action, `stepSeconds` apart from `start`. */
async function insertEvents(
  db: Db,
  opts: {
    start: string;
    n: number;
    stepSeconds: number;
    service: string;
    action?: string;
    userId?: string | null;
    sessionId?: string | null;
  },
) {
  await sql`
    insert into mlog.events (id, ts, received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata)
    select gen_random_uuid(), ${opts.start}::timestamptz + make_interval(secs => i * ${opts.stepSeconds}::double precision),
      now(), ${opts.service}, ${opts.action ?? 'login'}, ${opts.userId === undefined ? 'u1' : opts.userId},
      ${opts.sessionId ?? null}, null, 1, jsonb_build_object('i', i)
    from generate_series(0, ${opts.n - 1}::int) as i`.execute(db);
}

async function partitions(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'mlog.events'::regclass order by 1`.execute(db);
  return rows.map((r) => r.name);
}

async function readArchive(path: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) out.push(JSON.parse(line) as Record<string, unknown>);
  return out;
}

function lifecycleAt(db: Db, now: string, env: Record<string, string> = {}) {
  let clock = new Date(now);
  const lifecycle = createLifecycle({
    db,
    outbox: createOutbox('mlog'),
    config: testConfig(env),
    clock: () => clock,
    log: testLogger,
    // The audit of reads is tested over HTTP (lifecycle.http.test.ts).
    recordQuery: () => {},
  });
  return {
    ...lifecycle,
    setClock(at: string) {
      clock = new Date(at);
    },
  };
}

describe.each(databaseTargets())('MLOG retention on $name', (target) => {
  let handle: DatabaseHandle;
  let db: Db;
  let archiveDir: string;
  const days = [
    '2026-03-01',
    '2026-03-02',
    '2026-03-03',
    '2026-03-04',
    '2026-03-05',
    '2026-03-06',
    '2026-03-07',
    '2026-03-08',
    '2026-03-09',
    '2026-03-10',
  ];

  beforeAll(async () => {
    handle = await openMlog(target);
    db = handle.db;
    archiveDir = await mkdtemp(join(tmpdir(), 'mlog-archive-'));
    for (const [i, day] of days.entries()) {
      await createDayPartition(db, day);
      // Per day: 40 + i rows of the default-retention service, 5 of a short one, 3 of a long one.
      await insertEvents(db, {
        start: `${day}T01:00:00.123456Z`,
        n: 40 + i,
        stepSeconds: 60,
        service: 'axi',
      });
      await insertEvents(db, { start: `${day}T02:00:00Z`, n: 5, stepSeconds: 60, service: 'short' });
      await insertEvents(db, { start: `${day}T03:00:00Z`, n: 3, stepSeconds: 60, service: 'long' });
    }
    // Stored around ingest, so its hourly counts are recounted as the migration does.
    await rebuildEventCounts(db, new Date('2026-03-01T00:00:00Z'), new Date('2026-03-11T00:00:00Z'));
  });
  afterAll(async () => {
    await handle?.close();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('archives and drops only the partitions past the longest retention, and deletes shorter-retention rows', async () => {
    // Default 3 days, `short` 1 day, `long` 5 days; it is 2026-03-10 at 03:00 UTC.
    const lifecycle = lifecycleAt(db, '2026-03-10T03:00:00Z', {
      MLOG_RETENTION_DAYS: '3',
      MLOG_RETENTION_BY_SERVICE: 'short=1,long=5',
      MLOG_ARCHIVE_DIR: archiveDir,
    });
    const counts = new Map<string, number>();
    for (const day of days) counts.set(day, 48 + days.indexOf(day));
    const ids = new Map<string, string[]>();
    for (const day of ['2026-03-01', '2026-03-04']) {
      const { rows } = await sql<{
        id: string;
      }>`select id::text as id from ${sql.id('mlog', dayName(day))}`.execute(db);
      ids.set(day, rows.map((r) => r.id).sort());
    }

    const run = await lifecycle.jobs.runRetention();

    // The longest retention (5 days) decides: events before 2026-03-05 are past every window.
    expect(run.dropBefore).toBe('2026-03-05T00:00:00.000Z');
    expect(run.failed).toEqual([]);
    expect(run.skippedBusy).toBe(0);
    expect(run.dropped.map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    for (const d of run.dropped) {
      expect(d.rows).toBe(counts.get(d.day));
      expect(d.archive).toBe(join(archiveDir, `${dayName(d.day)}.ndjson.gz`));
    }
    expect(await partitions(db)).toEqual(days.slice(4).map(dayName));

    // Archives hold exactly the dropped rows, timestamps at full precision; no temp file left.
    expect((await readdir(archiveDir)).sort()).toEqual(
      days.slice(0, 4).map((d) => `${dayName(d)}.ndjson.gz`),
    );
    for (const day of ['2026-03-01', '2026-03-04']) {
      const archived = await readArchive(join(archiveDir, `${dayName(day)}.ndjson.gz`));
      expect(archived).toHaveLength(counts.get(day)!);
      expect(archived.map((r) => r.id as string).sort()).toEqual(ids.get(day));
      const first = archived.find((r) => r.service === 'axi')!;
      expect(first.ts).toBe(`${day}T01:00:00.123456+00:00`);
      expect(first).toMatchObject({ action: 'login', userId: 'u1', schemaVersion: 1, metadata: { i: 0 } });
    }

    // Shorter retentions: `short` (1 day) keeps 03-09 on; the default (3 days) keeps 03-07 on.
    expect(run.deleted).toEqual([
      { service: 'short', before: '2026-03-09T00:00:00.000Z', rows: 20 },
      { service: '*', before: '2026-03-07T00:00:00.000Z', rows: 40 + 4 + 40 + 5 },
    ]);
    const { rows: left } = await sql<{ service: string; first: Date; n: string }>`
      select service, min(ts) as first, count(*) as n from mlog.events group by service order by service`.execute(
      db,
    );
    expect(left.map((r) => [r.service, new Date(r.first).toISOString().slice(0, 10), Number(r.n)])).toEqual([
      ['axi', '2026-03-07', 46 + 47 + 48 + 49],
      ['long', '2026-03-05', 18],
      ['short', '2026-03-09', 10],
    ]);
    // The hourly counts lost exactly what the events lost.
    const { rows: counted } = await sql<{ service: string; first: Date; n: string }>`
      select service, min(hour) as first, sum(count) as n from mlog.event_counts_hourly
      group by service order by service`.execute(db);
    expect(counted.map((r) => [r.service, new Date(r.first).toISOString(), Number(r.n)])).toEqual(
      left.map((r) => [
        r.service,
        new Date(Math.floor(new Date(r.first).getTime() / 3_600_000) * 3_600_000).toISOString(),
        Number(r.n),
      ]),
    );

    // A rerun finds nothing more to do.
    const again = await lifecycle.jobs.runRetention();
    expect(again.dropped).toEqual([]);
    expect(again.deleted.map((d) => d.rows)).toEqual([0, 0]);
  });
});

describe.each(databaseTargets())('MLOG rollups on $name', (target) => {
  let handle: DatabaseHandle;
  let db: Db;

  beforeAll(async () => {
    handle = await openMlog(target);
    db = handle.db;
    await createDayPartition(db, '2026-04-01');
    await createDayPartition(db, '2026-04-02');
    // u1: 3 events 10 min apart, a 40-minute pause, 2 more -> two derived sessions.
    await insertEvents(db, {
      start: '2026-04-01T10:00:00Z',
      n: 3,
      stepSeconds: 600,
      service: 'axi',
      userId: 'u1',
    });
    await insertEvents(db, {
      start: '2026-04-01T11:00:00Z',
      n: 2,
      stepSeconds: 60,
      service: 'axi',
      userId: 'u1',
    });
    // u1 with an explicit session id spanning more than the gap -> one session.
    await insertEvents(db, {
      start: '2026-04-01T12:00:00Z',
      n: 3,
      stepSeconds: 3600,
      service: 'aide',
      action: 'query',
      userId: 'u1',
      sessionId: 's-1',
    });
    await insertEvents(db, {
      start: '2026-04-01T10:00:00Z',
      n: 4,
      stepSeconds: 60,
      service: 'axi',
      userId: 'u2',
    });
    await insertEvents(db, {
      start: '2026-04-02T00:10:00Z',
      n: 2,
      stepSeconds: 60,
      service: 'axi',
      userId: null,
    });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('counts events and distinct users per day, and derives sessions; a rerun changes nothing', async () => {
    const lifecycle = lifecycleAt(db, '2026-04-02T08:00:00Z');
    await lifecycle.jobs.refreshRollups();
    const metrics = async () =>
      (
        await sql<{ day: string; service: string; action: string; count: string; distinctUsers: string }>`
        select to_char(day, 'YYYY-MM-DD') as day, service, action, count, distinct_users
        from mlog.daily_metrics order by 1, 2, 3`.execute(db)
      ).rows.map((r) => [r.day, r.service, r.action, Number(r.count), Number(r.distinctUsers)]);
    const expected = [
      ['2026-04-01', 'aide', 'query', 3, 1],
      ['2026-04-01', 'axi', 'login', 9, 2],
      ['2026-04-02', 'axi', 'login', 2, 0],
    ];
    expect(await metrics()).toEqual(expected);

    const sessions = async () =>
      (
        await sql<{
          userId: string;
          service: string;
          sessionId: string | null;
          startedAt: Date;
          events: number;
        }>`
        select user_id, service, session_id, started_at, events from mlog.user_sessions
        order by user_id, started_at`.execute(db)
      ).rows.map((r) => [
        r.userId,
        r.service,
        r.sessionId,
        new Date(r.startedAt).toISOString(),
        Number(r.events),
      ]);
    const expectedSessions = [
      ['u1', 'axi', null, '2026-04-01T10:00:00.000Z', 3],
      ['u1', 'axi', null, '2026-04-01T11:00:00.000Z', 2],
      ['u1', 'aide', 's-1', '2026-04-01T12:00:00.000Z', 3],
      ['u2', 'axi', null, '2026-04-01T10:00:00.000Z', 4],
    ];
    expect(await sessions()).toEqual(expectedSessions);

    await lifecycle.jobs.refreshRollups();
    expect(await metrics()).toEqual(expected);
    expect(await sessions()).toEqual(expectedSessions);
  });

  it('a session open at the window start is rebuilt whole, not split', async () => {
    // u3 is active across midnight; the next day's refresh window starts at 2026-04-02 00:00.
    await insertEvents(db, {
      start: '2026-04-01T23:50:00Z',
      n: 3,
      stepSeconds: 300,
      service: 'echo',
      userId: 'u3',
    });
    const lifecycle = lifecycleAt(db, '2026-04-02T08:00:00Z', {});
    await lifecycle.jobs.refreshRollups();
    lifecycle.setClock('2026-04-03T08:00:00Z');
    await createDayPartition(db, '2026-04-03');
    await insertEvents(db, {
      start: '2026-04-02T00:05:30Z',
      n: 1,
      stepSeconds: 60,
      service: 'echo',
      userId: 'u3',
    });
    await lifecycle.jobs.refreshRollups();
    const { rows } = await sql<{ startedAt: Date; endedAt: Date; events: number }>`
      select started_at, ended_at, events from mlog.user_sessions where user_id = 'u3'`.execute(db);
    expect(
      rows.map((r) => [new Date(r.startedAt).toISOString(), new Date(r.endedAt).toISOString(), r.events]),
    ).toEqual([['2026-04-01T23:50:00.000Z', '2026-04-02T00:05:30.000Z', 4]]);
  });
});

describe.each(databaseTargets())('MLOG anomaly detection on $name', (target) => {
  let handle: DatabaseHandle;
  let db: Db;
  let server: Server;
  let hookUrl: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    handle = await openMlog(target);
    db = handle.db;
    await createDayPartition(db, '2026-05-01');
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  });
  afterAll(async () => {
    await handle?.close();
    await new Promise<void>((r) => server?.close(() => r()));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const outboxRows = async () =>
    (
      await sql<{ idempotencyKey: string; payload: Record<string, unknown> }>`
      select idempotency_key, payload from mlog.outbox where type = 'audit.anomaly.detected' order by seq`.execute(
        db,
      )
    ).rows;

  it('a steady rate is not an anomaly', async () => {
    // 10:00-11:00: 10 logins a minute, then 12 in 11:00 (judged at 11:01:30).
    await insertEvents(db, { start: '2026-05-01T10:00:00Z', n: 600, stepSeconds: 6, service: 'steady' });
    await insertEvents(db, { start: '2026-05-01T11:00:00Z', n: 12, stepSeconds: 5, service: 'steady' });
    const lifecycle = lifecycleAt(db, '2026-05-01T11:01:30Z', {
      MLOG_WEBHOOK_URLS: hookUrl,
      MLOG_WEBHOOK_SECRET: secret,
      MLOG_WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    expect(await lifecycle.jobs.detectAnomalies()).toEqual([]);
    await lifecycle.stop();
    expect(await outboxRows()).toEqual([]);
    expect(received).toEqual([]);
  });

  it('a spike is detected once, announced through the outbox and a signed webhook', async () => {
    await insertEvents(db, {
      start: '2026-05-01T12:00:00Z',
      n: 600,
      stepSeconds: 6,
      service: 'spiky',
      action: 'error',
    });
    await insertEvents(db, {
      start: '2026-05-01T13:00:00Z',
      n: 120,
      stepSeconds: 0.5,
      service: 'spiky',
      action: 'error',
    });
    const lifecycle = lifecycleAt(db, '2026-05-01T13:01:10Z', {
      MLOG_WEBHOOK_URLS: hookUrl,
      MLOG_WEBHOOK_SECRET: secret,
      MLOG_WEBHOOK_ALLOW_PRIVATE: 'true',
      MLOG_ANOMALY_Z: '4',
    });
    const found = await lifecycle.jobs.detectAnomalies();
    expect(found?.map((d) => [d.service, d.action, d.minute.toISOString(), d.count, d.baselineMean])).toEqual(
      [['spiky', 'error', '2026-05-01T13:00:00.000Z', 120, 10]],
    );
    // A rerun for the same minute neither stores, announces nor calls the webhook again.
    expect(await lifecycle.jobs.detectAnomalies()).toEqual([]);
    await lifecycle.stop();

    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idempotencyKey).toBe('spiky:error:2026-05-01T13:00:00.000Z');
    expect(rows[0]!.payload).toMatchObject({ service: 'spiky', action: 'error', count: 120 });

    expect(received).toHaveLength(1);
    const hook = received[0]!;
    expect(
      verifyWebhookSignature(
        secret,
        {
          timestamp: hook.headers[TIMESTAMP_HEADER] as string,
          signature: hook.headers[SIGNATURE_HEADER] as string,
          body: hook.body,
        },
        { now: new Date('2026-05-01T13:01:10Z') },
      ),
    ).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({
      type: 'audit.anomaly.detected',
      idempotencyKey: 'spiky:error:2026-05-01T13:00:00.000Z',
      payload: { service: 'spiky', count: 120 },
    });

    const { rows: stored } = await sql<{ n: string }>`select count(*) as n from mlog.anomalies`.execute(db);
    expect(Number(stored[0]!.n)).toBe(1);
  });

  it('a private webhook address is refused when not allowed; the detection still stands', async () => {
    await insertEvents(db, { start: '2026-05-01T14:00:00Z', n: 600, stepSeconds: 6, service: 'guarded' });
    await insertEvents(db, { start: '2026-05-01T15:00:00Z', n: 200, stepSeconds: 0.25, service: 'guarded' });
    const lifecycle = lifecycleAt(db, '2026-05-01T15:01:00Z', {
      MLOG_WEBHOOK_URLS: hookUrl,
      MLOG_WEBHOOK_SECRET: secret,
    });
    const found = await lifecycle.jobs.detectAnomalies();
    await lifecycle.stop();
    expect(found?.map((d) => d.service)).toEqual(['guarded']);
    expect(received).toEqual([]);
    expect((await outboxRows()).map((r) => r.idempotencyKey)).toContain(
      'guarded:login:2026-05-01T15:00:00.000Z',
    );
  });

  it('a service with too short a history is not judged', async () => {
    await insertEvents(db, { start: '2026-05-01T16:50:00Z', n: 10, stepSeconds: 60, service: 'newcomer' });
    await insertEvents(db, { start: '2026-05-01T17:00:00Z', n: 300, stepSeconds: 0.2, service: 'newcomer' });
    const lifecycle = lifecycleAt(db, '2026-05-01T17:01:00Z');
    expect(await lifecycle.jobs.detectAnomalies()).toEqual([]);
    await lifecycle.stop();
  });
});

// Several replicas: one holds the job's advisory lock, the other skips instead of waiting.
// Needs two connections, so real PostgreSQL only (PGlite is one connection).
describe.each(databaseTargets().filter((t) => t.name === 'postgres'))('MLOG job lock on $name', (target) => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openMlog(target);
    await createDayPartition(handle.db, '2020-02-01');
  });
  afterAll(async () => {
    await handle?.close();
  });

  it('a replica finding retention locked skips the step and says so', async () => {
    const lifecycle = lifecycleAt(handle.db, '2026-06-01T00:00:00Z');
    let releaseLock: () => void = () => {};
    let locked: () => void = () => {};
    const lockHeld = new Promise<void>((r) => {
      locked = r;
    });
    const holder = handle.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended('mlog.retention', 0))`.execute(tx);
      locked();
      await new Promise<void>((r) => {
        releaseLock = r;
      });
    });
    await lockHeld;
    const busy = await lifecycle.jobs.runRetention();
    releaseLock();
    await holder;
    expect(busy.skippedBusy).toBe(1);
    expect(busy.dropped).toEqual([]);
    expect(await partitions(handle.db)).toEqual(['events_20200201']);

    const free = await lifecycle.jobs.runRetention();
    expect(free.dropped.map((d) => d.partition)).toEqual(['events_20200201']);
  });
});

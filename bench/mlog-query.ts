/**
 * MLOG query benchmark on real PostgreSQL: 10,000,000 audit events over 30 days generated in SQL
 * straight into the day partitions (8 services, 12 actions, 50,000 users, all skewed), their
 * hourly counts recounted (ingest keeps them; this load goes around ingest), ANALYZEd, then the
 * query service's own functions, each called many times over varied windows/services:
 *   - timeline by hour over 7 days, by minute over 6 hours, by day over 30 days
 *     (each with no filter, or with one service)
 *   - per-service analytics over 24 h and over 7 days: counts by action (the default), and
 *     with exact distinct users (users=true)
 * Printed: p50/p95 of each next to the target (p95 < 100 ms) with the ratio p95/target.
 * A scratch database is created and dropped (BENCH_KEEP=1 keeps it and prints its URL;
 * BENCH_REUSE_URL=<that url> measures it again without loading, on the same UTC day).
 *
 *   npx tsx bench/mlog-query.ts        (BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 *                                       else postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROWS=1000000 BENCH_CALLS=20 npx tsx bench/mlog-query.ts
 *   BENCH_EXPLAIN=1 ...                 also prints EXPLAIN ANALYZE of one call of each query
 */
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/server/platform/config/load-config.js';
import { openPostgresDatabase } from '../src/server/platform/db/database.js';
import type { RequestContext } from '../src/server/platform/http/request-context.js';
import { migrateModules } from '../src/server/runtime.js';
import { rebuildEventCounts } from '../src/server/services/mlog/event-counts.js';
import {
  createDayPartition,
  dayOf,
  partitionName,
} from '../src/server/services/mlog/events/events.repository.js';
import { createEventsService } from '../src/server/services/mlog/events/events.service.js';
import { mlogModule } from '../src/server/services/mlog/index.js';
import { createQueryService } from '../src/server/services/mlog/query/query.service.js';
import { createQueryAudit } from '../src/server/services/mlog/query-audit.js';
import { createPostgresDatabase } from '../test/support/databases.js';

const baseUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const total = Number(process.env.BENCH_ROWS ?? 10_000_000);
const calls = Number(process.env.BENCH_CALLS ?? 60);
const explain = process.env.BENCH_EXPLAIN === '1';
const DAYS = 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const TARGET_MS = 100;

// The 8 services and 12 actions, most frequent first (the generator skews toward the start).
const services = ['axi', 'portfolio', 'aide', 'grasp', 'echo', 'mint', 'adtech', 'billing-api'];
const actions = [
  'query',
  'login',
  'upload',
  'auth.token.refreshed',
  'error',
  'export.csv',
  'dataset.deleted',
  'logout',
  'profile.updated',
  'cohort.calculated',
  'password.changed',
  'mfa.enabled',
];
const USERS = 50_000;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] as number;
}

/** A small deterministic PRNG, so every run asks the same questions. */
function seeded(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main() {
  // BENCH_REUSE_URL: a database a BENCH_KEEP=1 run loaded today (skips the load).
  const reuseUrl = process.env.BENCH_REUSE_URL;
  const keep = process.env.BENCH_KEEP === '1';
  const scratch = reuseUrl ? { url: reuseUrl, drop: async () => {} } : await createPostgresDatabase(baseUrl);
  const database = await openPostgresDatabase({
    url: scratch.url,
    // The pool of APP_ENV=dev.
    pool: { max: 10, connectionTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
    statementTimeoutMs: 0,
    applicationName: 'bench-mlog-query',
  });
  const log = pino({ level: 'silent' });
  try {
    const db = database.db;
    await migrateModules([mlogModule], new Map([['mlog', database]]), log);

    // 30 whole UTC days ending at today's midnight; the service's clock stands at that midnight.
    const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const start = end - DAYS * DAY_MS;
    const now = new Date(end);
    const days = Array.from({ length: DAYS }, (_, i) => dayOf(new Date(start + i * DAY_MS)));
    let loaded = 'reused from an earlier run';
    if (!reuseUrl) {
      await db.transaction().execute(async (tx) => {
        for (const day of days) await createDayPartition(tx, day);
      });

      const loadStarted = performance.now();
      const perDay = Math.ceil(total / DAYS);
      // Two days at a time (two cores). Skew: services and actions by a power of a uniform draw
      // (the first ~40% of the time), users heavy-tailed, a diurnal peak around 14:00 UTC.
      const loadDay = async (i: number) => {
        const dayStart = new Date(start + i * DAY_MS);
        const rows = Math.min(perDay, total - i * perDay);
        if (rows <= 0) return;
        await sql
          .raw(`
          insert into ${partitionName(days[i] as string)}
            (id, ts, received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata)
          select gen_random_uuid(), t, t + interval '40 ms',
            (array[${services.map((s) => `'${s}'`).join(',')}])[1 + floor(8 * power(random(), 2.2))::int],
            (array[${actions.map((a) => `'${a}'`).join(',')}])[1 + floor(12 * power(random(), 2.5))::int],
            case when random() < 0.03 then null else 'user-' || floor(${USERS} * power(random(), 3))::int end,
            's-' || floor(random() * 400000)::int,
            'c-' || g,
            2,
            jsonb_build_object('status', case when random() < 0.05 then 500 else 200 end,
                               'path', '/api/x/' || floor(random() * 97)::int)
          from (select g, timestamptz '${dayStart.toISOString()}'
              + make_interval(secs => least(86399.999, greatest(0,
                  case when random() < 0.5 then random() * 86400
                       else 50400 + (random() + random() + random() - 1.5) * 4 * 3600 end))) as t
            from generate_series(1, ${rows}) g) s`)
          .execute(db);
      };
      for (let i = 0; i < DAYS; i += 2) await Promise.all([loadDay(i), loadDay(i + 1)]);
      const loadMs = performance.now() - loadStarted;
      // Loaded around the ingest path, which keeps the hourly counts: recount them as the
      // migration does for events stored before the table existed.
      const countsStarted = performance.now();
      await rebuildEventCounts(db, new Date(start), new Date(end));
      const countsMs = performance.now() - countsStarted;
      await sql`analyze mlog.events`.execute(db);
      await sql`analyze mlog.event_counts_hourly`.execute(db);
      for (const day of days) await sql.raw(`analyze ${partitionName(day)}`).execute(db);
      await sql`vacuum (analyze) mlog.events`.execute(db);
      loaded = `generated in ${(loadMs / 1000).toFixed(1)} s, hourly counts recounted in ${(countsMs / 1000).toFixed(1)} s, then ANALYZE + VACUUM`;
    }
    const counted = Number(
      (await sql<{ n: string }>`select count(*) as n from mlog.events`.execute(db)).rows[0]?.n,
    );
    console.log(`${counted.toLocaleString('en')} events over ${DAYS} day partitions ${loaded}`);
    const mix = await sql<{ service: string; n: string }>`
      select service, count(*) as n from mlog.events group by 1 order by 2 desc`.execute(db);
    console.log(
      `  per service: ${mix.rows.map((r) => `${r.service} ${((Number(r.n) / counted) * 100).toFixed(1)}%`).join(', ')}`,
    );

    const config = loadConfig({ readEnvFiles: false, env: { DATA_DIR: 'memory://', LOG_LEVEL: 'silent' } });
    const clock = () => now;
    // Constructed as query/index.ts does: the analytics calls are themselves audited through
    // the events feature's insertEvents.
    const events = createEventsService({ db, database, config, clock, log });
    const query = createQueryService({
      db,
      clock,
      recordQuery: createQueryAudit({ db, clock, log, insertEvents: events.insertEvents }),
    });
    const ctx = {
      actor: { id: 'bench-analyst', roles: ['analyst'] },
      correlationId: 'bench',
      log,
    } as unknown as RequestContext;

    const rand = seeded(42);
    const pickService = () => services[Math.floor(rand() * services.length)] as string;
    // A window of `lengthMs` ending at a random whole minute in the 30 days (never before the data).
    const windowOf = (lengthMs: number) => {
      const latest = end;
      const earliest = start + lengthMs;
      const to = earliest + Math.floor((rand() * (latest - earliest)) / 60_000) * 60_000;
      return { from: new Date(to - lengthMs).toISOString(), to: new Date(to).toISOString() };
    };
    const lastWindowOf = (lengthMs: number) => ({
      from: new Date(end - lengthMs).toISOString(),
      to: now.toISOString(),
    });

    type Case = { label: string; run: () => Promise<unknown>; sqlText?: () => string };
    const cases: Case[] = [];
    for (const filtered of [false, true]) {
      const svc = () => (filtered ? { service: pickService() } : {});
      const suffix = filtered ? ', one service' : ', all services';
      cases.push(
        {
          label: `timeline hour x 7 d${suffix}`,
          run: () => query.timeline(ctx, { bucket: 'hour', ...windowOf(7 * DAY_MS), ...svc() }),
        },
        {
          label: `timeline minute x 6 h${suffix}`,
          run: () => query.timeline(ctx, { bucket: 'minute', ...windowOf(6 * HOUR_MS), ...svc() }),
        },
        {
          label: `timeline day x 30 d${suffix}`,
          // The whole stored range, shifted by up to a day so windows differ.
          run: () => {
            const w = windowOf(29 * DAY_MS);
            return query.timeline(ctx, {
              bucket: 'day',
              from: new Date(Date.parse(w.from) - DAY_MS).toISOString(),
              to: w.to,
              ...svc(),
            });
          },
        },
      );
    }
    // Counts by action (the default), then with exact distinct users (users=true), which must
    // read the window's events: the hourly counts cannot answer it.
    for (const users of [false, true]) {
      const suffix = users ? ', + distinct users' : '';
      cases.push(
        {
          label: `analytics 24 h (per service)${suffix}`,
          run: () => query.serviceAnalytics(ctx, pickService(), { ...windowOf(DAY_MS), users }),
        },
        {
          label: `analytics 24 h, last day${suffix}`,
          run: () => query.serviceAnalytics(ctx, pickService(), { ...lastWindowOf(DAY_MS), users }),
        },
        {
          label: `analytics 7 d (per service)${suffix}`,
          run: () => query.serviceAnalytics(ctx, pickService(), { ...windowOf(7 * DAY_MS), users }),
        },
      );
    }

    // Warm the cache the way a running server's would be: one pass of every query first.
    for (const c of cases) for (let i = 0; i < 3; i++) await c.run();

    console.log(
      `\nMLOG queries over ${counted.toLocaleString('en')} events, ${calls} calls each, real PostgreSQL (target p95 < ${TARGET_MS} ms):`,
    );
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < calls; i++) {
        const started = performance.now();
        await c.run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      console.log(
        `  ${c.label.padEnd(56)} p50 ${p50.toFixed(1).padStart(7)} ms  p95 ${p95.toFixed(1).padStart(7)} ms  target ${TARGET_MS} ms  ratio ${(p95 / TARGET_MS).toFixed(2)}  ${p95 < TARGET_MS ? 'ok' : 'OVER TARGET'}`,
      );
    }

    if (explain) {
      const to = new Date(end - 3 * DAY_MS);
      const show = async (label: string, text: string) => {
        const { rows } = await sql<{
          'QUERY PLAN': string;
        }>`${sql.raw(`explain (analyze, buffers) ${text}`)}`.execute(db);
        console.log(`\n--- ${label}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      };
      const w7 = `ts >= '${new Date(to.getTime() - 7 * DAY_MS).toISOString()}' and ts < '${to.toISOString()}'`;
      const w1 = `ts >= '${new Date(to.getTime() - DAY_MS).toISOString()}' and ts < '${to.toISOString()}'`;
      await show(
        'timeline hour 7 d, all',
        `select date_trunc('hour', ts, 'UTC') t, count(*)::int from mlog.events where ${w7} group by 1 order by 1`,
      );
      await show(
        'timeline hour 7 d, one service',
        `select date_trunc('hour', ts, 'UTC') t, count(*)::int from mlog.events where ${w7} and service = 'aide' group by 1 order by 1`,
      );
      await show(
        'analytics 7 d by action',
        `select action, count(*)::int, count(distinct user_id)::int from mlog.events where ${w7} and service = 'axi' group by action order by 2 desc, action collate "C"`,
      );
      await show(
        'analytics 24 h totals',
        `select count(*)::int, count(distinct user_id)::int from mlog.events where ${w1} and service = 'axi'`,
      );
    }
    // Let the fire-and-forget audit inserts finish before closing the pool.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await database.close();
    if (keep || reuseUrl) console.log(`\nkept the loaded database: BENCH_REUSE_URL=${scratch.url}`);
    else await scratch.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * MLOG ingest benchmark: 1,000,000 audit events over 30 days into the day-partitioned
 * `mlog.events`, measured side by side in one run against `psql \copy` of the same events into
 * the same table (the anchor). Printed: events/minute of each and the ratio.
 *
 *   npx tsx bench/mlog-ingest.ts         (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROWS=200000 npx tsx bench/mlog-ingest.ts
 *
 * (a) psql \copy of the events as one COPY text file (partitions created beforehand, untimed);
 * (b) insertEvents, the storage path of every ingest request: batches of 100,000 validated
 *     events, each batch one transaction (partition check + COPY chunks), 30 partitions created
 *     inside the timed first batch;
 * (c) the whole NDJSON request path without HTTP (parse each line, validate, upcast, COPY in
 *     5,000-row chunks), batches of 100,000 lines.
 * The table is truncated and checkpointed before each run so each starts from the same state.
 * Each step also prints the CPU seconds this process and PostgreSQL used in it (which side it
 * waits on). BENCH_GC=1 collects the garbage of generating each batch before timing it.
 *
 * Other work on the same machine moves every figure: compare ratios within one run, run twice.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../src/server/platform/config/load-config.js';
import { openPostgresDatabase } from '../src/server/platform/db/database.js';
import type { RequestContext } from '../src/server/platform/http/request-context.js';
import { migrateModules } from '../src/server/runtime.js';
import type { StoredAuditEvent } from '../src/server/services/mlog/audit-event.js';
import { encodeRow } from '../src/server/services/mlog/events/copy-rows.js';
import { validateEvent } from '../src/server/services/mlog/events/event-validation.js';
import { createDayPartition, dayOf } from '../src/server/services/mlog/events/events.repository.js';
import { createEventsService } from '../src/server/services/mlog/events/events.service.js';
import { mlogModule } from '../src/server/services/mlog/index.js';
import { createPostgresDatabase } from '../test/support/databases.js';

const total = Number(process.env.BENCH_ROWS ?? 1_000_000);
const batchSize = 100_000;
const days = 30;
const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dir = join(tmpdir(), 'mlog-bench');

const services = ['axi', 'aide', 'grasp', 'echo', 'mint', 'adtech', 'portfolio', 'billing-api'];
const actions = [
  'login',
  'upload',
  'query',
  'error',
  'dataset.deleted',
  'auth.token.refreshed',
  'export.csv',
];

/** A deterministic stream of NDJSON event lines spread over the last `days` days. */
function* eventLines(from: number, to: number, now: number): Generator<string> {
  const span = days * 86_400_000 - 3_600_000;
  for (let i = from; i < to; i++) {
    // A hash of the index: any batch can be regenerated alone, identical every time.
    const r = Math.imul(i ^ 0x5bd1e995, 0x27d4eb2d) >>> 1;
    const ts = new Date(now - 60_000 - Math.floor((i / total) * span) - (r % 1000));
    yield JSON.stringify({
      schema_version: r % 10 === 0 ? 1 : 2,
      timestamp: ts.toISOString(),
      service: services[r % services.length],
      action: actions[(r >> 3) % actions.length],
      ...(r % 10 === 0 ? { user: `user-${r % 5000}` } : { user_id: `user-${r % 5000}` }),
      session_id: `s-${(r >> 5) % 20_000}`,
      correlation_id: `c-${i}`,
      ...(r % 10 === 0
        ? { meta: { ip: `10.0.${r % 256}.${(r >> 8) % 256}`, status: 200 } }
        : {
            metadata: {
              ip: `10.0.${r % 256}.${(r >> 8) % 256}`,
              status: (r & 1) === 0 ? 200 : 404,
              path: `/api/x/${r % 97}`,
            },
          }),
    });
  }
}

/**
 * Each batch is generated just before it is timed. With BENCH_GC=1 the garbage of that generation
 * (100,000 JSON strings or event objects) is collected before the clock starts, so a step is
 * billed for its own allocations only; without it, whichever step runs next pays for it.
 */
const collectBenchGarbage: () => void =
  process.env.BENCH_GC === '1'
    ? (() => {
        setFlagsFromString('--expose-gc');
        return runInNewContext('gc') as () => void;
      })()
    : () => {};

const perMinute = (rows: number, ms: number) => Math.round((rows / ms) * 60_000);

/**
 * CPU seconds used so far by this process and, per process id, by the PostgreSQL backends
 * serving the bench's scratch `database` (Linux /proc; none where unreadable): with wall time
 * they show which side a step waits on. Other sessions' backends on the server are left out.
 */
type CpuSnapshot = { node: number; backends: Map<string, number> };

function cpuSnapshot(database: string): CpuSnapshot {
  const usage = process.cpuUsage();
  const backends = new Map<string, number>();
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid));
  } catch {
    // No /proc: PostgreSQL CPU is not reported.
  }
  for (const pid of pids) {
    try {
      // A backend's title: "postgres: 15/main: <user> <database> <client> <activity>".
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      backends.set(pid, (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
    } catch {
      // The process ended while we looked.
    }
  }
  return { node: (usage.user + usage.system) / 1e6, backends };
}

/** CPU used since `start`; a backend that ended meanwhile (psql's, at its end) is not counted. */
function cpuSince(database: string, start: CpuSnapshot): { node: number; postgres: number } {
  const now = cpuSnapshot(database);
  let postgres = 0;
  for (const [pid, seconds] of now.backends) postgres += seconds - (start.backends.get(pid) ?? 0);
  return { node: now.node - start.node, postgres };
}

const fmt = (n: number) => n.toLocaleString('en');

async function main() {
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const config = loadConfig({ readEnvFiles: false, env: { DATA_DIR: 'memory://', LOG_LEVEL: 'silent' } });
  const log = pino({ level: 'silent' });
  const limits = {
    metadataMaxBytes: config.mlog.metadataMaxBytes,
    retentionDays: config.mlog.retentionDays,
    retentionByService: config.mlog.retentionByService,
  };
  const clock = () => new Date(now);

  // Batches are regenerated (identically) before each timed step, so the heap holds one batch
  // at a time, as a server does, and generation is never inside the timings.
  const batchRanges = Array.from({ length: Math.ceil(total / batchSize) }, (_, i) => [
    i * batchSize,
    Math.min(total, (i + 1) * batchSize),
  ]) as [number, number][];
  const storedBatch = (from: number, to: number) => {
    const events: StoredAuditEvent[] = [];
    for (const line of eventLines(from, to, now)) {
      const checked = validateEvent(JSON.parse(line), new Date(now), limits);
      if (!checked.ok) throw new Error(`generated a bad event: ${checked.field} ${checked.message}`);
      events.push(checked.event);
    }
    return events;
  };
  const ndjsonBatch = (from: number, to: number) =>
    Buffer.from(`${[...eventLines(from, to, now)].join('\n')}\n`);

  // The anchor's input: the same events as one COPY text file.
  const prepared = performance.now();
  const copyFile = join(dir, `events-${total}.copy`);
  const out = createWriteStream(copyFile);
  const eventDays = new Set<string>();
  for (const [from, to] of batchRanges) {
    for (const event of storedBatch(from, to)) {
      eventDays.add(dayOf(event.ts));
      if (!out.write(encodeRow(event))) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  console.log(
    `${fmt(total)} events over ${days} days, ${batchRanges.length} batches; prepared in ${((performance.now() - prepared) / 1000).toFixed(1)} s`,
  );

  const scratch = await createPostgresDatabase(baseUrl);
  const scratchName = new URL(scratch.url).pathname.slice(1);
  const database = await openPostgresDatabase({
    url: scratch.url,
    pool: { max: 4, connectionTimeoutMs: 5000, idleTimeoutMs: 10_000 },
    statementTimeoutMs: 0,
    applicationName: 'mlog-bench',
  });
  try {
    await migrateModules([mlogModule], new Map([['mlog', database]]), log);
    const db = database.db;
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from mlog.events`.execute(db)).rows[0]?.n);
    const reset = async () => {
      await sql`truncate mlog.events`.execute(db);
      await sql`checkpoint`.execute(db);
    };

    // (a) the anchor: partitions made first (untimed), then one psql \copy of the file.
    await db.transaction().execute(async (tx) => {
      for (const day of [...eventDays].sort()) await createDayPartition(tx, day);
    });
    await reset();
    const psqlCpu = cpuSnapshot(scratchName);
    const psqlStart = performance.now();
    execFileSync(
      'psql',
      [
        scratch.url,
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `\\copy mlog.events (id, ts, received_at, service, action, user_id, session_id, correlation_id, schema_version, metadata) from '${copyFile}'`,
      ],
      { env: { ...process.env, PGTZ: 'UTC' }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const psqlMs = performance.now() - psqlStart;
    const psqlCpuUsed = cpuSince(scratchName, psqlCpu);
    if ((await count()) !== total) throw new Error('the anchor did not load every event');

    // (b) insertEvents, from no partition at all.
    const partitions = await sql<{ name: string }>`select inhrelid::regclass::text as name from pg_inherits
      where inhparent = 'mlog.events'::regclass`.execute(db);
    for (const { name } of partitions.rows) await sql.raw(`drop table ${name}`).execute(db);
    await sql`checkpoint`.execute(db);
    const events = createEventsService({ db, database, config, clock, log });
    let oursMs = 0;
    const oursCpuUsed = { node: 0, postgres: 0 };
    for (const [from, to] of batchRanges) {
      const batch = storedBatch(from, to);
      collectBenchGarbage();
      const cpu = cpuSnapshot(scratchName);
      const started = performance.now();
      await events.insertEvents(db, batch);
      oursMs += performance.now() - started;
      const used = cpuSince(scratchName, cpu);
      oursCpuUsed.node += used.node;
      oursCpuUsed.postgres += used.postgres;
    }
    if ((await count()) !== total) throw new Error('insertEvents did not store every event');

    // (c) the NDJSON request path (partitions now cached, as on a running server).
    await reset();
    const ctx = {
      actor: { id: 'bench', roles: ['analyst'] },
      correlationId: 'bench',
      log,
    } as unknown as RequestContext;
    let ndjsonMs = 0;
    const ndjsonCpuUsed = { node: 0, postgres: 0 };
    for (const [from, to] of batchRanges) {
      const body = ndjsonBatch(from, to);
      collectBenchGarbage();
      const cpu = cpuSnapshot(scratchName);
      const started = performance.now();
      const result = await events.ingestNdjson(ctx, [body]);
      ndjsonMs += performance.now() - started;
      const used = cpuSince(scratchName, cpu);
      ndjsonCpuUsed.node += used.node;
      ndjsonCpuUsed.postgres += used.postgres;
      if (result.rejected > 0)
        throw new Error(`rejected ${result.rejected}: ${JSON.stringify(result.errors[0])}`);
    }
    if ((await count()) !== total) throw new Error('ingestNdjson did not store every event');

    const anchorRate = perMinute(total, psqlMs);
    const line = (label: string, ms: number, cpu: { node: number; postgres: number }) =>
      `  ${label.padEnd(44)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${fmt(perMinute(total, ms)).padStart(12)} events/min  ratio ${(
        perMinute(total, ms) / anchorRate
      ).toFixed(2)}  cpu: node ${cpu.node.toFixed(1)} s, postgres ${cpu.postgres.toFixed(1)} s`;
    console.log(
      `\nMLOG ingest of ${fmt(total)} events into mlog.events (${days} day partitions), real PostgreSQL:`,
    );
    console.log(line('(a) psql \\copy, one COPY (anchor)', psqlMs, psqlCpuUsed));
    console.log(
      `${line('(b) insertEvents, batches of 100,000', oursMs, oursCpuUsed)}   (targets: >= 1,000,000/min, ratio >= 0.5)`,
    );
    console.log(line('(c) NDJSON parse + validate + insertEvents', ndjsonMs, ndjsonCpuUsed));
  } finally {
    await database.close();
    await scratch.drop();
    rmSync(copyFile, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { PoolSettings } from '../config/load-config.js';
import { redactUrl } from '../config/load-config.js';
import { PGliteDialect } from './pglite-dialect.js';

// Keep int8 as a string on both engines: the same query must return the same JS type whether
// it runs on PGlite or PostgreSQL, and a bigint does not always fit a JS number.
const INT8_OID = 20;

// biome-ignore lint/suspicious/noExplicitAny: each service narrows the handle to its own tables.
export type Db = Kysely<any>;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** One database connection (an embedded PGlite or a node-postgres pool) and what to watch on it. */
export interface DatabaseHandle {
  readonly kind: 'pglite' | 'postgres';
  /** Where it points, safe to log (password redacted). */
  readonly label: string;
  readonly db: Db;
  /** Rejects when the database cannot answer `select 1`. */
  check(): Promise<void>;
  poolStats(): PoolStats | undefined;
  close(): Promise<void>;
}

export interface DatabaseObserver {
  onQuery(durationMs: number, failed: boolean, database: string): void;
}

function kyselyLog(observer: DatabaseObserver | undefined, database: string) {
  if (!observer) return undefined;
  return (event: LogEvent) => observer.onQuery(event.queryDurationMillis, event.level === 'error', database);
}

export async function openEmbeddedDatabase(options: {
  /** A directory to persist in, or `memory://` for a throwaway database (tests). */
  dataDir: string;
  observer?: DatabaseObserver;
  log?: Logger;
}): Promise<DatabaseHandle> {
  const inMemory = options.dataDir.startsWith('memory://');
  let target = options.dataDir;
  if (!inMemory) {
    target = resolve(options.dataDir, 'pglite');
    mkdirSync(target, { recursive: true });
  }
  const pglite = await PGlite.create(inMemory ? undefined : target, {
    parsers: { [INT8_OID]: (value: string) => value },
  });
  const label = inMemory ? 'pglite (in memory)' : `pglite at ${target}`;
  const db: Db = new Kysely({
    dialect: new PGliteDialect(pglite),
    plugins: [new CamelCasePlugin()],
    log: kyselyLog(options.observer, 'embedded'),
  });
  return {
    kind: 'pglite',
    label,
    db,
    check: async () => {
      await sql`select 1`.execute(db);
    },
    poolStats: () => undefined,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

export async function openPostgresDatabase(options: {
  url: string;
  pool: PoolSettings;
  statementTimeoutMs: number;
  applicationName: string;
  observer?: DatabaseObserver;
  log?: Logger;
}): Promise<DatabaseHandle> {
  const label = redactUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.pool.max,
    connectionTimeoutMillis: options.pool.connectionTimeoutMs,
    idleTimeoutMillis: options.pool.idleTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    application_name: options.applicationName,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => v
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server (restart, network cut) emits here; without a listener the
  // process would crash. The pool drops the client and opens a new one on demand.
  pool.on('error', (err) =>
    options.log?.warn({ err: err.message, database: label }, 'idle database client lost'),
  );
  // A client that is checked out also emits 'error' when its socket dies (the query in flight
  // fails on its own); pg leaves such clients without a listener, which would crash the process.
  pool.on('connect', (client) => {
    client.on('error', (err) =>
      options.log?.warn({ err: err.message, database: label }, 'database connection lost'),
    );
  });
  const db: Db = new Kysely({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
    log: kyselyLog(options.observer, label),
  });
  return {
    kind: 'postgres',
    label,
    db,
    check: async () => {
      await sql`select 1`.execute(db);
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: options.pool.max,
    }),
    close: async () => {
      await db.destroy();
    },
  };
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** True when an error means the database cannot be reached (as opposed to a bad query). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && unavailableCodes.has(code)) return true;
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(
    err.message,
  );
}

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, type Dialect, Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Logger } from 'pino';
import type { PoolSettings } from '../config/load-config.js';
import { redactUrl } from '../config/load-config.js';
import { PGliteDialect, PGliteHeldDialect } from './pglite-dialect.js';

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

/** One connection held for a bulk load: queries and COPY run on it, in whatever transaction is open. */
export interface CopySession {
  /** Kysely bound to this one connection: open the transaction with it (db.transaction().execute(...)). */
  db: Db;
  /**
   * `COPY ... FROM STDIN` on the same connection, inside whatever transaction is open on it.
   * `chunks` are PostgreSQL COPY text-format bytes, each chunk holding whole rows only.
   * Returns the number of rows copied.
   */
  copyFrom(statement: string, chunks: AsyncIterable<Uint8Array>): Promise<number>;
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
  /** Holds one connection for `fn` (released, or discarded on error, when it settles). */
  withCopySession<T>(fn: (session: CopySession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseObserver {
  onQuery(durationMs: number, failed: boolean, database: string): void;
}

function newKysely(dialect: Dialect, observer: DatabaseObserver | undefined, database: string): Db {
  return new Kysely({ dialect, plugins: [new CamelCasePlugin()], log: kyselyLog(observer, database) });
}

const copyStatement = /^\s*copy\s[^;]*\bfrom\s+stdin\b[^;]*$/i;

function assertCopyFromStdin(statement: string): void {
  // Only the bulk-load form is offered: a session is not a way to run arbitrary SQL unseen.
  // String literals (a delimiter such as ';') are blanked before looking for a second statement.
  const outsideLiterals = statement.replace(/E?'(?:[^'\\]|''|\\.)*'/g, "''");
  if (!copyStatement.test(outsideLiterals))
    throw new Error('copyFrom takes one COPY ... FROM STDIN statement');
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
  const db = newKysely(new PGliteDialect(pglite), options.observer, 'embedded');
  return {
    kind: 'pglite',
    label,
    db,
    check: async () => {
      await sql`select 1`.execute(db);
    },
    poolStats: () => undefined,
    // PGlite is one connection: holding the driver's lock for the whole session keeps every
    // other query of the process queued until the session ends, as a checked-out client would.
    withCopySession: (fn) =>
      db.connection().execute(async () => {
        const sessionDb = newKysely(new PGliteHeldDialect(pglite), options.observer, 'embedded');
        return fn({
          db: sessionDb,
          async copyFrom(statement, chunks) {
            assertCopyFromStdin(statement);
            // PGlite reads COPY input from a virtual file; one bounded chunk at a time keeps its
            // memory flat (handed a whole large file at once it needs several times the size).
            const fromBlob = statement.replace(/\bstdin\b/i, "'/dev/blob'");
            let rows = 0;
            for await (const chunk of chunks) {
              if (chunk.byteLength === 0) continue;
              const result = await pglite.query(fromBlob, [], {
                blob: new Blob([chunk as Uint8Array<ArrayBuffer>]),
              });
              rows += result.affectedRows ?? 0;
            }
            return rows;
          },
        });
      }),
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
  const db = newKysely(new PostgresDialect({ pool }), options.observer, label);
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
    async withCopySession(fn) {
      const client = await pool.connect();
      // Kysely releases after every query or transaction; this pool of one hands out the same
      // client each time and ignores those releases, so the session keeps its connection.
      const borrowed = new Proxy(client, {
        get(target, property) {
          if (property === 'release') return () => {};
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const sessionDb = newKysely(
        new PostgresDialect({ pool: { connect: async () => borrowed, end: async () => {} } }),
        options.observer,
        label,
      );
      try {
        const result = await fn({
          db: sessionDb,
          async copyFrom(statement, chunks) {
            assertCopyFromStdin(statement);
            const copy = client.query(copyFromStdin(statement));
            await pipeline(Readable.from(chunks, { objectMode: false }), copy);
            return copy.rowCount;
          },
        });
        client.release();
        return result;
      } catch (err) {
        // The connection may be mid-COPY or mid-transaction: never hand it to someone else.
        client.release(err instanceof Error ? err : true);
        throw err;
      }
    },
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

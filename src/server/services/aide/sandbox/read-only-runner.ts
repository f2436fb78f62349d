import { type RawBuilder, sql } from 'kysely';
import type { ResultColumn, ResultColumnKind } from '../../../../contracts/aide/sandbox.js';
import type { Db } from '../../../platform/db/database.js';
import { SqlFailed, SqlPermissionDenied, SqlTimedOut, SqlTooCostly } from './sandbox.errors.js';
import type { SandboxTable } from './sql-guard.js';

export interface RunReadOnlyOptions {
  /** The dataset table; its schema is the only one (after pg_catalog) on the search path. */
  table: SandboxTable;
  /** Rows returned at most; one more is read to know whether the result was cut. */
  maxRows: number;
  /** `statement_timeout` for every statement of the run (real PostgreSQL only: see README). */
  timeoutMs: number;
  /** Reader role to run as (`ensureReaderRole`); without it the query runs as the service's user. */
  role?: string;
  /** Largest planner cost estimate accepted (see `defaultMaxPlanCost`). */
  maxPlanCost?: number;
}

export interface ReadOnlyResult {
  columns: ResultColumn[];
  /** Keyed by `columns[].name`, values as `ResultColumnKind` describes. */
  rows: Record<string, unknown>[];
  /** True when the query had more than `maxRows` rows and only the first `maxRows` are here. */
  truncated: boolean;
  /** The planner's total cost estimate of the capped query. */
  planCost: number;
  elapsedMs: number;
}

/**
 * Roughly a few seconds of work on the embedded database: a grouped scan of a million-row table
 * estimates at a few tens of thousands, a self cross join of 3,000 rows at 160,000.
 */
export const defaultMaxPlanCost = 1_000_000;

const numberTypes = new Set(['smallint', 'integer', 'real', 'double precision']);
const exactNumberTypes = new Set(['bigint', 'numeric']);
const textTypes = new Set(['text', 'character varying', 'character', 'name']);

function kindOf(pgType: string): ResultColumnKind {
  if (numberTypes.has(pgType) || exactNumberTypes.has(pgType)) return 'number';
  if (textTypes.has(pgType)) return 'text';
  if (pgType === 'boolean') return 'boolean';
  if (pgType === 'date') return 'date';
  if (pgType.startsWith('timestamp')) return 'timestamp';
  return 'other';
}

/**
 * The SELECT list that turns column `c<i>` into a JSON-safe value the same way on both engines
 * (drivers differ on dates, numerics and arrays; SQL formatting does not).
 */
function outputExpression(position: number, pgType: string): RawBuilder<unknown> {
  const column = sql.ref(`q.c${position}`);
  const as = sql.id(`c${position}`);
  if (numberTypes.has(pgType) || textTypes.has(pgType) || pgType === 'boolean')
    return sql`${column} as ${as}`;
  if (pgType === 'date') return sql`to_char(${column}, 'YYYY-MM-DD') as ${as}`;
  if (pgType === 'timestamp with time zone')
    return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"') as ${as}`;
  if (pgType === 'timestamp without time zone')
    return sql`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.FF3') as ${as}`;
  return sql`${column}::text as ${as}`;
}

/** PostgreSQL allows repeated output names; row objects do not, so repeats get `_2`, `_3`... */
function uniqueNames(names: string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`) || seen.has(`${name}_${n}`)) n += 1;
    const unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}

function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

// SQLSTATE classes that mean "this query is wrong", as opposed to "the database is unwell".
const queryFaultClasses = new Set(['21', '22', '2B', '42', '0A', '54']);

function translateError(err: unknown, timeoutMs: number): unknown {
  const state = sqlStateOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (state === '57014') return new SqlTimedOut(timeoutMs);
  if (state === '42501') return new SqlPermissionDenied(message);
  if (state === '25006') return new SqlFailed(state, message);
  if (state && queryFaultClasses.has(state.slice(0, 2))) return new SqlFailed(state, message);
  return err;
}

/**
 * Runs one guard-checked SELECT (`checkSql`) with every limit the sandbox has: a READ ONLY
 * transaction, a statement timeout, the reader role when given, a search path of pg_catalog and
 * the dataset's schema only, a planner cost ceiling and a row cap. Takes the database handle's
 * Kysely, not a transaction: the run is its own transaction.
 *
 * Every statement carries a bound parameter, so it goes through the extended protocol, which
 * runs exactly one statement: text that slipped past the guard cannot append a second one.
 */
export async function runReadOnly(
  db: Db,
  checkedSql: string,
  options: RunReadOnlyOptions,
): Promise<ReadOnlyResult> {
  const started = performance.now();
  const maxPlanCost = options.maxPlanCost ?? defaultMaxPlanCost;
  // Newlines around the text: a trailing `-- comment` must not swallow the closing parenthesis.
  const inner = sql.raw(`(\n${checkedSql}\n)`);
  // Result keys as PostgreSQL names them, not camel-cased by the application's plugin.
  const raw = db.withoutPlugins();
  try {
    // One connection, and always ROLLBACK: even a session-level SET that slipped through is undone.
    return await raw.connection().execute(async (conn) => {
      await sql`begin transaction read only`.execute(conn);
      try {
        return await runInTransaction(conn, inner, options, maxPlanCost, started);
      } finally {
        await sql`rollback`.execute(conn);
      }
    });
  } catch (err) {
    throw translateError(err, options.timeoutMs);
  }
}

async function runInTransaction(
  tx: Db,
  inner: RawBuilder<unknown>,
  options: RunReadOnlyOptions,
  maxPlanCost: number,
  started: number,
): Promise<ReadOnlyResult> {
  // JIT compilation of a costly plan can take longer than the whole timeout of an interactive query.
  await sql`select set_config('statement_timeout', ${String(options.timeoutMs)}, true),
                   set_config('search_path', ${`pg_catalog, ${options.table.schema}, pg_temp`}, true),
                   set_config('jit', 'off', true)`.execute(tx);
  if (options.role) await sql`select set_config('role', ${options.role}, true)`.execute(tx);

  // First the estimate, before anything makes the server plan (or run) the query for real.
  const plan = await sql<{ 'QUERY PLAN': unknown }>`
    explain (format json) select * from ${inner} as q limit ${options.maxRows + 1}`.execute(tx);
  const planCost = totalCost(plan.rows[0]?.['QUERY PLAN']);
  if (planCost > maxPlanCost) throw new SqlTooCostly(planCost, maxPlanCost);

  // A row of NULLs shaped like the result (even when it has no rows) names its columns, in
  // order and with repeats, which row objects cannot.
  const shape = await sql<{ name: string }>`
    select json_object_keys(row_to_json(r)) as name
    from (select q.* from (select ${1}::int as one) as one
          left join (select * from ${inner} as q0 limit ${0}) as q on true) as r`.execute(tx);
  const pgNames = shape.rows.map((r) => r.name);
  const aliases = sql.raw(pgNames.map((_, i) => `c${i + 1}`).join(', '));

  let pgTypes: string[] = [];
  if (pgNames.length > 0) {
    const typeList = sql.join(pgNames.map((_, i) => sql`pg_typeof(${sql.ref(`q.c${i + 1}`)})::text`));
    const types = await sql<{ types: string[] }>`
      select array[${typeList}] as types
      from (select ${1}::int as one) as one
      left join (select * from ${inner} as q0 limit ${0}) as q(${aliases}) on true`.execute(tx);
    pgTypes = types.rows[0]?.types ?? [];
  }
  const data =
    pgNames.length > 0
      ? await sql<Record<string, unknown>>`
          select ${sql.join(pgTypes.map((type, i) => outputExpression(i + 1, type)))}
          from ${inner} as q(${aliases}) limit ${options.maxRows + 1}`.execute(tx)
      : await sql<Record<string, unknown>>`select from ${inner} as q limit ${options.maxRows + 1}`.execute(
          tx,
        );

  const names = uniqueNames(pgNames);
  const rows = data.rows.slice(0, options.maxRows).map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      out[name] = row[`c${i + 1}`];
    });
    return out;
  });
  return {
    columns: names.map((name, i) => ({
      name,
      pgType: pgTypes[i] ?? 'unknown',
      kind: kindOf(pgTypes[i] ?? ''),
    })),
    rows,
    truncated: data.rows.length > options.maxRows,
    planCost,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/** `EXPLAIN (FORMAT JSON)` output, parsed by the driver or still text: the top plan's total cost. */
function totalCost(planJson: unknown): number {
  const parsed = typeof planJson === 'string' ? JSON.parse(planJson) : planJson;
  const cost = (parsed as [{ Plan?: { 'Total Cost'?: unknown } }] | undefined)?.[0]?.Plan?.['Total Cost'];
  return typeof cost === 'number' ? cost : Number.POSITIVE_INFINITY;
}

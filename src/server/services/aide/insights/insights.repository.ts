import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { AXI_DATA_SCHEMA, type AxiDataset } from '../datasets/datasets.repository.js';

/**
 * SQL over one dataset's table, written here (not by a model), with identifiers that can only
 * be the dataset's own table and columns: each function checks them before building the query,
 * and values are bound parameters.
 */

function tableOf(dataset: AxiDataset): RawBuilder<unknown> {
  if (!/^ds_[0-9a-f]{32}$/.test(dataset.tableName))
    throw new Error(`not a dataset table: ${dataset.tableName}`);
  return sql.table(`${AXI_DATA_SCHEMA}.${dataset.tableName}`);
}

function columnOf(dataset: AxiDataset, name: string): RawBuilder<unknown> {
  if (!dataset.columns.some((c) => c.name === name))
    throw new Error(`not a column of dataset ${dataset.id}: ${name}`);
  return sql.ref(name);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export interface NumericStatsRow {
  count: number;
  distinct: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  q1: number | null;
  q3: number | null;
}

export async function numericStats(db: Db, dataset: AxiDataset, column: string): Promise<NumericStatsRow> {
  const c = columnOf(dataset, column);
  const { rows } = await sql<Record<string, unknown>>`
    select count(${c}) as count, count(distinct ${c}) as distinct,
           min(${c})::float8 as min, max(${c})::float8 as max, avg(${c})::float8 as mean,
           percentile_cont(0.25) within group (order by ${c}) as q1,
           percentile_cont(0.75) within group (order by ${c}) as q3
    from ${tableOf(dataset)}`.execute(db);
  const r = rows[0]!;
  return {
    count: Number(r.count),
    distinct: Number(r.distinct),
    min: num(r.min),
    max: num(r.max),
    mean: num(r.mean),
    q1: num(r.q1),
    q3: num(r.q3),
  };
}

export interface TemporalStatsRow {
  count: number;
  distinct: number;
  /** `YYYY-MM-DD` for dates, ISO 8601 UTC for timestamps. */
  min: string | null;
  max: string | null;
}

function temporalText(c: RawBuilder<unknown>, type: string): RawBuilder<unknown> {
  return type === 'date'
    ? sql`to_char(${c}, 'YYYY-MM-DD')`
    : sql`to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"')`;
}

export async function temporalStats(db: Db, dataset: AxiDataset, column: string): Promise<TemporalStatsRow> {
  const c = columnOf(dataset, column);
  const type = dataset.columns.find((col) => col.name === column)!.type;
  const { rows } = await sql<Record<string, unknown>>`
    select count(${c}) as count, count(distinct ${c}) as distinct,
           ${temporalText(sql`min(${c})`, type)} as min, ${temporalText(sql`max(${c})`, type)} as max
    from ${tableOf(dataset)}`.execute(db);
  const r = rows[0]!;
  return {
    count: Number(r.count),
    distinct: Number(r.distinct),
    min: (r.min as string | null) ?? null,
    max: (r.max as string | null) ?? null,
  };
}

export interface CategoricalStatsRow {
  count: number;
  distinct: number;
  topValues: { value: string; count: number }[];
}

/** Counts and the most frequent values (ties by value in byte order, as AXI's profile orders them). */
export async function categoricalStats(
  db: Db,
  dataset: AxiDataset,
  column: string,
  limit: number,
): Promise<CategoricalStatsRow> {
  const c = columnOf(dataset, column);
  const table = tableOf(dataset);
  const counts = await sql<Record<string, unknown>>`
    select count(${c}) as count, count(distinct ${c}) as distinct from ${table}`.execute(db);
  const top = await sql<{ value: string; count: unknown }>`
    select ${c}::text as value, count(*) as count from ${table} where ${c} is not null
    group by 1 order by 2 desc, ${c}::text collate "C" limit ${limit}`.execute(db);
  return {
    count: Number(counts.rows[0]!.count),
    distinct: Number(counts.rows[0]!.distinct),
    topValues: top.rows.map((r) => ({ value: r.value, count: Number(r.count) })),
  };
}

export async function countRows(db: Db, dataset: AxiDataset): Promise<number> {
  const { rows } = await sql<{ n: unknown }>`select count(*) as n from ${tableOf(dataset)}`.execute(db);
  return Number(rows[0]!.n);
}

/** Rows that repeat an earlier row in every column. */
export async function countDuplicateRows(db: Db, dataset: AxiDataset): Promise<number> {
  const table = tableOf(dataset);
  const { rows } = await sql<{ n: unknown }>`
    select (select count(*) from ${table}) - (select count(*) from (select distinct * from ${table}) d) as n`.execute(
    db,
  );
  return Number(rows[0]!.n);
}

export interface CorrelationRow {
  x: string;
  y: string;
  r: number | null;
  n: number;
}

/** Pearson r and the pairwise-complete count of every pair of the given numeric columns, in one scan. */
export async function pearsonPairs(
  db: Db,
  dataset: AxiDataset,
  columns: string[],
): Promise<CorrelationRow[]> {
  const pairs: [string, string][] = [];
  for (let i = 0; i < columns.length; i += 1)
    for (let j = i + 1; j < columns.length; j += 1) pairs.push([columns[i]!, columns[j]!]);
  if (pairs.length === 0) return [];
  const selects = pairs.flatMap(([x, y], i) => {
    const cx = sql`${columnOf(dataset, x)}::float8`;
    const cy = sql`${columnOf(dataset, y)}::float8`;
    return [
      sql`corr(${cy}, ${cx}) as ${sql.id(`r${i}`)}`,
      sql`regr_count(${cy}, ${cx}) as ${sql.id(`n${i}`)}`,
    ];
  });
  const { rows } = await sql<
    Record<string, unknown>
  >`select ${sql.join(selects)} from ${tableOf(dataset)}`.execute(db.withoutPlugins());
  const r = rows[0]!;
  return pairs.map(([x, y], i) => ({ x, y, r: num(r[`r${i}`]), n: Number(r[`n${i}`]) }));
}

/**
 * At most `limit` (x, y) points spread evenly over the rows ordered by x: every k-th point,
 * so the picture keeps its shape and is the same on every call.
 */
export async function scatterPoints(
  db: Db,
  dataset: AxiDataset,
  x: string,
  y: string,
  limit: number,
): Promise<{ x: number; y: number }[]> {
  const cx = columnOf(dataset, x);
  const cy = columnOf(dataset, y);
  const { rows } = await sql<{ x: unknown; y: unknown }>`
    select x, y from (
      select ${cx}::float8 as x, ${cy}::float8 as y,
             row_number() over (order by ${cx}, ${cy}) as rn, count(*) over () as total
      from ${tableOf(dataset)} where ${cx} is not null and ${cy} is not null
    ) s where (rn - 1) % greatest(1, ceil(total / ${limit}::float8))::int = 0
    order by rn limit ${limit}`.execute(db);
  return rows.map((r) => ({ x: Number(r.x), y: Number(r.y) }));
}

/** How many values lie outside [lower, upper], and the most extreme of them (farthest from the middle). */
export async function valuesOutside(
  db: Db,
  dataset: AxiDataset,
  column: string,
  bounds: { lower: number; upper: number; middle: number },
  examples: number,
): Promise<{ count: number; extremes: number[] }> {
  const c = sql`${columnOf(dataset, column)}::float8`;
  const table = tableOf(dataset);
  const counted = await sql<{ n: unknown }>`
    select count(*) as n from ${table} where ${c} < ${bounds.lower} or ${c} > ${bounds.upper}`.execute(db);
  const extremes = await sql<{ v: unknown }>`
    select ${c} as v from ${table} where ${c} < ${bounds.lower} or ${c} > ${bounds.upper}
    order by abs(${c} - ${bounds.middle}) desc, ${c} limit ${examples}`.execute(db);
  return { count: Number(counted.rows[0]!.n), extremes: extremes.rows.map((r) => Number(r.v)) };
}

export interface MonthRow {
  /** `YYYY-MM` (UTC). */
  month: string;
  rows: number;
  /** Sum of each measure column over the month's rows. */
  totals: Record<string, number>;
}

/** Rows and totals of the given numeric columns per calendar month of a date or timestamp column. */
export async function monthlyTotals(
  db: Db,
  dataset: AxiDataset,
  timeColumn: string,
  measures: string[],
): Promise<MonthRow[]> {
  const t = columnOf(dataset, timeColumn);
  const type = dataset.columns.find((col) => col.name === timeColumn)!.type;
  const month =
    type === 'date' ? sql`to_char(${t}, 'YYYY-MM')` : sql`to_char(${t} at time zone 'UTC', 'YYYY-MM')`;
  const sums = measures.map(
    (m, i) => sql`coalesce(sum(${columnOf(dataset, m)}::float8), 0) as ${sql.id(`m${i}`)}`,
  );
  const { rows } = await sql<Record<string, unknown>>`
    select ${month} as month, count(*) as rows ${sums.length ? sql`, ${sql.join(sums)}` : sql``}
    from ${tableOf(dataset)} where ${t} is not null group by 1 order by 1`.execute(db.withoutPlugins());
  return rows.map((r) => ({
    month: String(r.month),
    rows: Number(r.rows),
    totals: Object.fromEntries(measures.map((m, i) => [m, Number(r[`m${i}`])])),
  }));
}

export interface CategoryRow {
  category: string;
  rows: number;
  totals: Record<string, number>;
}

/** Rows and totals of the given numeric columns per value of a column (nulls left out). */
export async function categoryTotals(
  db: Db,
  dataset: AxiDataset,
  column: string,
  measures: string[],
): Promise<CategoryRow[]> {
  const c = columnOf(dataset, column);
  const sums = measures.map(
    (m, i) => sql`coalesce(sum(${columnOf(dataset, m)}::float8), 0) as ${sql.id(`m${i}`)}`,
  );
  const { rows } = await sql<Record<string, unknown>>`
    select ${c}::text as category, count(*) as rows ${sums.length ? sql`, ${sql.join(sums)}` : sql``}
    from ${tableOf(dataset)} where ${c} is not null group by 1 order by 2 desc, ${c}::text collate "C"`.execute(
    db.withoutPlugins(),
  );
  return rows.map((r) => ({
    category: String(r.category),
    rows: Number(r.rows),
    totals: Object.fromEntries(measures.map((m, i) => [m, Number(r[`m${i}`])])),
  }));
}

import { type RawBuilder, sql } from 'kysely';
import type { CorrelationMethod } from '../../../../contracts/axi/analytics.js';
import type { Db } from '../../../platform/db/database.js';
import { type DatasetRecord, dataColumn, dataTable } from '../datasets/dataset-record.js';
import { limited, QUERY_CONCURRENCY } from './concurrency.js';
import { withSortMemory } from './sort-memory.js';

/** What SQL gives for one pair: the pairwise-complete count and r (null when undefined). */
export interface RawPair {
  x: string;
  y: string;
  n: number;
  r: number | null;
  /** Which of x and y hold a single value (or none) over the rows the pair was computed on. */
  constant: string[];
}

export interface RawCorrelations {
  pairs: RawPair[];
  /** Columns with at least two different values over the whole table. */
  varying: Set<string>;
}

type Row = Record<string, unknown>;

function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

/** r from float arithmetic can overshoot by an ulp. */
function clampR(r: number | null): number | null {
  return r === null ? null : Math.max(-1, Math.min(1, r));
}

function pairsOf(columns: string[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < columns.length; i++) for (let j = i + 1; j < columns.length; j++) out.push([i, j]);
  return out;
}

/**
 * The aggregate part shared by both methods: per column whether it is constant, per pair
 * regr_count (rows where both are non-null) and corr. `value(i)` is what gets correlated.
 */
function pairAggregates(
  columns: string[],
  value: (i: number) => RawBuilder<unknown>,
  raw: (i: number) => RawBuilder<unknown>,
) {
  const selections: RawBuilder<unknown>[] = [];
  columns.forEach((_, i) => {
    selections.push(sql`coalesce(min(${raw(i)}) = max(${raw(i)}), true) as ${sql.raw(`k${i}`)}`);
  });
  for (const [i, j] of pairsOf(columns)) {
    selections.push(
      sql`regr_count(${value(i)}, ${value(j)}) as ${sql.raw(`n${i}x${j}`)}`,
      sql`corr(${value(i)}, ${value(j)}) as ${sql.raw(`r${i}x${j}`)}`,
    );
  }
  return selections;
}

function readPairs(columns: string[], row: Row): RawPair[] {
  return pairsOf(columns).map(([i, j]) => ({
    x: columns[i]!,
    y: columns[j]!,
    n: num(row[`n${i}x${j}`]) ?? 0,
    r: clampR(num(row[`r${i}x${j}`])),
    constant: [i, j].filter((k) => row[`k${k}`] === true).map((k) => columns[k]!),
  }));
}

/** Pearson for every pair in one scan of the table. */
async function pearson(db: Db, dataset: DatasetRecord, columns: string[]): Promise<RawCorrelations> {
  const refs = columns.map((name) => dataColumn(dataset, name));
  const selections = pairAggregates(
    columns,
    (i) => sql`${refs[i]!}::float8`,
    (i) => refs[i]!,
  );
  const { rows } = await sql<Row>`select ${sql.join(selections)} from ${dataTable(dataset)}`.execute(db);
  const row = rows[0]!;
  return {
    pairs: readPairs(columns, row),
    varying: new Set(columns.filter((_, i) => row[`k${i}`] !== true)),
  };
}

/**
 * Spearman over the rows where every one of `columns` is present: Pearson on average ranks.
 * Tied values share the mean of the ranks they span, (first + last) / 2: rank() is the first,
 * and count(*) under the default window frame (up to the last peer) is the last. A column is
 * constant exactly when all its ranks are equal, so only the ranks go through the sorts.
 */
async function spearmanBlock(db: Db, dataset: DatasetRecord, columns: string[]): Promise<RawPair[]> {
  const refs = columns.map((name) => dataColumn(dataset, name));
  const complete = sql.join(
    refs.map((c) => sql`${c} is not null`),
    sql` and `,
  );
  const windows = refs.map((c, i) => sql`${sql.raw(`w${i}`)} as (order by ${c})`);
  const ranks = refs.map(
    (_, i) =>
      sql`(rank() over ${sql.raw(`w${i}`)} + count(*) over ${sql.raw(`w${i}`)})::float8 / 2 as ${sql.raw(`rk${i}`)}`,
  );
  const rank = (i: number) => sql.ref(`rk${i}`);
  const { rows } = await withSortMemory(db, (tx) =>
    sql<Row>`
    with ranked as (
      select ${sql.join(ranks)} from ${dataTable(dataset)} where ${complete} window ${sql.join(windows)}
    )
    select ${sql.join(pairAggregates(columns, rank, rank))} from ranked`.execute(tx),
  );
  return readPairs(columns, rows[0]!);
}

/**
 * Spearman is pairwise complete like Pearson, but ranks depend on which rows take part. Pairs
 * that see the same rows share one ranking pass: the columns without nulls together (all rows);
 * each column with nulls with all of those (the rows where it is present); two columns with
 * nulls on their own. Passes run concurrently.
 */
async function spearman(db: Db, dataset: DatasetRecord, columns: string[]): Promise<RawCorrelations> {
  const refs = columns.map((name) => dataColumn(dataset, name));
  const perColumn = refs.flatMap((c, i) => [
    sql`count(${c}) as ${sql.raw(`c${i}`)}`,
    sql`coalesce(min(${c}) < max(${c}), false) as ${sql.raw(`w${i}`)}`,
  ]);
  const { rows } =
    await sql<Row>`select count(*) as total, ${sql.join(perColumn)} from ${dataTable(dataset)}`.execute(db);
  const row = rows[0]!;
  const total = num(row.total);
  const full = columns.filter((_, i) => num(row[`c${i}`]) === total);
  const partial = columns.filter((_, i) => num(row[`c${i}`]) !== total);
  const passes: { columns: string[]; pairs: (pair: RawPair) => boolean }[] = [];
  if (full.length >= 2) passes.push({ columns: full, pairs: () => true });
  partial.forEach((x, i) => {
    if (full.length > 0) passes.push({ columns: [x, ...full], pairs: (p) => p.x === x || p.y === x });
    for (const y of partial.slice(i + 1)) passes.push({ columns: [x, y], pairs: () => true });
  });
  const results = await limited(
    QUERY_CONCURRENCY,
    passes.map((pass) => async () => (await spearmanBlock(db, dataset, pass.columns)).filter(pass.pairs)),
  );
  const byPair = new Map(results.flat().map((p) => [[p.x, p.y].sort().join('\u0000'), p]));
  return {
    pairs: pairsOf(columns).map(([i, j]) => {
      const found = byPair.get([columns[i]!, columns[j]!].sort().join('\u0000'))!;
      return { ...found, x: columns[i]!, y: columns[j]! };
    }),
    varying: new Set(columns.filter((_, i) => row[`w${i}`] === true)),
  };
}

export function correlate(db: Db, dataset: DatasetRecord, columns: string[], method: CorrelationMethod) {
  return method === 'pearson' ? pearson(db, dataset, columns) : spearman(db, dataset, columns);
}

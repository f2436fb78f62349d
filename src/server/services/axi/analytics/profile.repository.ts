import { type RawBuilder, sql } from 'kysely';
import type {
  ColumnProfile,
  DatasetProfile,
  HistogramBin,
  TimePeriod,
} from '../../../../contracts/axi/analytics.js';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import type { Db } from '../../../platform/db/database.js';
import { type DatasetRecord, dataColumn, dataTable } from '../datasets/dataset-record.js';
import { isNumeric, isTemporal } from './column-kinds.js';
import { limited, QUERY_CONCURRENCY } from './concurrency.js';
import { withSortMemory } from './sort-memory.js';

const HISTOGRAM_BINS = 20;
const TOP_VALUES = 10;

type Row = Record<string, unknown>;

/** int8 and numeric arrive as strings (see platform/db); everything else as numbers. */
function num(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : Number(value);
}

function int(value: unknown): number {
  return num(value) ?? 0;
}

/** A timestamp column's values as UTC wall time, so periods and text do not depend on the session. */
function utcTime(dataset: DatasetRecord, column: DatasetColumn): RawBuilder<unknown> {
  const ref = dataColumn(dataset, column.name);
  return column.type === 'date' ? sql`${ref}::timestamp` : sql`(${ref} at time zone 'UTC')`;
}

function temporalText(column: DatasetColumn, value: RawBuilder<unknown>): RawBuilder<string> {
  return column.type === 'date'
    ? sql<string>`to_char(${value}, 'YYYY-MM-DD')`
    : sql<string>`to_char(${value}, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** The period that keeps a date series between a few and a few hundred points. */
export function periodForSpan(spanDays: number): TimePeriod {
  if (spanDays <= 92) return 'day';
  if (spanDays <= 732) return 'week';
  if (spanDays <= 366 * 30) return 'month';
  return 'year';
}

/**
 * One scan for every statistic that needs no sort (counts, min/max, mean, stddev, date range),
 * which PostgreSQL can run as a parallel aggregate.
 */
async function scanAggregates(db: Db, dataset: DatasetRecord): Promise<Row> {
  const selections: RawBuilder<unknown>[] = [sql`count(*) as total`];
  dataset.columns.forEach((column, i) => {
    const c = dataColumn(dataset, column.name);
    selections.push(sql`count(${c}) as ${sql.raw(`c${i}n`)}`);
    if (isNumeric(column.type)) {
      selections.push(
        sql`min(${c})::float8 as ${sql.raw(`c${i}min`)}`,
        sql`max(${c})::float8 as ${sql.raw(`c${i}max`)}`,
        // Summation leaves a constant column with a mean off by an ulp and a stddev of ~1e-14.
        sql`case when min(${c}) = max(${c}) then min(${c})::float8 else avg(${c})::float8 end as ${sql.raw(`c${i}mean`)}`,
        sql`case when min(${c}) = max(${c}) and count(${c}) > 1 then 0 else stddev_samp(${c})::float8 end as ${sql.raw(`c${i}sd`)}`,
      );
    } else if (isTemporal(column.type)) {
      const t = utcTime(dataset, column);
      selections.push(
        sql`${temporalText(column, sql`min(${t})`)} as ${sql.raw(`c${i}min`)}`,
        sql`${temporalText(column, sql`max(${t})`)} as ${sql.raw(`c${i}max`)}`,
        sql`extract(epoch from max(${t}) - min(${t}))::float8 / 86400 as ${sql.raw(`c${i}span`)}`,
      );
    }
  });
  const { rows } = await sql<Row>`select ${sql.join(selections)} from ${dataTable(dataset)}`.execute(db);
  return rows[0]!;
}

/**
 * What needs the column sorted: distinct count and (numbers) the quartiles. One query per
 * column, so several columns sort at once on a pooled server; PostgreSQL shares one sort among
 * the three percentiles.
 */
async function sortedStats(db: Db, dataset: DatasetRecord, column: DatasetColumn) {
  const c = dataColumn(dataset, column.name);
  const quartiles = isNumeric(column.type)
    ? sql`, percentile_cont(0.25) within group (order by ${c}) as q1,
          percentile_cont(0.5) within group (order by ${c}) as q2,
          percentile_cont(0.75) within group (order by ${c}) as q3`
    : sql``;
  const { rows } = await withSortMemory(db, (tx) =>
    sql<Row>`select count(distinct ${c}) as d ${quartiles} from ${dataTable(dataset)}`.execute(tx),
  );
  const row = rows[0]!;
  return { distinct: int(row.d), q1: num(row.q1), median: num(row.q2), q3: num(row.q3) };
}

async function topValues(db: Db, dataset: DatasetRecord, column: DatasetColumn) {
  const c = dataColumn(dataset, column.name);
  // Byte order ("C") for ties: the same on every server whatever its default collation.
  const tieBreak = column.type === 'text' ? sql`${c} collate "C"` : c;
  const { rows } = await sql<{ value: string | boolean; n: unknown; groups: unknown }>`
    select ${c} as value, count(*) as n, count(*) over () as groups
    from ${dataTable(dataset)} where ${c} is not null
    group by ${c} order by n desc, ${tieBreak} limit ${TOP_VALUES}`.execute(db);
  return {
    distinct: rows.length > 0 ? int(rows[0]!.groups) : 0,
    values: rows.map((r) => ({ value: r.value, count: int(r.n) })),
  };
}

async function periodCounts(db: Db, dataset: DatasetRecord, column: DatasetColumn, period: TimePeriod) {
  const c = dataColumn(dataset, column.name);
  const bucket = sql`date_trunc(${sql.lit(period)}, ${utcTime(dataset, column)})`;
  const { rows } = await sql<{ period: string; n: unknown }>`
    select to_char(${bucket}, 'YYYY-MM-DD') as period, count(*) as n
    from ${dataTable(dataset)} where ${c} is not null
    group by ${bucket} order by ${bucket}`.execute(db);
  return rows.map((r) => ({ period: r.period, count: int(r.n) }));
}

interface BinPlan {
  column: DatasetColumn;
  bins: { lower: number; upper: number }[];
  expression: RawBuilder<unknown>;
}

/** Equal-width bins; integer columns get integer widths so no bin straddles a value. */
function planBins(dataset: DatasetRecord, column: DatasetColumn, min: number, max: number): BinPlan {
  const c = dataColumn(dataset, column.name);
  if (column.type === 'double') {
    if (min === max) return { column, bins: [{ lower: min, upper: max }], expression: sql`0` };
    const step = (max - min) / HISTOGRAM_BINS;
    const bins = Array.from({ length: HISTOGRAM_BINS }, (_, i) => ({
      lower: min + i * step,
      upper: i === HISTOGRAM_BINS - 1 ? max : min + (i + 1) * step,
    }));
    // The maximum lands in bin 20; it is folded into the last bin when counted.
    const expression = sql`floor((${c} - ${min}::float8) / (${max}::float8 - ${min}::float8) * ${HISTOGRAM_BINS})::int`;
    return { column, bins, expression };
  }
  const range = max - min + 1;
  const width = Math.max(1, Math.ceil(range / HISTOGRAM_BINS));
  const count = Math.ceil(range / width);
  const bins = Array.from({ length: count }, (_, i) => ({
    lower: min + i * width,
    upper: min + (i + 1) * width,
  }));
  // bigint in numeric: max - min can exceed the bigint range.
  const expression =
    column.type === 'bigint'
      ? sql`div(${c}::numeric - ${String(min)}::numeric, ${String(width)}::numeric)::int`
      : sql`((${c}::bigint - ${min}::bigint) / ${width}::bigint)::int`;
  return { column, bins, expression };
}

/**
 * One grouped query per column: a single scan feeding one (column, bin) pair per column per row
 * measured 5x slower than the separate queries, which also run concurrently.
 */
async function histogram(db: Db, dataset: DatasetRecord, plan: BinPlan): Promise<HistogramBin[]> {
  const c = dataColumn(dataset, plan.column.name);
  const { rows } = await sql<{ b: number; n: unknown }>`
    select ${plan.expression} as b, count(*) as n from ${dataTable(dataset)} where ${c} is not null group by 1`.execute(
    db,
  );
  const counts = plan.bins.map(() => 0);
  for (const r of rows) counts[Math.min(Number(r.b), counts.length - 1)]! += int(r.n);
  return plan.bins.map((b, i) => ({ ...b, count: counts[i]! }));
}

/**
 * Profiles a dataset: one aggregate scan, one sorting query per numeric/date column, one grouped
 * query per text/boolean column, then one scan for every histogram and one grouped query per
 * date column. Independent queries run concurrently (PGlite serialises them).
 */
export async function profileDataset(
  db: Db,
  dataset: DatasetRecord,
  computedAt: Date,
): Promise<DatasetProfile> {
  const indexed = dataset.columns.map((column, index) => ({ column, index }));
  const sorted = indexed.filter(({ column }) => isNumeric(column.type) || isTemporal(column.type));
  const categorical = indexed.filter(({ column }) => !isNumeric(column.type) && !isTemporal(column.type));

  type Partial =
    | { kind: 'aggregates'; row: Row }
    | { kind: 'sorted'; index: number; stats: Awaited<ReturnType<typeof sortedStats>> }
    | { kind: 'top'; index: number; top: Awaited<ReturnType<typeof topValues>> };
  const firstPass: (() => Promise<Partial>)[] = [
    async () => ({ kind: 'aggregates', row: await scanAggregates(db, dataset) }),
    ...sorted.map(
      ({ column, index }) =>
        async (): Promise<Partial> => ({
          kind: 'sorted',
          index,
          stats: await sortedStats(db, dataset, column),
        }),
    ),
    ...categorical.map(
      ({ column, index }) =>
        async (): Promise<Partial> => ({
          kind: 'top',
          index,
          top: await topValues(db, dataset, column),
        }),
    ),
  ];
  const partials = await limited(QUERY_CONCURRENCY, firstPass);
  const aggregates = (partials[0] as { row: Row }).row;
  const sortedByIndex = new Map<number, Awaited<ReturnType<typeof sortedStats>>>();
  const topByIndex = new Map<number, Awaited<ReturnType<typeof topValues>>>();
  for (const p of partials) {
    if (p.kind === 'sorted') sortedByIndex.set(p.index, p.stats);
    if (p.kind === 'top') topByIndex.set(p.index, p.top);
  }

  // Bins and periods depend on each column's range.
  const bins = new Map<number, HistogramBin[]>();
  const periodByIndex = new Map<
    number,
    { period: TimePeriod; counts: { period: string; count: number }[] }
  >();
  const secondPass: (() => Promise<void>)[] = [];
  dataset.columns.forEach((column, i) => {
    if (int(aggregates[`c${i}n`]) === 0) return;
    if (isNumeric(column.type)) {
      const plan = planBins(dataset, column, num(aggregates[`c${i}min`])!, num(aggregates[`c${i}max`])!);
      secondPass.push(async () => {
        bins.set(i, await histogram(db, dataset, plan));
      });
    } else if (isTemporal(column.type)) {
      const period = periodForSpan(num(aggregates[`c${i}span`]) ?? 0);
      secondPass.push(async () => {
        periodByIndex.set(i, { period, counts: await periodCounts(db, dataset, column, period) });
      });
    }
  });
  await limited(QUERY_CONCURRENCY, secondPass);

  const rowCount = int(aggregates.total);
  const columns = dataset.columns.map((column, i): ColumnProfile => {
    const count = int(aggregates[`c${i}n`]);
    const base = {
      name: column.name,
      originalName: column.originalName,
      type: column.type,
      count,
      nulls: rowCount - count,
    };
    if (isNumeric(column.type)) {
      const stats = sortedByIndex.get(i)!;
      return {
        ...base,
        kind: 'numeric',
        distinct: stats.distinct,
        min: num(aggregates[`c${i}min`]),
        max: num(aggregates[`c${i}max`]),
        mean: num(aggregates[`c${i}mean`]),
        stddev: num(aggregates[`c${i}sd`]),
        q1: stats.q1,
        median: stats.median,
        q3: stats.q3,
        histogram: bins.get(i) ?? [],
      };
    }
    if (isTemporal(column.type)) {
      const p = periodByIndex.get(i);
      return {
        ...base,
        kind: 'temporal',
        distinct: sortedByIndex.get(i)!.distinct,
        min: (aggregates[`c${i}min`] as string | null) ?? null,
        max: (aggregates[`c${i}max`] as string | null) ?? null,
        period: p?.period ?? 'day',
        counts: p?.counts ?? [],
      };
    }
    const top = topByIndex.get(i)!;
    return { ...base, kind: 'categorical', distinct: top.distinct, topValues: top.values };
  });
  return { datasetId: dataset.id, rowCount, computedAt: computedAt.toISOString(), columns };
}

export async function saveProfile(db: Db, profile: DatasetProfile): Promise<void> {
  await db
    .insertInto('axi.datasetProfiles')
    .values({
      datasetId: profile.datasetId,
      profile: JSON.stringify(profile),
      computedAt: new Date(profile.computedAt),
    })
    .onConflict((oc) =>
      oc.column('datasetId').doUpdateSet({
        profile: sql`excluded.profile`,
        computedAt: sql`excluded.computed_at`,
      }),
    )
    .execute();
}

export async function findProfile(db: Db, datasetId: string): Promise<DatasetProfile | undefined> {
  const row = await db
    .selectFrom('axi.datasetProfiles')
    .select('profile')
    .where('datasetId', '=', datasetId)
    .executeTakeFirst();
  if (!row) return undefined;
  return (typeof row.profile === 'string' ? JSON.parse(row.profile) : row.profile) as DatasetProfile;
}

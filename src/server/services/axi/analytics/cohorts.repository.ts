import { type RawBuilder, sql } from 'kysely';
import type { CohortPeriod } from '../../../../contracts/axi/analytics.js';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import type { Db } from '../../../platform/db/database.js';
import { type DatasetRecord, dataColumn, dataTable } from '../datasets/dataset-record.js';
import { withSortMemory } from './sort-memory.js';

export interface CohortCellRow {
  /** Period start of the cohort, `YYYY-MM-DD`. */
  cohort: string;
  offset: number;
  active: number;
  events: number;
  value: number | null;
  /** Offset of the data's last period from this cohort (the same on every row of a cohort). */
  lastOffset: number;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Whole periods from b to a, both already truncated to the period. */
function periodsBetween(period: CohortPeriod, a: RawBuilder<unknown>, b: RawBuilder<unknown>) {
  if (period === 'day') return sql`(${a}::date - ${b}::date)`;
  if (period === 'week') return sql`((${a}::date - ${b}::date) / 7)`;
  return sql`((extract(year from ${a}) - extract(year from ${b})) * 12 + extract(month from ${a}) - extract(month from ${b}))::int`;
}

/**
 * Retention cells: each entity's cohort is the period of its first event (a window minimum
 * over the entity); a cell counts the distinct entities of a cohort active `offset` periods
 * later. Times are bucketed in UTC; weeks start on Monday (date_trunc).
 */
export async function retentionCells(
  db: Db,
  dataset: DatasetRecord,
  input: {
    entity: DatasetColumn;
    time: DatasetColumn;
    value: DatasetColumn | undefined;
    period: CohortPeriod;
  },
): Promise<CohortCellRow[]> {
  const entity = dataColumn(dataset, input.entity.name);
  const time = dataColumn(dataset, input.time.name);
  const utc = input.time.type === 'date' ? sql`${time}::timestamp` : sql`(${time} at time zone 'UTC')`;
  const value = input.value ? sql`${dataColumn(dataset, input.value.name)}::float8` : sql`null::float8`;
  const unit = sql.lit(input.period);
  const { rows } = await withSortMemory(db, (tx) =>
    sql<Record<string, unknown>>`
    with events as (
      select ${entity} as e, date_trunc(${unit}, ${utc}) as p, ${value} as v
      from ${dataTable(dataset)}
      where ${entity} is not null and ${time} is not null
    ),
    placed as (
      select e, p, v, min(p) over (partition by e) as c, max(p) over () as last from events
    ),
    cells as (
      select c, ${periodsBetween(input.period, sql.ref('p'), sql.ref('c'))} as o,
        count(distinct e) as active, count(*) as n, sum(v) as s,
        max(${periodsBetween(input.period, sql.ref('last'), sql.ref('c'))}) as lo
      from placed group by c, o
    )
    select to_char(c, 'YYYY-MM-DD') as cohort, o, active, n, s, lo from cells order by c, o`.execute(tx),
  );
  return rows.map((r) => ({
    cohort: r.cohort as string,
    offset: num(r.o),
    active: num(r.active),
    events: num(r.n),
    value: r.s === null ? null : num(r.s),
    lastOffset: num(r.lo),
  }));
}

import type { ColumnProfile } from '../../../../contracts/axi/analytics.js';
import type { ColumnType } from '../../../../contracts/axi/columns.js';
import type { Db } from '../../../platform/db/database.js';
import { type AxiDataset, findAxiProfileColumns } from '../datasets/datasets.repository.js';
import { categoricalStats, countRows, numericStats, temporalStats } from './insights.repository.js';

/** As many values as AXI's profile keeps per column. */
export const TOP_VALUES = 10;

export const numericTypes: ReadonlySet<ColumnType> = new Set(['integer', 'bigint', 'double']);
export const temporalTypes: ReadonlySet<ColumnType> = new Set(['date', 'timestamp']);

/** What insights and the summary need to know of a column, from AXI's profile or computed here. */
export interface ColumnStats {
  name: string;
  originalName: string;
  type: ColumnType;
  count: number;
  nulls: number;
  distinct: number;
  min: number | string | null;
  max: number | string | null;
  mean: number | null;
  /** Numeric columns: quartiles (continuous, as AXI computes them). */
  q1: number | null;
  q3: number | null;
  topValues: { value: string; count: number }[];
}

export interface DatasetStats {
  rowCount: number;
  source: 'profile' | 'computed';
  columns: ColumnStats[];
}

function fromProfile(p: ColumnProfile): Omit<ColumnStats, 'name' | 'originalName' | 'type'> {
  const base = { count: p.count, nulls: p.nulls, distinct: p.distinct };
  if (p.kind === 'numeric')
    return { ...base, min: p.min, max: p.max, mean: p.mean, q1: p.q1, q3: p.q3, topValues: [] };
  if (p.kind === 'temporal')
    return { ...base, min: p.min, max: p.max, mean: null, q1: null, q3: null, topValues: [] };
  return {
    ...base,
    min: null,
    max: null,
    mean: null,
    q1: null,
    q3: null,
    topValues: p.topValues.map((t) => ({ value: String(t.value), count: t.count })),
  };
}

/**
 * Per-column statistics: AXI's stored profile when it covers every column (it is computed once
 * per upload), else computed now, since right after an upload the profile may not exist yet.
 */
export async function loadDatasetStats(db: Db, dataset: AxiDataset): Promise<DatasetStats> {
  const rowCount = await countRows(db, dataset);
  const profile = new Map((await findAxiProfileColumns(db, dataset.id)).map((p) => [p.name, p]));
  if (dataset.columns.every((c) => profile.has(c.name))) {
    return {
      rowCount,
      source: 'profile',
      columns: dataset.columns.map((c) => ({
        name: c.name,
        originalName: c.originalName,
        type: c.type,
        ...fromProfile(profile.get(c.name)!),
      })),
    };
  }
  const columns: ColumnStats[] = [];
  for (const c of dataset.columns) {
    const head = { name: c.name, originalName: c.originalName, type: c.type };
    const none = { min: null, max: null, mean: null, q1: null, q3: null, topValues: [] };
    if (numericTypes.has(c.type)) {
      const s = await numericStats(db, dataset, c.name);
      columns.push({ ...head, ...none, ...s, nulls: rowCount - s.count, topValues: [] });
    } else if (temporalTypes.has(c.type)) {
      const s = await temporalStats(db, dataset, c.name);
      columns.push({ ...head, ...none, ...s, nulls: rowCount - s.count });
    } else {
      const s = await categoricalStats(db, dataset, c.name, TOP_VALUES);
      columns.push({ ...head, ...none, ...s, nulls: rowCount - s.count });
    }
  }
  return { rowCount, source: 'computed', columns };
}

import {
  type ComputedInsight,
  type InsightFacts,
  maxChartPoints,
} from '../../../../contracts/aide/insights.js';
import type { Db } from '../../../platform/db/database.js';
import type { AxiDataset } from '../datasets/datasets.repository.js';
import { type ColumnStats, type DatasetStats, numericTypes, temporalTypes } from './column-stats.js';
import { formatNumber, percentOf, round } from './format.js';
import {
  categoryTotals,
  countDuplicateRows,
  monthlyTotals,
  pearsonPairs,
  scatterPoints,
  valuesOutside,
} from './insights.repository.js';

/**
 * Candidate insights, one finder per kind. Each returns its strongest finding or null when
 * nothing passes its threshold: an insight is never padded out of weak evidence. Scores (0..1)
 * put different kinds on one scale so the service can keep the strongest few; they are a
 * judgement written down here, not statistics.
 */

/** Columns examined per kind, so one request stays a handful of scans on a wide table. */
const MAX_NUMERIC = 8;
const MAX_CATEGORICAL = 6;
/** Above this many values a text column is more a label than a category (and too costly to group). */
const MAX_CATEGORIES = 1000;

export const MIN_ABS_R = 0.3;
export const MIN_PAIRS = 10;
export const IQR_MULTIPLIER = 1.5;
export const MIN_GROWTH_PCT = 10;
export const TOP_K = 3;
export const MIN_TOP_SHARE_PCT = 50;
export const MIN_NULL_PCT = 20;
export const MIN_DUPLICATE_PCT = 5;

type Finder = (db: Db, dataset: AxiDataset, stats: DatasetStats) => Promise<ComputedInsight | null>;

const numericColumns = (stats: DatasetStats) =>
  stats.columns.filter((c) => numericTypes.has(c.type) && c.count > 0).slice(0, MAX_NUMERIC);

function strengthWord(r: number): string {
  const a = Math.abs(r);
  return a >= 0.7 ? 'strong' : a >= 0.5 ? 'moderate' : 'weak';
}

export const findCorrelation: Finder = async (db, dataset, stats) => {
  const columns = numericColumns(stats).filter((c) => c.distinct > 1);
  const pairs = await pearsonPairs(
    db,
    dataset,
    columns.map((c) => c.name),
  );
  const best = pairs
    .filter((p) => p.r !== null && Math.abs(p.r) >= MIN_ABS_R && p.n >= MIN_PAIRS)
    .sort((a, b) => Math.abs(b.r!) - Math.abs(a.r!) || a.x.localeCompare(b.x) || a.y.localeCompare(b.y))[0];
  if (!best) return null;
  const x = columns.find((c) => c.name === best.x)!;
  const y = columns.find((c) => c.name === best.y)!;
  const r = round(best.r!, 3);
  const facts: InsightFacts = { x: x.originalName, y: y.originalName, r, n: best.n };
  const direction = r > 0 ? 'rises' : 'falls';
  return {
    kind: 'correlation',
    title: `${y.originalName} ${direction} with ${x.originalName}`,
    explanation:
      `${y.originalName} and ${x.originalName} have a ${strengthWord(r)} ${r > 0 ? 'positive' : 'negative'} ` +
      `correlation: Pearson r = ${r} over ${formatNumber(best.n)} rows where both are filled. ` +
      `When ${x.originalName} is higher, ${y.originalName} tends to be ${r > 0 ? 'higher' : 'lower'} too; ` +
      'this says nothing about which causes which.',
    facts,
    chart: {
      type: 'scatter',
      x: x.originalName,
      y: y.originalName,
      data: (await scatterPoints(db, dataset, x.name, y.name, maxChartPoints)).map((p) => ({
        [x.originalName]: p.x,
        [y.originalName]: p.y,
      })),
    },
    score: Math.min(1, Math.abs(r)),
  };
};

export const findOutliers: Finder = async (db, dataset, stats) => {
  let best: { column: ColumnStats; count: number; extremes: number[]; lower: number; upper: number } | null =
    null;
  for (const column of numericColumns(stats)) {
    if (column.q1 === null || column.q3 === null || column.count < MIN_PAIRS) continue;
    const iqr = column.q3 - column.q1;
    if (iqr <= 0) continue;
    const lower = column.q1 - IQR_MULTIPLIER * iqr;
    const upper = column.q3 + IQR_MULTIPLIER * iqr;
    const middle = (column.q1 + column.q3) / 2;
    const found = await valuesOutside(db, dataset, column.name, { lower, upper, middle }, 3);
    if (found.count === 0) continue;
    if (!best || found.count / column.count > best.count / best.column.count)
      best = { column, ...found, lower, upper };
  }
  if (!best) return null;
  const { column, count, extremes } = best;
  const sharePct = percentOf(count, column.count);
  const facts: InsightFacts = {
    column: column.originalName,
    outliers: count,
    values: column.count,
    sharePct,
    iqrMultiplier: IQR_MULTIPLIER,
    lowerFence: round(best.lower, 2),
    upperFence: round(best.upper, 2),
  };
  extremes.forEach((v, i) => {
    facts[`extreme${i + 1}`] = round(v, 2);
  });
  const examples = extremes.map((v) => formatNumber(round(v, 2))).join(', ');
  return {
    kind: 'outliers',
    title: `${formatNumber(count)} unusual ${column.originalName} values`,
    explanation:
      `${formatNumber(count)} of ${formatNumber(column.count)} ${column.originalName} values (${sharePct}%) lie ` +
      `more than ${IQR_MULTIPLIER} times the interquartile range outside the middle half, below ` +
      `${formatNumber(round(best.lower, 2))} or above ${formatNumber(round(best.upper, 2))}. ` +
      `The most extreme: ${examples}. Check whether they are errors or real exceptions before averaging.`,
    facts,
    chart: {
      type: 'bar',
      x: 'value',
      y: 'distance',
      data: extremes.map((v) => ({
        value: round(v, 2),
        distance: round(Math.abs(v - (column.q1! + column.q3!) / 2), 2),
      })),
    },
    score: Math.min(0.7, 0.3 + (count / column.count) * 4),
  };
};

/** `YYYY-MM` -> its first and last day, `YYYY-MM-DD`. */
function monthBounds(month: string): { first: string; last: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(lastDay).padStart(2, '0')}` };
}

export const findTrend: Finder = async (db, dataset, stats) => {
  const time = stats.columns.find((c) => temporalTypes.has(c.type) && c.min !== null && c.max !== null);
  const measures = numericColumns(stats);
  if (!time || measures.length === 0) return null;
  const months = await monthlyTotals(
    db,
    dataset,
    time.name,
    measures.map((m) => m.name),
  );
  if (months.length < 3) return null;
  // A month is full when the data starts on or before its first day and ends on or after its last:
  // a half-covered first or last month would fake a rise or a fall.
  const minDay = String(time.min).slice(0, 10);
  const maxDay = String(time.max).slice(0, 10);
  const full = months.filter((m) => {
    const { first, last } = monthBounds(m.month);
    return minDay <= first && maxDay >= last;
  });
  if (full.length < 2) return null;
  const first = full[0]!;
  const last = full[full.length - 1]!;
  let best: { measure: ColumnStats; from: number; to: number; changePct: number } | null = null;
  for (const measure of measures) {
    const from = first.totals[measure.name]!;
    const to = last.totals[measure.name]!;
    if (from <= 0) continue;
    const changePct = round(((to - from) / from) * 100, 1);
    if (Math.abs(changePct) >= MIN_GROWTH_PCT && (!best || Math.abs(changePct) > Math.abs(best.changePct)))
      best = { measure, from, to, changePct };
  }
  if (!best) return null;
  const { measure, changePct } = best;
  const from = round(best.from, 2);
  const to = round(best.to, 2);
  const facts: InsightFacts = {
    column: measure.originalName,
    timeColumn: time.originalName,
    firstMonth: first.month,
    lastMonth: last.month,
    firstTotal: from,
    lastTotal: to,
    changePct,
    fullMonths: full.length,
  };
  const rose = changePct > 0;
  return {
    kind: 'trend',
    title: `${measure.originalName} ${rose ? 'grew' : 'fell'} ${Math.abs(changePct)}% from ${first.month} to ${last.month}`,
    explanation:
      `The monthly total of ${measure.originalName} (by ${time.originalName}) went from ${formatNumber(from)} in ` +
      `${first.month} to ${formatNumber(to)} in ${last.month}, ${rose ? 'an increase' : 'a decrease'} of ` +
      `${Math.abs(changePct)}%, comparing the first and last of ${full.length} full months.`,
    facts,
    chart: {
      type: 'line',
      x: 'month',
      y: measure.originalName,
      data: months
        .slice(-maxChartPoints)
        .map((m) => ({ month: m.month, [measure.originalName]: round(m.totals[measure.name]!, 2) })),
    },
    score: Math.min(1, 0.4 + Math.abs(changePct) / 200),
  };
};

export const findConcentration: Finder = async (db, dataset, stats) => {
  const categorical = stats.columns
    .filter(
      (c) =>
        c.type === 'text' && c.distinct > TOP_K && c.distinct <= MAX_CATEGORIES && c.distinct <= c.count / 2,
    )
    .slice(0, MAX_CATEGORICAL);
  // Totals only of measures that are never negative (a share of a total with refunds in it
  // misleads) and mostly filled (a total over a sparse column mostly measures where it is filled).
  const measures = numericColumns(stats).filter(
    (m) => typeof m.min === 'number' && m.min >= 0 && percentOf(m.nulls, stats.rowCount) < MIN_NULL_PCT,
  );
  let best: {
    column: ColumnStats;
    measure: ColumnStats | null;
    groups: { category: string; value: number }[];
    total: number;
    sharePct: number;
    excess: number;
  } | null = null;
  for (const column of categorical) {
    const rows = await categoryTotals(
      db,
      dataset,
      column.name,
      measures.map((m) => m.name),
    );
    for (const measure of [null, ...measures]) {
      const groups = rows
        .map((r) => ({ category: r.category, value: measure ? r.totals[measure.name]! : r.rows }))
        .sort((a, b) => b.value - a.value || (a.category < b.category ? -1 : 1));
      const total = groups.reduce((s, g) => s + g.value, 0);
      if (total <= 0) continue;
      const top = groups.slice(0, TOP_K).reduce((s, g) => s + g.value, 0);
      const sharePct = percentOf(top, total);
      // Against an even split: 3 of 4 categories holding 75% is no news.
      const excess = sharePct - (TOP_K / groups.length) * 100;
      if (sharePct >= MIN_TOP_SHARE_PCT && excess >= 15 && (!best || excess > best.excess))
        best = { column, measure, groups, total, sharePct, excess };
    }
  }
  if (!best) return null;
  const { column, measure, groups, sharePct } = best;
  const what = measure ? `of the total ${measure.originalName}` : 'of the rows';
  const top = groups.slice(0, TOP_K);
  const facts: InsightFacts = {
    column: column.originalName,
    measure: measure ? measure.originalName : 'rows',
    topK: TOP_K,
    categories: groups.length,
    sharePct,
    total: round(best.total, 2),
  };
  top.forEach((g, i) => {
    facts[`top${i + 1}`] = g.category;
    facts[`top${i + 1}Value`] = round(g.value, 2);
  });
  const shown = groups.slice(0, 9).map((g) => ({ category: g.category, value: round(g.value, 2) }));
  const rest = groups.slice(9).reduce((s, g) => s + g.value, 0);
  if (groups.length > 9) shown.push({ category: 'Other', value: round(rest, 2) });
  return {
    kind: 'concentration',
    title: `${TOP_K} ${column.originalName} values hold ${sharePct}% ${what}`,
    explanation:
      `The top ${TOP_K} of ${formatNumber(groups.length)} ${column.originalName} values ` +
      `(${top.map((g) => g.category).join(', ')}) account for ${sharePct}% ${what} ` +
      `(${formatNumber(round(best.total, 2))} in all); the other ${column.originalName} values share the rest.`,
    facts,
    chart: { type: groups.length <= 6 ? 'pie' : 'bar', x: 'category', y: 'value', data: shown },
    score: Math.min(1, sharePct / 100),
  };
};

export const findDataQuality: Finder = async (db, dataset, stats) => {
  if (stats.rowCount === 0) return null;
  const candidates: ComputedInsight[] = [];
  const sparse = stats.columns
    .map((c) => ({ c, pct: percentOf(c.nulls, stats.rowCount) }))
    .filter((s) => s.pct >= MIN_NULL_PCT)
    .sort((a, b) => b.pct - a.pct || a.c.name.localeCompare(b.c.name));
  if (sparse[0]) {
    const { c, pct } = sparse[0];
    const facts: InsightFacts = {
      column: c.originalName,
      nulls: c.nulls,
      rows: stats.rowCount,
      nullPct: pct,
    };
    const others = sparse.slice(1, 4);
    others.forEach((o, i) => {
      facts[`alsoSparse${i + 1}`] = o.c.originalName;
    });
    candidates.push({
      kind: 'data_quality',
      title: `${c.originalName} is empty in ${pct}% of rows`,
      explanation:
        `${c.originalName} has no value in ${formatNumber(c.nulls)} of ${formatNumber(stats.rowCount)} rows ` +
        `(${pct}%): totals and averages over it describe only the filled rows.` +
        (others.length > 0 ? ` Also often empty: ${others.map((o) => o.c.originalName).join(', ')}.` : ''),
      facts,
      chart: {
        type: 'bar',
        x: 'column',
        y: 'emptyPct',
        data: sparse.slice(0, maxChartPoints).map((s) => ({ column: s.c.originalName, emptyPct: s.pct })),
      },
      score: Math.min(1, 0.3 + (pct / 100) * 0.6),
    });
  }
  const duplicates = await countDuplicateRows(db, dataset);
  const duplicatePct = percentOf(duplicates, stats.rowCount);
  if (duplicates > 0 && duplicatePct >= MIN_DUPLICATE_PCT)
    candidates.push({
      kind: 'data_quality',
      title: `${formatNumber(duplicates)} duplicated rows`,
      explanation:
        `${formatNumber(duplicates)} of ${formatNumber(stats.rowCount)} rows (${duplicatePct}%) repeat another ` +
        'row in every column; counts and totals include them more than once.',
      facts: { duplicates, rows: stats.rowCount, duplicatePct },
      chart: {
        type: 'pie',
        x: 'rows',
        y: 'count',
        data: [
          { rows: 'unique', count: stats.rowCount - duplicates },
          { rows: 'duplicate', count: duplicates },
        ],
      },
      score: Math.min(1, 0.3 + (duplicatePct / 100) * 0.6),
    });
  const constant = stats.columns.find((c) => c.count >= MIN_PAIRS && c.distinct === 1);
  if (constant)
    candidates.push({
      kind: 'data_quality',
      title: `${constant.originalName} never changes`,
      explanation:
        `${constant.originalName} holds a single value in all ${formatNumber(constant.count)} filled rows: ` +
        'it cannot explain any difference between rows.',
      facts: { column: constant.originalName, values: constant.count },
      chart: {
        type: 'bar',
        x: 'column',
        y: 'distinct',
        data: [{ column: constant.originalName, distinct: 1 }],
      },
      score: 0.35,
    });
  return candidates.sort((a, b) => b.score - a.score)[0] ?? null;
};

export const finders: readonly Finder[] = [
  findCorrelation,
  findTrend,
  findConcentration,
  findDataQuality,
  findOutliers,
];

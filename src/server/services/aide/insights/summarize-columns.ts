import type { ColumnSummary } from '../../../../contracts/aide/insights.js';
import { type ColumnStats, type DatasetStats, numericTypes, temporalTypes } from './column-stats.js';
import { formatNumber, percentOf, round } from './format.js';

/** Plain-language reading of one column's statistics. */
export function explainColumn(c: ColumnStats, rowCount: number): string {
  const parts: string[] = [];
  const nullPct = percentOf(c.nulls, rowCount);
  if (c.count === 0) return `${c.originalName} is empty in every row.`;
  parts.push(
    c.nulls === 0
      ? `${c.originalName} is filled in every row`
      : `${c.originalName} is empty in ${formatNumber(c.nulls)} of ${formatNumber(rowCount)} rows (${nullPct}%)` +
          (nullPct >= 20 ? ', which is a lot' : ''),
  );
  if (c.distinct === 1) parts.push('it holds a single value, so it cannot tell rows apart');
  else if (numericTypes.has(c.type) && typeof c.min === 'number' && typeof c.max === 'number')
    parts.push(
      `values run from ${formatNumber(c.min)} to ${formatNumber(c.max)}` +
        (c.mean !== null ? ` with a mean of ${formatNumber(round(c.mean, 2))}` : '') +
        ` (${formatNumber(c.distinct)} distinct)`,
    );
  else if (temporalTypes.has(c.type) && c.min !== null && c.max !== null)
    parts.push(`it covers ${c.min} to ${c.max}`);
  else {
    const top = c.topValues[0];
    parts.push(`it has ${formatNumber(c.distinct)} distinct values`);
    if (top && c.distinct <= c.count / 2)
      parts.push(
        `the most frequent is "${top.value}" (${formatNumber(top.count)} rows, ${percentOf(top.count, c.count)}% of filled rows)`,
      );
    else if (c.distinct === c.count) parts.push('every value is different, like an identifier');
  }
  return `${parts.join('; ')}.`;
}

export function summarizeColumns(stats: DatasetStats): ColumnSummary[] {
  return stats.columns.map((c) => ({
    name: c.name,
    originalName: c.originalName,
    type: c.type,
    count: c.count,
    nulls: c.nulls,
    distinct: c.distinct,
    min: c.min,
    max: c.max,
    mean: c.mean,
    topValues: c.topValues,
    explanation: explainColumn(c, stats.rowCount),
  }));
}

/** One sentence on the dataset as a whole: size and what kinds of columns it has. */
export function summarizeDataset(name: string, stats: DatasetStats): string {
  const kinds = [
    ['numeric', stats.columns.filter((c) => numericTypes.has(c.type)).length],
    ['date or time', stats.columns.filter((c) => temporalTypes.has(c.type)).length],
    ['text', stats.columns.filter((c) => c.type === 'text').length],
    ['yes/no', stats.columns.filter((c) => c.type === 'boolean').length],
  ] as const;
  const listed = kinds.filter(([, n]) => n > 0).map(([kind, n]) => `${n} ${kind}`);
  const sparse = stats.columns.filter((c) => percentOf(c.nulls, stats.rowCount) >= 20).length;
  return (
    `${name} has ${formatNumber(stats.rowCount)} rows and ${stats.columns.length} columns (${listed.join(', ')})` +
    (sparse > 0 ? `; ${sparse} of them are empty in at least 20% of rows.` : '; no column is often empty.')
  );
}

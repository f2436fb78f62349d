import type { Insight, InsightChart, InsightKind } from '../../../../contracts/aide/insights.js';

/** What each kind of insight is called on its card. */
export const kindLabels: Record<InsightKind, string> = {
  correlation: 'Correlation',
  outliers: 'Outliers',
  trend: 'Trend',
  concentration: 'Concentration',
  data_quality: 'Data quality',
};

/**
 * Readable names of the facts the server writes, per kind (the same key means different things
 * in different kinds). Keys not listed here, e.g. ones added later, are spelled out from camelCase.
 */
const factLabels: Partial<Record<InsightKind, Record<string, string>>> = {
  correlation: { x: 'First column', y: 'Second column', r: 'Pearson r', n: 'Rows with both filled' },
  outliers: {
    column: 'Column',
    outliers: 'Unusual values',
    values: 'Filled values',
    sharePct: 'Share unusual',
    iqrMultiplier: 'IQR multiplier',
    lowerFence: 'Lower fence',
    upperFence: 'Upper fence',
  },
  trend: {
    column: 'Measure',
    timeColumn: 'Time column',
    firstMonth: 'First full month',
    lastMonth: 'Last full month',
    firstTotal: 'First month’s total',
    lastTotal: 'Last month’s total',
    changePct: 'Change',
    fullMonths: 'Full months',
  },
  concentration: {
    column: 'Column',
    measure: 'Measure',
    topK: 'Top values counted',
    categories: 'Distinct values',
    sharePct: 'Share of the top values',
    total: 'Total',
  },
  data_quality: {
    column: 'Column',
    nulls: 'Empty cells',
    rows: 'Rows',
    nullPct: 'Share empty',
    duplicates: 'Duplicated rows',
    duplicatePct: 'Share duplicated',
    values: 'Filled values',
  },
};

/** Numbered facts (`top2Value`, `extreme1`, `alsoSparse3`), named with their number. */
const numberedLabels: [RegExp, (n: string) => string][] = [
  [/^top(\d+)$/, (n) => `Top ${n}`],
  [/^top(\d+)Value$/, (n) => `Top ${n} amount`],
  [/^extreme(\d+)$/, (n) => `Extreme value ${n}`],
  [/^alsoSparse(\d+)$/, (n) => `Also often empty (${n})`],
];

/** `firstTotalPct` -> "First total (%)": a readable fallback for a key without a label. */
function spellOut(key: string): string {
  const percent = key.endsWith('Pct');
  const words = (percent ? key.slice(0, -3) : key)
    .replace(/([a-z])([A-Z0-9])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return percent ? `${text} (%)` : text;
}

export function factLabel(kind: InsightKind, key: string): string {
  const known = factLabels[kind]?.[key];
  if (known) return known;
  for (const [pattern, label] of numberedLabels) {
    const match = key.match(pattern);
    if (match) return label(match[1]!);
  }
  return spellOut(key);
}

const percent = (value: number) => `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })}%`;

/**
 * A fact as its card shows it. The key says the unit (the contract's rule): `...Pct` is in
 * percent, `share`/`...Share` a fraction, both shown with a % sign; other numbers get thousands
 * separators and up to 3 decimals, the precision the server rounds facts to (r to 3 places,
 * totals to 2), so nothing is rounded away.
 */
export function formatFact(key: string, value: number | string): string {
  if (typeof value === 'string') return value;
  if (key.endsWith('Pct')) return percent(value);
  if (key === 'share' || key.endsWith('Share')) return percent(value * 100);
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

export function factEntries(insight: Insight): { key: string; label: string; value: string }[] {
  return Object.entries(insight.facts).map(([key, value]) => ({
    key,
    label: factLabel(insight.kind, key),
    value: formatFact(key, value),
  }));
}

/** What an insight's chart draws: points of a scatter, or one series of numbers over labels. */
export type InsightChartPlan =
  | { type: 'scatter'; points: { x: number; y: number }[]; x: string; y: string }
  | { type: 'bar' | 'line' | 'pie'; labels: string[]; values: number[]; x: string; y: string };

type Cell = InsightChart['data'][number][string];

function toNumber(value: Cell | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function formatChartCell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '(empty)';
  return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 3 }) : value;
}

/** The chart to draw, or undefined when the spec has no rows or its measure is not numeric. */
export function planInsightChart(chart: InsightChart): InsightChartPlan | undefined {
  const { type, x, y, data } = chart;
  if (data.length === 0) return undefined;
  if (type === 'scatter') {
    const points = data.map((row) => ({ x: toNumber(row[x]), y: toNumber(row[y]) }));
    const drawn = points.filter((p): p is { x: number; y: number } => p.x !== undefined && p.y !== undefined);
    return drawn.length > 0 ? { type, points: drawn, x, y } : undefined;
  }
  const values = data.map((row) => toNumber(row[y]));
  if (values.some((v) => v === undefined)) return undefined;
  return { type, labels: data.map((row) => formatChartCell(row[x])), values: values as number[], x, y };
}

const chartNames = { bar: 'Bar', line: 'Line', pie: 'Pie', scatter: 'Scatter' } as const;

/** The chart's accessible name: what it plots, and where its numbers are as text. */
export function chartAriaLabel(plan: InsightChartPlan): string {
  const what =
    plan.type === 'scatter'
      ? `${plan.y} against ${plan.x}, ${plan.points.length} ${plan.points.length === 1 ? 'point' : 'points'}`
      : `${plan.y} by ${plan.x}`;
  return `${chartNames[plan.type]} chart of ${what}; the numbers are listed under “Chart data”`;
}

import type { ChartSuggestion } from '../../../../contracts/aide/nl2sql.js';
import type { ResultColumn } from '../../../../contracts/aide/sandbox.js';

export type ResultRow = Record<string, unknown>;

/** A timestamp at midnight UTC (what month/year grouping returns) reads better as its day. */
const midnightUtc = /^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.0+)?(?:Z|\+00:00)$/;

/** One cell as text. Exact decimal strings (bigint, numeric) stay as the server wrote them. */
export function formatCell(value: unknown, kind: ResultColumn['kind'] | undefined): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? value.toLocaleString('en-US')
      : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  }
  if (typeof value === 'string') {
    if (kind === 'timestamp') return value.match(midnightUtc)?.[1] ?? value;
    return value;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

/** What the answer chart draws: one series of numbers over labels, or a single number. */
export type ChartPlan =
  | { type: 'bar' | 'line' | 'pie'; labels: string[]; values: number[]; x: string; y: string }
  | { type: 'number'; value: string; y: string };

/** Most categories a chart is drawn for; beyond that the table says it better. */
const MAX_POINTS = 200;

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * The chart the answer suggests, when its columns are really in the result and hold numbers;
 * undefined means the table alone (a suggestion the rows cannot back is not drawn).
 */
export function planChart(
  chart: ChartSuggestion,
  columns: ResultColumn[],
  rows: ResultRow[],
): ChartPlan | undefined {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const y = chart.y && byName.has(chart.y) ? chart.y : columns.find((c) => c.kind === 'number')?.name;
  if (!y || rows.length === 0) return undefined;
  if (chart.type === 'number') {
    if (rows.length !== 1) return undefined;
    return { type: 'number', value: formatCell(rows[0]![y], byName.get(y)?.kind), y };
  }
  if (chart.type === 'table' || !chart.x || !byName.has(chart.x) || rows.length > MAX_POINTS)
    return undefined;
  const x = chart.x;
  const values = rows.map((r) => toNumber(r[y]));
  if (values.some((v) => v === undefined)) return undefined;
  const xKind = byName.get(x)?.kind;
  return {
    type: chart.type,
    labels: rows.map((r) => (r[x] === null || r[x] === undefined ? '(empty)' : formatCell(r[x], xKind))),
    values: values as number[],
    x,
    y,
  };
}

/** Why the configured LLM gave way to the built-in engine, as the end of a sentence. */
export const fallbackReasons = {
  timeout: 'did not answer in time',
  circuit_open: 'is failing and was not asked',
  rate_limited: 'was at its limit of calls per minute',
  invalid_answer: 'gave an answer that could not be used',
  unavailable: 'is unavailable',
} as const;

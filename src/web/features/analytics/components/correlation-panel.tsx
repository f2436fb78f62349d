import { type FormEvent, lazy, Suspense, useCallback, useId, useMemo, useState } from 'react';
import type { CorrelationMethod, CorrelationResult } from '../../../../contracts/axi/analytics.js';
import type { DatasetColumn } from '../../../../contracts/axi/columns.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { useToast } from '../../../shared/ui/toasts.js';
import { useLatestReport, useRunCorrelations } from '../hooks.js';
import { AnalysisOutcome, canRunAnalyses, RoleNotice } from './analysis-error.js';
import { divergingColor, formatNumber, formatP, useIsDark } from './chart-theme.js';
import type { HeatmapCell } from './heatmap-chart.js';
import { type ResultView, ViewToggle } from './view-toggle.js';

const HeatmapChart = lazy(() => import('./heatmap-chart.js'));

/** How many numeric columns are ticked by default: more makes an unreadable matrix. */
export const DEFAULT_CORRELATION_COLUMNS = 12;
const MAX_COLUMNS = 50;

const numericTypes = new Set(['integer', 'bigint', 'double']);

export function numericColumns(columns: DatasetColumn[]): DatasetColumn[] {
  return columns.filter((c) => numericTypes.has(c.type));
}

/** Pick numeric columns and a method, run, and read the matrix as a heatmap or a table. */
export function CorrelationPanel({ datasetId, columns }: { datasetId: string; columns: DatasetColumn[] }) {
  const numeric = useMemo(() => numericColumns(columns), [columns]);
  const [selected, setSelected] = useState<Set<string>>(
    () => new Set(numeric.slice(0, DEFAULT_CORRELATION_COLUMNS).map((c) => c.name)),
  );
  const [method, setMethod] = useState<CorrelationMethod>('pearson');
  const [formError, setFormError] = useState<string>();
  const [view, setView] = useState<ResultView>('chart');
  const run = useRunCorrelations();
  const latest = useLatestReport(datasetId, 'correlation');
  const toast = useToast();
  const { user } = useSession();
  const allowed = canRunAnalyses(user?.roles);
  const headingId = useId();
  const errorId = useId();

  const labelOf = useCallback(
    (name: string) => columns.find((c) => c.name === name)?.originalName ?? name,
    [columns],
  );

  const result: CorrelationResult | undefined = run.data?.result ?? latest.data?.result;
  const resultAt = run.data?.createdAt ?? latest.data?.createdAt;

  if (numeric.length < 2) {
    return (
      <Card aria-labelledby={headingId}>
        <h2 id={headingId} className="text-lg font-semibold">
          Correlations
        </h2>
        <div className="mt-3">
          <EmptyState title="Correlations need at least two numeric columns">
            This dataset has {numeric.length === 0 ? 'none' : 'one'}. Upload a file with more numeric columns,
            or override a column's type to integer or double when uploading.
          </EmptyState>
        </div>
      </Card>
    );
  }

  const toggle = (name: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Keep the dataset's column order, whatever order they were ticked in.
    const chosen = numeric.filter((c) => selected.has(c.name)).map((c) => c.name);
    if (chosen.length < 2) return setFormError('Choose at least two columns.');
    if (chosen.length > MAX_COLUMNS) return setFormError(`Choose at most ${MAX_COLUMNS} columns.`);
    setFormError(undefined);
    run.mutate(
      { datasetId, columns: chosen, method },
      {
        onSuccess: (report) =>
          toast('success', `Correlation matrix ready: ${report.result.columns.length} columns, ${method}.`),
      },
    );
  };

  return (
    <Card aria-labelledby={headingId} className="space-y-4">
      <div>
        <h2 id={headingId} className="text-lg font-semibold">
          Correlations
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          How strongly numeric columns move together: −1 opposite, 0 unrelated, +1 together.
        </p>
      </div>
      <form onSubmit={submit} className="space-y-3" noValidate>
        <fieldset aria-describedby={formError ? errorId : undefined}>
          <legend className="text-sm font-medium">Columns</legend>
          <div className="mt-1 flex gap-2 text-sm">
            <button
              type="button"
              className="text-indigo-700 underline hover:no-underline dark:text-indigo-300"
              onClick={() => setSelected(new Set(numeric.slice(0, MAX_COLUMNS).map((c) => c.name)))}
            >
              Select all
            </button>
            <button
              type="button"
              className="text-indigo-700 underline hover:no-underline dark:text-indigo-300"
              onClick={() => setSelected(new Set())}
            >
              Clear
            </button>
          </div>
          <div className="mt-2 grid max-h-48 grid-cols-1 gap-x-4 gap-y-1 overflow-y-auto sm:grid-cols-2 lg:grid-cols-3">
            {numeric.map((c) => (
              <label key={c.name} className="flex min-w-0 items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={selected.has(c.name)}
                  onChange={() => toggle(c.name)}
                  className="size-4 accent-indigo-600"
                />
                <span className="truncate" title={c.originalName}>
                  {c.originalName}
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend className="text-sm font-medium">Method</legend>
          <div className="mt-1 flex flex-wrap gap-4 text-sm">
            {(
              [
                ['pearson', 'Pearson (linear)'],
                ['spearman', 'Spearman (rank)'],
              ] as const
            ).map(([value, text]) => (
              <label key={value} className="flex items-center gap-2">
                <input
                  type="radio"
                  name={`${headingId}-method`}
                  value={value}
                  checked={method === value}
                  onChange={() => setMethod(value)}
                  className="size-4 accent-indigo-600"
                />
                {text}
              </label>
            ))}
          </div>
        </fieldset>
        {formError && (
          <p id={errorId} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {formError}
          </p>
        )}
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" disabled={run.isPending || !allowed}>
            {run.isPending ? 'Running…' : 'Run correlation'}
          </Button>
          <span className="text-sm text-slate-600 dark:text-slate-400">
            {selected.size} of {numeric.length} selected
          </span>
        </div>
        <RoleNotice allowed={allowed} />
      </form>
      <AnalysisOutcome
        error={run.error}
        pending={run.isPending}
        result={
          result ? (
            <CorrelationResultView
              result={result}
              createdAt={resultAt}
              view={view}
              onViewChange={setView}
              labelOf={labelOf}
            />
          ) : null
        }
        empty={
          latest.isLoading ? null : (
            <EmptyState title="No correlation run yet">
              Pick the columns and a method above, then run the correlation.
            </EmptyState>
          )
        }
      />
    </Card>
  );
}

function pairOf(result: CorrelationResult, a: string, b: string) {
  return result.pairs.find((p) => (p.x === a && p.y === b) || (p.x === b && p.y === a));
}

/** The matrix as heatmap cells, each with its r label and a tooltip with r, p, adjusted p and n. */
export function correlationCells(
  result: CorrelationResult,
  dark: boolean,
  labelOf: (column: string) => string = (c) => c,
): HeatmapCell[] {
  const cells: HeatmapCell[] = [];
  result.columns.forEach((yName, yi) => {
    result.columns.forEach((xName, xi) => {
      const x = labelOf(xName);
      const y = labelOf(yName);
      const r = result.matrix[yi]?.[xi] ?? null;
      const color = divergingColor(r, dark);
      if (xi === yi) {
        cells.push({
          x: xi,
          y: yi,
          color,
          label: r === null ? '—' : '1',
          tooltip: [x, r === null ? 'constant or empty' : 'r = 1 (itself)'],
        });
        return;
      }
      const pair = pairOf(result, xName, yName);
      const tooltip = [`${y} × ${x}`, `r = ${r === null ? 'undefined' : r.toFixed(3)}`];
      if (pair) {
        tooltip.push(
          `p = ${formatP(pair.pValue)} (adjusted ${formatP(pair.pAdjusted)})`,
          `n = ${pair.n.toLocaleString('en-US')}`,
        );
        if (pair.ci95) tooltip.push(`95% CI ${pair.ci95[0].toFixed(3)} to ${pair.ci95[1].toFixed(3)}`);
        if (pair.reason) tooltip.push(pair.reason);
      }
      cells.push({ x: xi, y: yi, color, label: r === null ? '—' : r.toFixed(2), tooltip });
    });
  });
  return cells;
}

function CorrelationResultView({
  result,
  createdAt,
  view,
  onViewChange,
  labelOf,
}: {
  result: CorrelationResult;
  createdAt: string | undefined;
  view: ResultView;
  onViewChange: (v: ResultView) => void;
  labelOf: (column: string) => string;
}) {
  const dark = useIsDark();
  const cells = useMemo(() => correlationCells(result, dark, labelOf), [result, dark, labelOf]);
  const labels = useMemo(() => result.columns.map(labelOf), [result, labelOf]);
  const n = result.columns.length;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {result.method === 'pearson' ? 'Pearson' : 'Spearman'} over {n} columns
          {createdAt && <> · run {new Date(createdAt).toLocaleString()}</>}
        </p>
        <ViewToggle view={view} onChange={onViewChange} label="Show the correlations as" />
      </div>
      {view === 'chart' ? (
        <div className="overflow-x-auto">
          <div style={{ minWidth: Math.max(320, n * 44 + 120) }}>
            <Suspense fallback={<Skeleton className="h-72 w-full" />}>
              <HeatmapChart
                xLabels={labels}
                yLabels={labels}
                cells={cells}
                heightPx={Math.max(260, n * 40 + 90)}
                ariaLabel={`${result.method === 'pearson' ? 'Pearson' : 'Spearman'} correlation heatmap of ${n} columns; the table view lists every value`}
              />
            </Suspense>
          </div>
          <ColorLegend dark={dark} />
        </div>
      ) : (
        <CorrelationTable result={result} labelOf={labelOf} />
      )}
    </div>
  );
}

function ColorLegend({ dark }: { dark: boolean }) {
  const stops = [-1, -0.5, 0, 0.5, 1];
  return (
    <div
      className="mt-2 flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400"
      aria-hidden="true"
    >
      <span>−1</span>
      <div className="flex h-3 w-40 overflow-hidden rounded">
        {stops.map((s) => (
          <div key={s} className="flex-1" style={{ background: divergingColor(s, dark) }} />
        ))}
      </div>
      <span>+1</span>
    </div>
  );
}

/** Every pair with r, p, adjusted p, n and the interval: the heatmap's numbers for everyone. */
export function CorrelationTable({
  result,
  labelOf = (c) => c,
}: {
  result: CorrelationResult;
  labelOf?: (column: string) => string;
}) {
  return (
    <div className="max-h-96 overflow-auto rounded-md border border-slate-200 dark:border-slate-700">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Correlation of each pair of columns</caption>
        <thead className="sticky top-0 bg-slate-100 dark:bg-slate-800">
          <tr>
            {['Column', 'With', 'r', 'p', 'Adjusted p', 'n', '95% CI'].map((h) => (
              <th key={h} scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.pairs.map((p) => (
            <tr key={`${p.x}|${p.y}`} className="border-t border-slate-200 dark:border-slate-700">
              <th scope="row" className="px-3 py-1.5 font-normal">
                {labelOf(p.x)}
              </th>
              <td className="px-3 py-1.5">{labelOf(p.y)}</td>
              <td className="px-3 py-1.5 tabular-nums">
                {p.r === null ? (p.reason ?? 'undefined') : p.r.toFixed(3)}
              </td>
              <td className="px-3 py-1.5 tabular-nums">{formatP(p.pValue)}</td>
              <td className="px-3 py-1.5 tabular-nums">{formatP(p.pAdjusted)}</td>
              <td className="px-3 py-1.5 tabular-nums">{formatNumber(p.n)}</td>
              <td className="px-3 py-1.5 whitespace-nowrap tabular-nums">
                {p.ci95 ? `${p.ci95[0].toFixed(2)} to ${p.ci95[1].toFixed(2)}` : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import { useState } from 'react';
import type { AnalyzeDatasetResponse, ColumnSummary } from '../../../../contracts/aide/insights.js';
import { Skeleton } from '../../../shared/ui/card.js';
import { useDatasetAnalysis } from '../hooks.js';
import { LoadError } from './load-error.js';

const count = (n: number) => n.toLocaleString('en-US');

/** A min, max or mean: numbers with separators (up to 4 decimals), dates as the server wrote them. */
function formatStat(value: number | string | null): string | undefined {
  if (value === null) return undefined;
  return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 4 }) : value;
}

function Stat({ label, value }: { label: string; value: string | undefined }) {
  if (value === undefined) return null;
  return (
    <div className="contents">
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="font-medium break-words tabular-nums">{value}</dd>
    </div>
  );
}

function ColumnItem({ column }: { column: ColumnSummary }) {
  return (
    <li className="min-w-0 space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700">
      <div className="flex flex-wrap items-baseline justify-between gap-x-2">
        <h4 className="font-medium break-words">{column.originalName}</h4>
        <span className="text-xs text-slate-600 dark:text-slate-400">{column.type}</span>
      </div>
      <p className="text-sm text-slate-700 dark:text-slate-300">{column.explanation}</p>
      <dl className="grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-sm">
        <Stat label="Filled" value={count(column.count)} />
        <Stat label="Empty" value={count(column.nulls)} />
        <Stat label="Distinct" value={count(column.distinct)} />
        <Stat label="Min" value={formatStat(column.min)} />
        <Stat label="Max" value={formatStat(column.max)} />
        <Stat label="Mean" value={formatStat(column.mean)} />
      </dl>
      {column.topValues.length > 0 && (
        <div className="text-sm">
          <p className="text-slate-600 dark:text-slate-400">Most frequent</p>
          <ol className="mt-0.5 space-y-0.5">
            {column.topValues.map((t) => (
              <li key={t.value} className="flex justify-between gap-2">
                <span className="min-w-0 break-words">{t.value}</span>
                <span className="tabular-nums">{count(t.count)}</span>
              </li>
            ))}
          </ol>
        </div>
      )}
    </li>
  );
}

function Analysis({ analysis }: { analysis: AnalyzeDatasetResponse }) {
  return (
    <div className="space-y-3">
      <p className="text-sm">{analysis.summary}</p>
      <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
        <div className="flex gap-2">
          <dt className="text-slate-600 dark:text-slate-400">Rows</dt>
          <dd data-testid="summary-rows" className="font-medium tabular-nums">
            {count(analysis.rowCount)}
          </dd>
        </div>
        <div className="flex gap-2">
          <dt className="text-slate-600 dark:text-slate-400">Columns</dt>
          <dd className="font-medium tabular-nums">{count(analysis.columns.length)}</dd>
        </div>
      </dl>
      <ul className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-3">
        {analysis.columns.map((c) => (
          <ColumnItem key={c.name} column={c} />
        ))}
      </ul>
    </div>
  );
}

/** Each column's statistics in plain words, fetched the first time the disclosure is opened. */
export function ColumnSummaryDisclosure({ datasetId }: { datasetId: string }) {
  const [opened, setOpened] = useState(false);
  const analysis = useDatasetAnalysis(datasetId, opened);
  return (
    <details
      onToggle={(e) => {
        if (e.currentTarget.open) setOpened(true);
      }}
      className="rounded-md border border-slate-200 dark:border-slate-700"
    >
      <summary className="cursor-pointer px-3 py-2 font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        Column summary
      </summary>
      <div className="border-t border-slate-200 p-3 dark:border-slate-700" aria-busy={analysis.isFetching}>
        {analysis.isError ? (
          <LoadError
            error={analysis.error}
            retrying={analysis.isFetching}
            onRetry={() => analysis.refetch()}
          />
        ) : analysis.data ? (
          <Analysis analysis={analysis.data} />
        ) : (
          <>
            <p className="sr-only">Loading the column summary…</p>
            <Skeleton className="h-24 w-full" />
          </>
        )}
      </div>
    </details>
  );
}

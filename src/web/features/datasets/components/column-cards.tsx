import { lazy, type ReactNode, Suspense, useId } from 'react';
import type { ColumnProfile, DatasetProfile, HistogramBin } from '../../../../contracts/axi/analytics.js';
import type { ColumnType, DatasetColumn } from '../../../../contracts/axi/columns.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, Skeleton } from '../../../shared/ui/card.js';
import { formatNumber } from '../../analytics/components/chart-theme.js';

const ColumnChart = lazy(() => import('./column-chart.js'));

const badgeClass: Record<ColumnType, string> = {
  integer: 'bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-200',
  bigint: 'bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-200',
  double: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200',
  boolean: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200',
  date: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  timestamp: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200',
  text: 'bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200',
};

export function TypeBadge({ type }: { type: ColumnType }) {
  return <span className={`rounded px-1.5 py-0.5 font-mono text-xs ${badgeClass[type]}`}>{type}</span>;
}

/** Bin bounds as a short label: "10–20". */
export function binLabel(bin: HistogramBin): string {
  return `${formatNumber(bin.lower)}–${formatNumber(bin.upper)}`;
}

/** Whether the stored name is just the header lower-cased with `_` for other characters (not worth showing). */
export function isPlainRename(originalName: string, storedName: string): boolean {
  const plain = originalName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return plain === storedName;
}

/** A date as is; a timestamp as "YYYY-MM-DD HH:MM" (UTC, as the profile reports it). */
export function formatTemporal(value: string | null): string {
  if (!value) return '—';
  return value.includes('T') ? `${value.slice(0, 16).replace('T', ' ')}` : value;
}

/** The grid of column cards: a skeleton while the profile loads, a retry when it fails. */
export function ColumnCards({
  columns,
  profile,
  loading,
  error,
  onRetry,
}: {
  columns: DatasetColumn[];
  profile: DatasetProfile | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  if (error && !profile) {
    return (
      <div
        role="alert"
        className="rounded-lg border border-red-300 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950"
      >
        <p className="font-medium">The column profiles could not be loaded.</p>
        <p className="mt-1 text-sm">{error instanceof Error ? error.message : String(error)}</p>
        <Button variant="secondary" className="mt-3" onClick={onRetry}>
          Try again
        </Button>
      </div>
    );
  }
  return (
    <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3" aria-busy={loading}>
      {loading && <p className="sr-only">Computing the column profiles…</p>}
      {columns.map((column) => {
        const stats = profile?.columns.find((c) => c.name === column.name);
        return <ColumnCard key={column.name} column={column} profile={stats} loading={loading} />;
      })}
    </div>
  );
}

export function ColumnCard({
  column,
  profile,
  loading,
}: {
  column: DatasetColumn;
  profile: ColumnProfile | undefined;
  loading: boolean;
}) {
  const headingId = useId();
  const renamed = !isPlainRename(column.originalName, column.name);
  return (
    <Card aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3">
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <h3 id={headingId} className="truncate font-semibold" title={column.originalName}>
            {column.originalName}
          </h3>
          {renamed && (
            <p className="truncate font-mono text-xs text-slate-600 dark:text-slate-400" title={column.name}>
              stored as {column.name}
            </p>
          )}
        </div>
        <TypeBadge type={column.type} />
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-indigo-700 hover:underline dark:text-indigo-300">
          Why this type
        </summary>
        <div className="mt-1 space-y-1 text-slate-700 dark:text-slate-300">
          <p>{column.evidence.reason}</p>
          {column.type !== column.inferredType && (
            <p>
              Inferred as {column.inferredType}; stored as {column.type} because the upload asked for it.
            </p>
          )}
          {column.evidence.blockers.length > 0 && (
            <ul className="list-disc pl-5">
              {column.evidence.blockers.map((b) => (
                <li key={`${b.type}-${b.line}`}>
                  Not {b.type}: “{b.value}” on line {b.line}
                </li>
              ))}
            </ul>
          )}
          {column.evidence.ambiguousExamples.length > 0 && (
            <p>Ambiguous values: {column.evidence.ambiguousExamples.join(', ')}</p>
          )}
        </div>
      </details>
      {profile ? (
        <ProfileBody profile={profile} />
      ) : loading ? (
        <div className="space-y-2">
          <Skeleton className="h-4 w-3/4" />
          <Skeleton className="h-36 w-full" />
        </div>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">No profile for this column.</p>
      )}
    </Card>
  );
}

function Stats({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-3 gap-x-3 gap-y-1 text-sm">
      {items.map(([term, value]) => (
        <div key={term} className="min-w-0">
          <dt className="text-xs text-slate-600 dark:text-slate-400">{term}</dt>
          <dd
            className="truncate font-medium tabular-nums"
            title={typeof value === 'string' ? value : undefined}
          >
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ChartSlot({ children }: { children: ReactNode }) {
  return <Suspense fallback={<Skeleton className="h-36 w-full" />}>{children}</Suspense>;
}

/** The chart's numbers as a table for screen readers (the canvas itself is only an image). */
function HiddenTable({
  caption,
  head,
  rows,
}: {
  caption: string;
  head: [string, string];
  rows: [string, number][];
}) {
  return (
    <table className="sr-only">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{head[0]}</th>
          <th scope="col">{head[1]}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, count], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: labels may repeat after formatting
          <tr key={i}>
            <th scope="row">{label}</th>
            <td>{count.toLocaleString('en-US')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

function ProfileBody({ profile }: { profile: ColumnProfile }) {
  const base: [string, ReactNode][] = [
    ['Count', formatNumber(profile.count)],
    ['Nulls', formatNumber(profile.nulls)],
    ['Distinct', formatNumber(profile.distinct)],
  ];
  const name = profile.originalName;

  if (profile.kind === 'numeric') {
    const labels = profile.histogram.map(binLabel);
    const counts = profile.histogram.map((b) => b.count);
    return (
      <>
        <Stats
          items={[
            ...base,
            ['Min', formatNumber(profile.min)],
            ['Max', formatNumber(profile.max)],
            ['Range', formatNumber(difference(profile.max, profile.min))],
            ['Q1', formatNumber(profile.q1)],
            ['Median', formatNumber(profile.median)],
            ['Q3', formatNumber(profile.q3)],
            ['Mean', formatNumber(profile.mean)],
            ['Std dev', formatNumber(profile.stddev)],
            ['IQR', formatNumber(difference(profile.q3, profile.q1))],
          ]}
        />
        {profile.histogram.length > 0 && (
          <>
            <ChartSlot>
              <ColumnChart
                variant="histogram"
                labels={labels}
                values={counts}
                ariaLabel={`Histogram of ${name}`}
              />
            </ChartSlot>
            <HiddenTable
              caption={`Histogram of ${name}`}
              head={['Range', 'Rows']}
              rows={labels.map((l, i) => [l, counts[i] ?? 0])}
            />
          </>
        )}
      </>
    );
  }

  if (profile.kind === 'categorical') {
    const labels = profile.topValues.map((t) => String(t.value));
    const counts = profile.topValues.map((t) => t.count);
    return (
      <>
        <Stats items={base} />
        {labels.length > 0 && (
          <>
            <ChartSlot>
              <ColumnChart
                variant="top"
                labels={labels}
                values={counts}
                ariaLabel={`Most frequent values of ${name}`}
              />
            </ChartSlot>
            <HiddenTable
              caption={`Most frequent values of ${name}`}
              head={['Value', 'Rows']}
              rows={labels.map((l, i) => [l, counts[i] ?? 0])}
            />
          </>
        )}
      </>
    );
  }

  const labels = profile.counts.map((c) => c.period);
  const counts = profile.counts.map((c) => c.count);
  return (
    <>
      <Stats items={base} />
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-xs leading-5 text-slate-600 dark:text-slate-400">From</dt>
        <dd className="font-medium tabular-nums">{formatTemporal(profile.min)}</dd>
        <dt className="text-xs leading-5 text-slate-600 dark:text-slate-400">To</dt>
        <dd className="font-medium tabular-nums">
          {formatTemporal(profile.max)}
          {profile.type === 'timestamp' && (
            <span className="font-normal text-slate-600 dark:text-slate-400"> UTC</span>
          )}
        </dd>
        <dt className="text-xs leading-5 text-slate-600 dark:text-slate-400">Counted</dt>
        <dd className="font-medium">per {profile.period}</dd>
      </dl>
      {labels.length > 0 && (
        <>
          <ChartSlot>
            <ColumnChart
              variant="timeline"
              labels={labels}
              values={counts}
              ariaLabel={`Values of ${name} per ${profile.period}`}
            />
          </ChartSlot>
          <HiddenTable
            caption={`Values of ${name} per ${profile.period}`}
            head={[profile.period, 'Rows']}
            rows={labels.map((l, i) => [l, counts[i] ?? 0])}
          />
        </>
      )}
    </>
  );
}

import { lazy, Suspense, useId, useMemo } from 'react';
import type { Insight } from '../../../../contracts/aide/insights.js';
import { Skeleton } from '../../../shared/ui/card.js';
import {
  chartAriaLabel,
  factEntries,
  formatChartCell,
  kindLabels,
  planInsightChart,
} from './insight-format.js';

// chart.js is loaded only once an insight has a chart to draw.
const InsightChart = lazy(() => import('./insight-chart.js'));

/** The chart's rows as a table: the text alternative of the canvas, open to everyone. */
function ChartData({ insight }: { insight: Insight }) {
  const { x, y, data } = insight.chart;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-indigo-700 hover:underline dark:text-indigo-300">
        Chart data
      </summary>
      <section
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        aria-label={`Chart data: ${insight.title}`}
        className="mt-2 max-h-64 overflow-auto rounded-md border border-slate-200 dark:border-slate-700"
      >
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Chart data: {insight.title}</caption>
          <thead className="sticky top-0 bg-slate-100 dark:bg-slate-800">
            <tr>
              <th scope="col" className="px-3 py-1.5 font-medium">
                {x}
              </th>
              <th scope="col" className="px-3 py-1.5 text-right font-medium">
                {y}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.map((row, i) => (
              // Points have no identity of their own; their order is the chart's.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above.
              <tr key={i} className="border-t border-slate-200 dark:border-slate-700">
                <td className="px-3 py-1 break-all">{formatChartCell(row[x])}</td>
                <td className="px-3 py-1 text-right tabular-nums">{formatChartCell(row[y])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </details>
  );
}

/** One insight: what kind, its title and explanation, the numbers behind it and its chart. */
export function InsightCard({ insight }: { insight: Insight }) {
  const titleId = useId();
  const plan = useMemo(() => planInsightChart(insight.chart), [insight.chart]);
  const facts = factEntries(insight);
  return (
    <article
      aria-labelledby={titleId}
      className="min-w-0 space-y-3 rounded-md border border-slate-200 p-4 dark:border-slate-700"
    >
      <div className="space-y-1">
        <p className="text-xs font-medium tracking-wide text-indigo-700 uppercase dark:text-indigo-300">
          {kindLabels[insight.kind] ?? insight.kind}
        </p>
        <h3 id={titleId} className="font-semibold break-words">
          {insight.title}
        </h3>
        <p className="text-sm break-words text-slate-700 dark:text-slate-300">{insight.explanation}</p>
      </div>
      <div>
        <p className="text-xs font-medium text-slate-600 dark:text-slate-400">Supporting numbers</p>
        <dl className="mt-1 grid grid-cols-[minmax(0,auto)_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-sm">
          {facts.map((f) => (
            <div key={f.key} className="contents">
              <dt className="text-slate-600 dark:text-slate-400">{f.label}</dt>
              <dd data-fact={f.key} className="font-medium break-words tabular-nums">
                {f.value}
              </dd>
            </div>
          ))}
        </dl>
      </div>
      {plan && (
        <Suspense fallback={<Skeleton className="h-64 w-full" />}>
          <InsightChart plan={plan} ariaLabel={chartAriaLabel(plan)} />
        </Suspense>
      )}
      {insight.chart.data.length > 0 && <ChartData insight={insight} />}
    </article>
  );
}

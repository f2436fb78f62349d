import { useId } from 'react';
import type { InsightsResponse } from '../../../../contracts/aide/insights.js';
import { useSession } from '../../../shared/auth/session.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { canRunAnalyses } from '../../analytics/components/analysis-error.js';
import { useInsights } from '../hooks.js';
import { fallbackReasons } from './answer-format.js';
import { ColumnSummaryDisclosure } from './column-summary.js';
import { InsightCard } from './insight-card.js';
import { LoadError } from './load-error.js';

/** What the live region says once insights arrive. */
export function insightsStatus(response: InsightsResponse): string {
  const n = response.insights.length;
  if (n === 0) return 'Nothing notable found in this dataset.';
  return `${n} ${n === 1 ? 'insight' : 'insights'} found.`;
}

function GeneratedBy({ response }: { response: InsightsResponse }) {
  const by =
    response.provider === 'builtin'
      ? 'the built-in engine'
      : `the built-in engine, worded by ${response.provider}`;
  return (
    <div className="space-y-1 text-xs text-slate-600 dark:text-slate-400">
      {response.fallback && (
        <p data-testid="insights-fallback">
          The {response.fallback.from} provider {fallbackReasons[response.fallback.reason]}, so the texts are
          the built-in ones.
        </p>
      )}
      <p>
        Computed from the data by {by} ·{' '}
        <time dateTime={response.generatedAt}>{new Date(response.generatedAt).toLocaleString()}</time>
        {response.cached && ' · from the cache'}
      </p>
    </div>
  );
}

function InsightsList({ response }: { response: InsightsResponse }) {
  if (response.insights.length === 0) {
    return (
      <EmptyState title="Nothing notable found in this dataset">
        No strong correlation, trend, concentration, outliers or data quality problem stood out. The column
        summary below still describes every column.
      </EmptyState>
    );
  }
  return (
    <ul className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      {response.insights.map((insight) => (
        <li key={`${insight.kind}:${insight.title}`} className="min-w-0">
          <InsightCard insight={insight} />
        </li>
      ))}
    </ul>
  );
}

function Heading({ id }: { id: string }) {
  return (
    <h2 id={id} className="text-lg font-semibold">
      Insights
    </h2>
  );
}

/**
 * "Insights" on the dataset page: up to four findings computed from the data (each with its
 * numbers and chart), computed when the panel first shows, and a column-by-column summary.
 * Analysts and admins only, as on the server.
 */
export function InsightsPanel({ datasetId }: { datasetId: string }) {
  const { user } = useSession();
  const allowed = canRunAnalyses(user?.roles);
  const headingId = useId();
  const insights = useInsights(datasetId, allowed);

  if (!allowed) {
    return (
      <Card aria-labelledby={headingId}>
        <Heading id={headingId} />
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Insights need the analyst or admin role.
        </p>
      </Card>
    );
  }

  const busy = insights.isFetching;
  return (
    <Card aria-labelledby={headingId} className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <Heading id={headingId} />
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Findings computed from the data; every number in them is one of the numbers shown.
          </p>
        </div>
        {insights.data && (
          <Button variant="secondary" onClick={() => insights.refetch()} disabled={busy}>
            {busy ? 'Refreshing…' : 'Refresh'}
          </Button>
        )}
      </div>
      <p role="status" className="sr-only">
        {busy ? 'Finding insights…' : insights.data ? insightsStatus(insights.data) : ''}
      </p>
      <div aria-busy={busy} className="space-y-3">
        {insights.isError && !busy ? (
          <LoadError error={insights.error} retrying={busy} onRetry={() => insights.refetch()} />
        ) : insights.data && !(busy && insights.isError) ? (
          <>
            <InsightsList response={insights.data} />
            <GeneratedBy response={insights.data} />
          </>
        ) : (
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <Skeleton className="h-72 w-full" />
            <Skeleton className="h-72 w-full" />
          </div>
        )}
      </div>
      <ColumnSummaryDisclosure datasetId={datasetId} />
    </Card>
  );
}

export default InsightsPanel;

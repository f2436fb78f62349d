import { lazy, Suspense, useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../../shared/api/http.js';
import { Button } from '../../../shared/ui/button.js';
import { EmptyState, Skeleton } from '../../../shared/ui/card.js';
import { ErrorBoundary } from '../../../shared/ui/error-boundary.js';
import { CohortPanel } from '../../analytics/components/cohort-panel.js';
import { CorrelationPanel } from '../../analytics/components/correlation-panel.js';
import { useSummary } from '../../analytics/hooks.js';
import { ColumnCards } from '../components/column-cards.js';
import { DatasetHeader } from '../components/dataset-header.js';
import { RowsTable } from '../components/rows-table.js';
import { useDataset } from '../hooks.js';

// Loaded on their own: their charts pull chart.js, which the page's first paint does not need.
const InsightsPanel = lazy(() => import('../../aide/components/insights-panel.js'));
const AskPanel = lazy(() => import('../../aide/components/ask-panel.js'));

const sections = [
  ['columns', 'Columns'],
  ['insights', 'Insights'],
  ['ask', 'Ask a question'],
  ['rows', 'Rows'],
  ['correlations', 'Correlations'],
  ['cohorts', 'Cohorts'],
] as const;

/** One dataset: its facts and exports, column profiles, insights, questions, rows, correlations and cohorts. */
export function Component() {
  const { id = '' } = useParams();
  const dataset = useDataset(id);
  const summary = useSummary(id);

  useEffect(() => {
    if (dataset.data) document.title = `${dataset.data.name} · NEXUS`;
  }, [dataset.data]);

  if (dataset.isPending) {
    return (
      <div aria-busy="true" className="space-y-4">
        <p className="sr-only">Loading the dataset…</p>
        <Skeleton className="h-4 w-24" />
        <Skeleton className="h-8 w-64" />
        <Skeleton className="h-12 w-full" />
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 xl:grid-cols-3">
          <Skeleton className="h-64" />
          <Skeleton className="h-64" />
          <Skeleton className="h-64" />
        </div>
      </div>
    );
  }

  if (dataset.isError) {
    const notFound =
      dataset.error instanceof ApiError && (dataset.error.status === 404 || dataset.error.status === 400);
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold">
          {notFound ? 'Dataset not found' : 'The dataset could not be loaded'}
        </h1>
        <EmptyState title={notFound ? 'There is no dataset at this address' : dataset.error.message}>
          {notFound ? (
            <>
              It may have been deleted, or it belongs to someone else.{' '}
              <Link to="/app" className="text-indigo-700 underline dark:text-indigo-300">
                Back to your datasets
              </Link>
            </>
          ) : (
            <Button variant="secondary" onClick={() => dataset.refetch()}>
              Try again
            </Button>
          )}
        </EmptyState>
      </div>
    );
  }

  const data = dataset.data;
  return (
    <div className="space-y-8">
      <DatasetHeader dataset={data} />
      <nav aria-label="Sections of this dataset" className="-mt-4 flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {sections.map(([anchor, label]) => (
          <a
            key={anchor}
            href={`#${anchor}`}
            className="text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {label}
          </a>
        ))}
      </nav>
      <section id="columns" aria-labelledby="columns-heading" className="scroll-mt-4 space-y-3">
        <h2 id="columns-heading" className="text-lg font-semibold">
          Columns
        </h2>
        <ColumnCards
          columns={data.columns}
          profile={summary.data}
          loading={summary.isPending || (summary.isError && summary.isFetching)}
          error={summary.error}
          onRetry={() => summary.refetch()}
        />
      </section>
      <section id="insights" aria-label="Insights" className="scroll-mt-4">
        <ErrorBoundary>
          <Suspense fallback={<Skeleton className="h-40 w-full" />}>
            <InsightsPanel datasetId={data.id} />
          </Suspense>
        </ErrorBoundary>
      </section>
      <section id="ask" aria-label="Ask a question" className="scroll-mt-4">
        <ErrorBoundary>
          <Suspense fallback={<Skeleton className="h-40 w-full" />}>
            <AskPanel datasetId={data.id} columns={data.columns} />
          </Suspense>
        </ErrorBoundary>
      </section>
      <section id="rows" aria-labelledby="rows-heading" className="scroll-mt-4 space-y-3">
        <h2 id="rows-heading" className="text-lg font-semibold">
          Rows
        </h2>
        <ErrorBoundary>
          <RowsTable dataset={data} />
        </ErrorBoundary>
      </section>
      <section id="correlations" aria-label="Correlations" className="scroll-mt-4">
        <ErrorBoundary>
          <CorrelationPanel datasetId={data.id} columns={data.columns} />
        </ErrorBoundary>
      </section>
      <section id="cohorts" aria-label="Cohorts" className="scroll-mt-4">
        <ErrorBoundary>
          <CohortPanel datasetId={data.id} columns={data.columns} />
        </ErrorBoundary>
      </section>
    </div>
  );
}

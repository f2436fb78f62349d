import { lazy, Suspense, useId, useMemo } from 'react';
import type { TimelineBucket } from '../../../../contracts/mlog/query.js';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import type { EventFilter } from '../api.js';
import type { TimeWindow } from '../audit-filters.js';
import { useTimeline } from '../hooks.js';
import { formatBucket, formatCount } from './audit-format.js';
import { AuditProblem } from './audit-problem.js';

const TimelineChart = lazy(() => import('./timeline-chart.js'));

const bucketWords: Record<TimelineBucket, string> = { minute: 'minute', hour: 'hour', day: 'day (UTC)' };

/** Events over time in the window, with the total and the numbers as text for screen readers. */
export function TimelinePanel({
  window,
  bucket,
  filter,
}: {
  window: TimeWindow;
  bucket: TimelineBucket;
  filter: EventFilter;
}) {
  const timeline = useTimeline(window, bucket, filter);
  const headingId = useId();
  const data = timeline.data;
  const chart = useMemo(() => {
    if (!data) return undefined;
    const labels = data.points.map((p) => formatBucket(p.t, data.bucket));
    const counts = data.points.map((p) => p.count);
    const busiest = data.points.reduce((top, p) => (p.count > (top?.count ?? 0) ? p : top), data.points[0]);
    return { labels, counts, busiest };
  }, [data]);

  return (
    <Card aria-labelledby={headingId} className="flex flex-col gap-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={headingId} className="text-lg font-semibold">
          Timeline
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
          {data ? (
            <>
              <span
                className="text-2xl font-bold text-slate-900 dark:text-slate-100"
                data-testid="timeline-total"
              >
                {formatCount(data.total)}
              </span>{' '}
              {data.total === 1 ? 'event' : 'events'}, per {bucketWords[data.bucket]}
            </>
          ) : (
            'Counting…'
          )}
        </p>
      </div>
      <AuditProblem error={timeline.error} what="the timeline" />
      <div aria-busy={timeline.isFetching}>
        {timeline.isPending ? (
          <Skeleton className="h-56 w-full sm:h-64" />
        ) : data && chart ? (
          data.total === 0 ? (
            <EmptyState title="No events in this window">Widen the time range or clear a filter.</EmptyState>
          ) : (
            <>
              <Suspense fallback={<Skeleton className="h-56 w-full sm:h-64" />}>
                <TimelineChart
                  labels={chart.labels}
                  counts={chart.counts}
                  ariaLabel={`Events per ${bucketWords[data.bucket]}: ${formatCount(data.total)} in total`}
                />
              </Suspense>
              {chart.busiest && chart.busiest.count > 0 && (
                <p className="text-xs text-slate-600 dark:text-slate-400">
                  Busiest {data.bucket}: {formatBucket(chart.busiest.t, data.bucket)} with{' '}
                  {formatCount(chart.busiest.count)}.
                </p>
              )}
              <table className="sr-only">
                <caption>Events per {bucketWords[data.bucket]} (buckets with events)</caption>
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col">Events</th>
                  </tr>
                </thead>
                <tbody>
                  {data.points
                    .filter((p) => p.count > 0)
                    .map((p) => (
                      <tr key={p.t}>
                        <th scope="row">{formatBucket(p.t, data.bucket)}</th>
                        <td>{formatCount(p.count)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </>
          )
        ) : null}
      </div>
    </Card>
  );
}

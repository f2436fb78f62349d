import { useId } from 'react';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import type { EventFilter } from '../api.js';
import { isFilterableService, type TimeWindow } from '../audit-filters.js';
import { useServiceAnalytics, useServiceCounts } from '../hooks.js';
import { formatCount } from './audit-format.js';
import { AuditProblem } from './audit-problem.js';
import { AuditTableHead, cellClass } from './audit-table.js';

const barTrack = 'h-1.5 w-full overflow-hidden rounded bg-slate-100 dark:bg-slate-800';
const barFill = 'h-full rounded bg-indigo-600 dark:bg-indigo-400';

/** Count per service in the window (with the action and user filters); a click selects one. */
export function ServicesPanel({
  window,
  filter,
  onSelect,
}: {
  window: TimeWindow;
  filter: EventFilter;
  onSelect: (service: string | undefined) => void;
}) {
  const counts = useServiceCounts(window, { action: filter.action, userId: filter.userId });
  const headingId = useId();
  const items = counts.data?.items ?? [];
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <Card aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3">
      <h2 id={headingId} className="text-lg font-semibold">
        Events per service
      </h2>
      <AuditProblem error={counts.error} what="the services" />
      <div aria-busy={counts.isFetching}>
        {counts.isPending ? (
          <Skeleton className="h-40 w-full" />
        ) : items.length === 0 ? (
          !counts.error && <EmptyState title="No service sent events in this window" />
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Events per service, most first</caption>
            <AuditTableHead
              columns={[
                { label: 'Service' },
                { label: 'Events', className: 'text-right' },
                { label: 'Share', className: 'w-1/3', hidden: true },
              ]}
            />
            <tbody>
              {items.map((item) => {
                const selected = item.service === filter.service;
                return (
                  <tr
                    key={item.service}
                    className={`border-t border-slate-100 dark:border-slate-800 ${selected ? 'bg-indigo-50 dark:bg-indigo-950/60' : ''}`}
                  >
                    <th scope="row" className={`${cellClass} font-normal`}>
                      {isFilterableService(item.service) ? (
                        <button
                          type="button"
                          aria-pressed={selected}
                          onClick={() => onSelect(selected ? undefined : item.service)}
                          className="rounded text-left font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
                        >
                          {item.service}
                        </button>
                      ) : (
                        <span title="Mixed-case service names cannot be used as a filter">
                          {item.service}
                        </span>
                      )}
                    </th>
                    <td className={`${cellClass} text-right tabular-nums`}>{formatCount(item.count)}</td>
                    <td className={cellClass}>
                      <div className={barTrack} aria-hidden="true">
                        <div className={barFill} style={{ width: `${(item.count / max) * 100}%` }} />
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {counts.data?.truncated && (
          <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
            Only the busiest services are listed.
          </p>
        )}
      </div>
    </Card>
  );
}

/** The selected service in the window: total, distinct users and counts by action. */
export function ServiceDetailPanel({ service, window }: { service: string; window: TimeWindow }) {
  const analytics = useServiceAnalytics(service, window);
  const headingId = useId();
  const data = analytics.data;
  return (
    <Card aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3">
      <div>
        <h2 id={headingId} className="text-lg font-semibold">
          {service} by action
        </h2>
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Every action and user of the service in the window.
        </p>
      </div>
      <AuditProblem error={analytics.error} what={`the actions of ${service}`} />
      <div aria-busy={analytics.isFetching}>
        {analytics.isPending ? (
          <Skeleton className="h-40 w-full" />
        ) : data ? (
          <>
            <dl className="mb-3 grid grid-cols-2 gap-2">
              <div className="rounded-md bg-slate-50 p-2 dark:bg-slate-800/60">
                <dt className="text-xs text-slate-600 dark:text-slate-400">Events</dt>
                <dd className="text-xl font-bold tabular-nums" data-testid="service-total">
                  {formatCount(data.total)}
                </dd>
              </div>
              <div className="rounded-md bg-slate-50 p-2 dark:bg-slate-800/60">
                <dt className="text-xs text-slate-600 dark:text-slate-400">Distinct users</dt>
                <dd className="text-xl font-bold tabular-nums">
                  {data.distinctUsers === null ? '—' : formatCount(data.distinctUsers)}
                </dd>
              </div>
            </dl>
            {data.byAction.length === 0 ? (
              <EmptyState title={`${service} sent no events in this window`} />
            ) : (
              <table className="w-full text-left text-sm">
                <caption className="sr-only">Events of {service} by action</caption>
                <AuditTableHead
                  columns={[
                    { label: 'Action' },
                    { label: 'Events', className: 'text-right' },
                    { label: 'Users', className: 'text-right' },
                  ]}
                />
                <tbody>
                  {data.byAction.map((a) => (
                    <tr key={a.action} className="border-t border-slate-100 dark:border-slate-800">
                      <th scope="row" className={`${cellClass} font-mono text-xs font-normal`}>
                        {a.action}
                      </th>
                      <td className={`${cellClass} text-right tabular-nums`}>{formatCount(a.count)}</td>
                      <td className={`${cellClass} text-right tabular-nums`}>
                        {a.distinctUsers === null ? '—' : formatCount(a.distinctUsers)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        ) : null}
      </div>
    </Card>
  );
}

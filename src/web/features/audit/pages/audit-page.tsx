import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { EventFilter } from '../api.js';
import { type AuditFilters, bucketFor, filtersToParams, parseFilters, windowOf } from '../audit-filters.js';
import { formatWindow } from '../components/audit-format.js';
import { ForbiddenNotice, isForbidden } from '../components/audit-problem.js';
import { EventsPanel } from '../components/events-panel.js';
import { FiltersForm } from '../components/filters-form.js';
import { ServiceDetailPanel, ServicesPanel } from '../components/services-panel.js';
import { TimelinePanel } from '../components/timeline-panel.js';
import { auditKeys, useServiceCounts, useTimeline } from '../hooks.js';

/**
 * The MLOG audit dashboard: filters in the address, the timeline, events per service (and the
 * selected service by action), and the events with a live tail and a detail drawer.
 */
export function Component() {
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(search)), [search]);
  const queryClient = useQueryClient();

  // A preset window ends "now" as of the last filter change or Refresh, so its queries keep
  // their keys (and caches) while the page is open.
  const [anchor, setAnchor] = useState({ search, nowMs: Date.now() });
  if (anchor.search !== search) setAnchor({ search, nowMs: Date.now() });
  const window = useMemo(() => windowOf(filters, anchor.nowMs), [filters, anchor.nowMs]);
  const bucket = bucketFor(window);
  const filter = useMemo<EventFilter>(
    () => ({ service: filters.service, action: filters.action, userId: filters.userId }),
    [filters.service, filters.action, filters.userId],
  );

  const timeline = useTimeline(window, bucket, filter);
  const services = useServiceCounts(window, { action: filter.action, userId: filter.userId });

  const update = (next: AuditFilters) => setParams(filtersToParams(next), { replace: false });
  const refresh = () => {
    setAnchor({ search, nowMs: Date.now() });
    void queryClient.invalidateQueries({ queryKey: auditKeys.all });
  };

  const forbidden = isForbidden(timeline.error) || isForbidden(services.error);

  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-bold">Audit log</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Who did what, in every service: {formatWindow(window.from, window.to)}.
        </p>
      </div>
      {forbidden ? (
        <ForbiddenNotice />
      ) : (
        <>
          <FiltersForm
            key={search}
            filters={filters}
            window={window}
            services={services.data?.items ?? []}
            onChange={update}
            onRefresh={refresh}
            refreshing={timeline.isFetching && !timeline.isPending}
          />
          <TimelinePanel window={window} bucket={bucket} filter={filter} />
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <ServicesPanel
              window={window}
              filter={filter}
              onSelect={(service) => update({ ...filters, service })}
            />
            {filters.service ? (
              <ServiceDetailPanel service={filters.service} window={window} />
            ) : (
              <div className="hidden rounded-lg border border-dashed border-slate-300 p-6 text-sm text-slate-600 lg:block dark:border-slate-700 dark:text-slate-400">
                Choose a service to see its events by action.
              </div>
            )}
          </div>
          <EventsPanel window={window} filter={filter} />
        </>
      )}
    </div>
  );
}

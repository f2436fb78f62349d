import { useId, useMemo, useState } from 'react';
import type { AuditEventView } from '../../../../contracts/mlog/query.js';
import { Button } from '../../../shared/ui/button.js';
import { Card, EmptyState, Skeleton } from '../../../shared/ui/card.js';
import type { EventFilter } from '../api.js';
import type { TimeWindow } from '../audit-filters.js';
import { MAX_HISTORY_EVENTS, MAX_LIVE_EVENTS, useEventHistory, useLiveTail } from '../hooks.js';
import { formatCount, formatEventTime } from './audit-format.js';
import { AuditProblem } from './audit-problem.js';
import { AuditTableHead, cellClass } from './audit-table.js';
import { EventDrawer } from './event-drawer.js';

const cell = `${cellClass} align-top`;

/**
 * The window's events newest first with "Load more", a live tail that prepends new events, and
 * the drawer with one event in full.
 */
export function EventsPanel({
  window,
  filter,
  liveIntervalMs,
}: {
  window: TimeWindow;
  filter: EventFilter;
  /** How often the live tail polls (tests shorten it). */
  liveIntervalMs?: number;
}) {
  const headingId = useId();
  const [live, setLive] = useState(false);
  const [open, setOpen] = useState<AuditEventView | undefined>(undefined);
  const history = useEventHistory(window, filter);
  const historyEvents = useMemo(() => history.data?.pages.flatMap((p) => p.items) ?? [], [history.data]);
  const tail = useLiveTail({
    enabled: live && history.isSuccess,
    filter,
    since: historyEvents[0]?.ts ?? window.from,
    ...(liveIntervalMs ? { intervalMs: liveIntervalMs } : {}),
  });
  const events = useMemo(() => {
    const liveIds = new Set(tail.events.map((e) => e.id));
    return [...tail.events, ...historyEvents.filter((e) => !liveIds.has(e.id))];
  }, [tail.events, historyEvents]);
  const atHistoryCap = historyEvents.length >= MAX_HISTORY_EVENTS;

  return (
    <Card aria-labelledby={headingId} className="flex min-w-0 flex-col gap-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id={headingId} className="text-lg font-semibold">
          Events
        </h2>
        <div className="flex items-center gap-3">
          <span
            className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-xs font-semibold ${
              live
                ? 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100'
                : 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300'
            }`}
            data-testid="live-state"
          >
            <span
              aria-hidden="true"
              className={`h-2 w-2 rounded-full ${live ? 'bg-emerald-600 motion-safe:animate-pulse dark:bg-emerald-400' : 'bg-slate-400'}`}
            />
            {live ? 'Live' : 'Paused'}
          </span>
          <Button
            variant={live ? 'secondary' : 'primary'}
            aria-pressed={live}
            onClick={() => setLive((v) => !v)}
          >
            {live ? 'Stop live tail' : 'Start live tail'}
          </Button>
        </div>
      </div>
      {/* Read out how many arrived, not every row. */}
      <p className="sr-only" aria-live="polite">
        {live && tail.lastArrived > 0
          ? `${tail.lastArrived} new ${tail.lastArrived === 1 ? 'event' : 'events'}`
          : ''}
      </p>
      {live && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          New events appear at the top every few seconds while this tab is visible. The audit records of these
          polls themselves are not shown.
        </p>
      )}
      <AuditProblem error={history.error} what="the events" />
      <AuditProblem error={tail.error} what="new events (the live tail keeps trying)" />
      {tail.gap && (
        <p className="text-sm text-amber-800 dark:text-amber-200">
          More events arrived at once than the live tail shows; some in between are not listed. Refresh to see
          them all.
        </p>
      )}
      <div aria-busy={history.isFetching}>
        {history.isPending ? (
          <div className="space-y-2">
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
            <Skeleton className="h-8 w-full" />
          </div>
        ) : events.length === 0 ? (
          !history.error && (
            <EmptyState title="No events match">
              {live
                ? 'Waiting for new events…'
                : 'Widen the time range, clear a filter or start the live tail.'}
            </EmptyState>
          )
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full min-w-[30rem] text-left text-sm">
              <caption className="sr-only">Events, newest first; open one for its details</caption>
              <AuditTableHead
                columns={[{ label: 'Time' }, { label: 'Service' }, { label: 'Action' }, { label: 'User' }]}
              />
              <tbody>
                {events.map((e, i) => (
                  <EventRow
                    key={e.id}
                    event={e}
                    fresh={tail.fresh.has(e.id)}
                    afterLive={tail.overflowed && i === tail.events.length && i > 0}
                    onOpen={() => setOpen(e)}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm text-slate-600 dark:text-slate-400">
        {history.hasNextPage && (
          <Button
            variant="secondary"
            onClick={() => history.fetchNextPage()}
            disabled={history.isFetchingNextPage}
          >
            {history.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </Button>
        )}
        {events.length > 0 && <span>{formatCount(events.length)} shown</span>}
        {atHistoryCap && <span>The list stops here; narrow the filters to see older events.</span>}
      </div>
      {open && <EventDrawer event={open} onClose={() => setOpen(undefined)} />}
    </Card>
  );
}

function EventRow({
  event,
  fresh,
  afterLive,
  onOpen,
}: {
  event: AuditEventView;
  fresh: boolean;
  /** The first row after live events that overflowed the cap: older live ones are gone. */
  afterLive: boolean;
  onOpen: () => void;
}) {
  return (
    <>
      {afterLive && (
        <tr>
          <td colSpan={4} className="px-2 py-1 text-center text-xs text-slate-600 dark:text-slate-400">
            Older live events are no longer kept here (the newest {formatCount(MAX_LIVE_EVENTS)} are).
          </td>
        </tr>
      )}
      {/* The highlight fades out (the transition belongs to the state it fades into); while it is
          on, a theme switch must not fade, or the row is light-on-light for a second. */}
      <tr
        className={`border-t border-slate-100 dark:border-slate-800 ${
          fresh
            ? 'bg-amber-100 dark:bg-amber-900/50'
            : 'transition-colors duration-1000 hover:bg-slate-50 dark:hover:bg-slate-800/50'
        }`}
        data-fresh={fresh || undefined}
      >
        <td className={`${cell} whitespace-nowrap`}>
          <button
            type="button"
            onClick={onOpen}
            className="rounded text-left font-medium text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300"
            aria-label={`${event.action} in ${event.service} at ${formatEventTime(event.ts)}: details`}
          >
            <time dateTime={event.ts}>{formatEventTime(event.ts)}</time>
          </button>
        </td>
        <td className={cell}>{event.service}</td>
        <td className={`${cell} font-mono text-xs`}>{event.action}</td>
        <td className={`${cell} max-w-48 truncate`} title={event.userId ?? undefined}>
          {event.userId ?? <span className="text-slate-500 dark:text-slate-400">—</span>}
        </td>
      </tr>
    </>
  );
}

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { MAX_FUTURE_SKEW_MS } from '../../../contracts/mlog/events.js';
import type { AuditEventView, TimelineBucket } from '../../../contracts/mlog/query.js';
import { ApiError } from '../../shared/api/http.js';
import { countByService, type EventFilter, getServiceAnalytics, getTimeline, listEvents } from './api.js';
import type { TimeWindow } from './audit-filters.js';

/** Query keys of the audit dashboard, in one place so invalidation cannot miss one. */
export const auditKeys = {
  all: ['audit'] as const,
  timeline: (window: TimeWindow, bucket: TimelineBucket, filter: EventFilter) =>
    [...auditKeys.all, 'timeline', window, bucket, filter] as const,
  services: (window: TimeWindow, filter: EventFilter) =>
    [...auditKeys.all, 'services', window, filter] as const,
  serviceAnalytics: (service: string, window: TimeWindow) =>
    [...auditKeys.all, 'service-analytics', service, window] as const,
  events: (window: TimeWindow, filter: EventFilter) => [...auditKeys.all, 'events', window, filter] as const,
  live: (filter: EventFilter, tailId: string) => [...auditKeys.all, 'live', tailId, filter] as const,
};

/** A 4xx (bad filter, no permission) will not change on a retry; a network blip may. */
function retryTransient(failures: number, error: unknown) {
  return !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2;
}

export function useTimeline(window: TimeWindow, bucket: TimelineBucket, filter: EventFilter) {
  return useQuery({
    queryKey: auditKeys.timeline(window, bucket, filter),
    queryFn: () => getTimeline(window, bucket, filter),
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}

export function useServiceCounts(window: TimeWindow, filter: Omit<EventFilter, 'service'>) {
  return useQuery({
    queryKey: auditKeys.services(window, filter),
    queryFn: () => countByService(window, filter),
    placeholderData: keepPreviousData,
    retry: retryTransient,
  });
}

export function useServiceAnalytics(service: string | undefined, window: TimeWindow) {
  return useQuery({
    queryKey: auditKeys.serviceAnalytics(service ?? 'none', window),
    queryFn: () => getServiceAnalytics(service!, window),
    enabled: Boolean(service),
    retry: retryTransient,
  });
}

/** Events per page of the history list. */
export const EVENTS_PAGE_SIZE = 50;
/** The history list offers no more pages past this many events: narrow the filters instead. */
export const MAX_HISTORY_EVENTS = 2_000;

/** The window's events, newest first, a page at a time ("Load more" follows the cursor). */
export function useEventHistory(window: TimeWindow, filter: EventFilter) {
  return useInfiniteQuery({
    queryKey: auditKeys.events(window, filter),
    queryFn: ({ pageParam, signal }) =>
      listEvents({ ...window, ...filter, limit: EVENTS_PAGE_SIZE, cursor: pageParam, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last, pages) =>
      pages.length * EVENTS_PAGE_SIZE >= MAX_HISTORY_EVENTS ? undefined : (last.nextCursor ?? undefined),
    retry: retryTransient,
  });
}

/** The live tail keeps at most this many events in memory (the newest). */
export const MAX_LIVE_EVENTS = 500;
/** Events one live poll asks for; a fuller burst is reported as a gap. */
export const LIVE_PAGE_SIZE = 200;
/** How long a newly arrived event stays highlighted. */
export const FRESH_MS = 3_000;

export interface LiveTail {
  /** Newest first, at most MAX_LIVE_EVENTS. */
  events: AuditEventView[];
  /** Ids that arrived in the last FRESH_MS, to highlight. */
  fresh: ReadonlySet<string>;
  /** How many arrived with the latest poll that brought any (for the announcement). */
  lastArrived: number;
  /** Older live events were dropped to respect the cap. */
  overflowed: boolean;
  /** A poll brought a full page: some events of that burst are not in the list. */
  gap: boolean;
  error: unknown;
}

const newestTs = (a: string | undefined, b: string | undefined) =>
  a === undefined ? b : b === undefined ? a : Date.parse(a) >= Date.parse(b) ? a : b;

/**
 * Polls for events newer than the newest one seen, every `intervalMs` while `enabled`; TanStack
 * pauses the interval while the tab is hidden. `since` is where to start (the newest event the
 * page already shows, or the window's start). The tail restarts when the filter changes.
 */
export function useLiveTail({
  enabled,
  filter,
  since,
  intervalMs = 2_000,
}: {
  enabled: boolean;
  filter: EventFilter;
  since: string | undefined;
  intervalMs?: number;
}): LiveTail {
  const [tailId] = useState(() => `audit-live-${Math.random().toString(36).slice(2, 10)}`);
  const [state, setState] = useState<Omit<LiveTail, 'error' | 'fresh'>>({
    events: [],
    lastArrived: 0,
    overflowed: false,
    gap: false,
  });
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const cursor = useRef<{ since: string | undefined; polls: number }>({ since, polls: 0 });
  const latestSince = useRef(since);
  latestSince.current = since;
  const filterKey = JSON.stringify(filter);

  // A new filter or switching off starts the tail over, from what the page shows now.
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for filter
  useEffect(() => {
    cursor.current.since = latestSince.current;
    setState({ events: [], lastArrived: 0, overflowed: false, gap: false });
    setFresh(new Set());
  }, [enabled, filterKey]);
  cursor.current.since = newestTs(cursor.current.since, since);

  const poll = useQuery({
    queryKey: auditKeys.live(filter, tailId),
    queryFn: ({ signal }) => {
      const from = cursor.current.since ?? new Date().toISOString();
      // `to` reaches past the server's clock: senders may be up to MAX_FUTURE_SKEW_MS ahead.
      const to = new Date(Math.max(Date.now(), Date.parse(from)) + MAX_FUTURE_SKEW_MS + 1).toISOString();
      cursor.current.polls += 1;
      return listEvents({
        ...filter,
        from,
        to,
        limit: LIVE_PAGE_SIZE,
        correlationId: `${tailId}-${cursor.current.polls}`,
        signal,
      });
    },
    enabled,
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    staleTime: 0,
    gcTime: 0,
    retry: false,
  });

  // biome-ignore lint/correctness/useExhaustiveDependencies: each answer is merged once, keyed by its time
  useEffect(() => {
    const page = poll.data;
    if (!enabled || !page) return;
    // Everything returned moves the cursor on, including the audit records of our own polls.
    for (const e of page.items) cursor.current.since = newestTs(cursor.current.since, e.ts);
    const ownEcho = (e: AuditEventView) => e.service === 'mlog' && e.correlationId?.startsWith(tailId);
    const known = new Set(state.events.map((e) => e.id));
    const added = page.items.filter((e) => !ownEcho(e) && !known.has(e.id));
    const gap = state.gap || page.nextCursor !== null;
    if (added.length === 0) {
      if (gap !== state.gap) setState({ ...state, gap });
      return;
    }
    const merged = [...added, ...state.events];
    setState({
      events: merged.slice(0, MAX_LIVE_EVENTS),
      lastArrived: added.length,
      overflowed: state.overflowed || merged.length > MAX_LIVE_EVENTS,
      gap,
    });
    setFresh(new Set(added.map((e) => e.id)));
  }, [poll.dataUpdatedAt]);

  // The latest arrivals stay highlighted for FRESH_MS.
  useEffect(() => {
    if (fresh.size === 0) return;
    const timer = setTimeout(() => setFresh(new Set()), FRESH_MS);
    return () => clearTimeout(timer);
  }, [fresh]);

  return { ...state, fresh, error: enabled ? poll.error : null };
}

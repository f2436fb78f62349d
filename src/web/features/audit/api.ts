import { z } from 'zod';
import {
  AggregateResult,
  EventsPage,
  ServiceAnalytics,
  Timeline,
  type TimelineBucket,
} from '../../../contracts/mlog/query.js';
import { request } from '../../shared/api/http.js';
import type { TimeWindow } from './audit-filters.js';

const base = '/api/mlog';

/** The filters every MLOG read takes besides the window. */
export interface EventFilter {
  service?: string | undefined;
  action?: string | undefined;
  userId?: string | undefined;
}

/** Query parameters as the API names them; unset filters are left out. */
function filterParams(filter: EventFilter) {
  return {
    ...(filter.service ? { service: filter.service } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.userId ? { user_id: filter.userId } : {}),
  };
}

export function getTimeline(window: TimeWindow, bucket: TimelineBucket, filter: EventFilter) {
  return request(Timeline, {
    url: `${base}/metrics/timeline`,
    params: { ...window, bucket, ...filterParams(filter) },
  });
}

export function getServiceAnalytics(service: string, window: TimeWindow) {
  return request(ServiceAnalytics, {
    url: `${base}/analytics/${encodeURIComponent(service)}`,
    // The panel shows distinct users, which the server counts only when asked.
    params: { ...window, users: true },
  });
}

export interface EventsRequest extends EventFilter {
  from: string;
  to: string;
  limit: number;
  cursor?: string | undefined;
  /**
   * Sent as X-Correlation-Id. The server audits every read under the caller's correlation id, so
   * the live tail tags its polls to recognise (and hide) the audit events they cause themselves.
   */
  correlationId?: string | undefined;
  signal?: AbortSignal | undefined;
}

export function listEvents({ from, to, limit, cursor, correlationId, signal, ...filter }: EventsRequest) {
  return request(EventsPage, {
    url: `${base}/events`,
    params: { from, to, limit, ...filterParams(filter), ...(cursor ? { cursor } : {}) },
    ...(correlationId ? { headers: { 'x-correlation-id': correlationId } } : {}),
    signal,
  });
}

const ServiceCountRow = z.object({ _id: z.string(), count: z.number() });
export type ServiceCount = { service: string; count: number };

/**
 * Events per service in the window (with the action and user filters), most first: one
 * MongoDB-style pipeline, the same one a user could send to POST /aggregate.
 */
export async function countByService(window: TimeWindow, filter: Omit<EventFilter, 'service'>) {
  const match: Record<string, unknown> = { ts: { $gte: window.from, $lt: window.to } };
  if (filter.action) match.action = filter.action;
  if (filter.userId) match.user_id = filter.userId;
  const result = await request(AggregateResult, {
    method: 'POST',
    url: `${base}/aggregate`,
    data: {
      pipeline: [
        { $match: match },
        { $group: { _id: '$service', count: { $sum: 1 } } },
        { $sort: { count: -1, _id: 1 } },
      ],
    },
  });
  return {
    items: result.rows.map((row): ServiceCount => {
      const { _id, count } = ServiceCountRow.parse(row);
      return { service: _id, count };
    }),
    truncated: result.truncated,
  };
}

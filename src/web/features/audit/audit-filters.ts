import { ServiceName, type TimelineBucket } from '../../../contracts/mlog/query.js';

/**
 * The dashboard's filters as they live in the address (`?range=7d&service=axi&action=login`), so
 * a view can be shared or reloaded, and the time window and chart bucket they stand for.
 */

export const RANGE_PRESETS = [
  { value: '1h', label: 'Last hour', ms: 3600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3600_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000 },
] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number]['value'];
export type Range = RangePreset | 'custom';

const DEFAULT_RANGE: RangePreset = '24h';
/** The server refuses windows longer than this (query.service.ts MAX_WINDOW_MS). */
export const MAX_WINDOW_MS = 400 * 24 * 3600_000;

export interface AuditFilters {
  range: Range;
  /** ISO instants; only used (and only kept in the address) for a custom range. */
  from: string | undefined;
  to: string | undefined;
  service: string | undefined;
  action: string | undefined;
  userId: string | undefined;
}

export interface TimeWindow {
  from: string;
  to: string;
}

const isPreset = (value: string | null): value is RangePreset => RANGE_PRESETS.some((p) => p.value === value);

function instant(value: string | null): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const text = (value: string | null) => value?.trim() || undefined;

/** Reads the filters from the address; anything unreadable falls back to the default view. */
export function parseFilters(params: URLSearchParams): AuditFilters {
  const rawRange = params.get('range');
  const from = instant(params.get('from'));
  const to = instant(params.get('to'));
  const custom = rawRange === 'custom' && from !== undefined && to !== undefined && from < to;
  return {
    range: custom ? 'custom' : isPreset(rawRange) ? rawRange : DEFAULT_RANGE,
    from: custom ? from : undefined,
    to: custom ? to : undefined,
    service: text(params.get('service')),
    action: text(params.get('action')),
    userId: text(params.get('user')),
  };
}

/** The address form of the filters: defaults and empty values are left out. */
export function filtersToParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.range !== DEFAULT_RANGE) params.set('range', filters.range);
  if (filters.range === 'custom' && filters.from && filters.to) {
    params.set('from', filters.from);
    params.set('to', filters.to);
  }
  if (filters.service) params.set('service', filters.service);
  if (filters.action) params.set('action', filters.action);
  if (filters.userId) params.set('user', filters.userId);
  return params;
}

/**
 * The window the filters stand for. A preset ends at `nowMs`, which the page fixes when the
 * filters change (or on Refresh) so the queries' keys stay put while it is shown.
 */
export function windowOf(filters: AuditFilters, nowMs: number): TimeWindow {
  if (filters.range === 'custom' && filters.from && filters.to) return { from: filters.from, to: filters.to };
  const preset = RANGE_PRESETS.find((p) => p.value === filters.range) ?? RANGE_PRESETS[1];
  return { from: new Date(nowMs - preset.ms).toISOString(), to: new Date(nowMs).toISOString() };
}

/** Minutes up to 6 hours, hours up to 7 days, days above: a readable number of bars each time. */
export function bucketFor(window: TimeWindow): TimelineBucket {
  const ms = Date.parse(window.to) - Date.parse(window.from);
  if (ms <= 6 * 3600_000) return 'minute';
  if (ms <= 7 * 24 * 3600_000) return 'hour';
  return 'day';
}

/**
 * Whether the query endpoints can filter by this name: they take lowercase names only, while
 * ingest also accepts mixed case, so a sender's "Billing.Web" shows up but cannot be selected.
 */
export function isFilterableService(name: string): boolean {
  return ServiceName.safeParse(name).success;
}

/** Why a custom range cannot be used, or undefined when it can. */
export function customRangeProblem(from: string | undefined, to: string | undefined): string | undefined {
  if (!from || !to) return 'Choose both a start and an end.';
  const ms = Date.parse(to) - Date.parse(from);
  if (Number.isNaN(ms)) return 'Choose both a start and an end.';
  if (ms <= 0) return 'The start must be before the end.';
  if (ms > MAX_WINDOW_MS) return 'The range can be at most 400 days.';
  return undefined;
}

/** An ISO instant as the value of a `datetime-local` input (the browser's time zone). */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` value (the browser's time zone) as an ISO instant. */
export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

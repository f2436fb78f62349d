/**
 * The usage page's view as it lives in the address (`?range=7d&user=<id>`), so it can be shared
 * or reloaded, and the window it stands for.
 */

const DAY_MS = 86_400_000;

export const USAGE_RANGES = [
  { value: '7d', label: 'Last 7 days', days: 7 },
  { value: '30d', label: 'Last 30 days', days: 30 },
  { value: '90d', label: 'Last 90 days', days: 90 },
] as const;
export type UsageRange = (typeof USAGE_RANGES)[number]['value'];

/** The server's own default window, so the plain address asks for what it would answer anyway. */
const DEFAULT_RANGE: UsageRange = '30d';

export interface UsageFilters {
  range: UsageRange;
  /** Admins only: one user's usage; unset is everyone's. */
  userId: string | undefined;
}

const isRange = (value: string | null): value is UsageRange => USAGE_RANGES.some((r) => r.value === value);

/** Reads the view from the address; anything unreadable falls back to the default. */
export function parseUsageFilters(params: URLSearchParams): UsageFilters {
  const range = params.get('range');
  return {
    range: isRange(range) ? range : DEFAULT_RANGE,
    userId: params.get('user')?.trim() || undefined,
  };
}

/** The address form of the view: defaults and empty values are left out. */
export function usageFiltersToParams(filters: UsageFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.range !== DEFAULT_RANGE) params.set('range', filters.range);
  if (filters.userId) params.set('user', filters.userId);
  return params;
}

/**
 * The window a range stands for, ending at `nowMs`; the page fixes `nowMs` when the view changes
 * (or on Refresh) so the query's key stays put while the page is shown.
 */
export function usageWindow(range: UsageRange, nowMs: number): { from: string; to: string } {
  const days = USAGE_RANGES.find((r) => r.value === range)?.days ?? 30;
  return { from: new Date(nowMs - days * DAY_MS).toISOString(), to: new Date(nowMs).toISOString() };
}

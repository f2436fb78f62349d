import { z } from 'zod';

const DAY_MS = 86_400_000;
/** Longest window one usage query may cover. */
export const maxUsageWindowDays = 366;

export const UsageQuery = z
  .object({
    /** Start of the window (inclusive); default: 30 days before `to`. */
    from: z.iso.datetime({ offset: true }).optional(),
    /** End of the window (exclusive); default: now. */
    to: z.iso.datetime({ offset: true }).optional(),
    /** Admins only: one user's usage (default: every user's). Others always see their own. */
    userId: z.string().min(1).max(200).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    message: 'must be after from',
    path: ['to'],
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.to) - Date.parse(q.from) <= maxUsageWindowDays * DAY_MS, {
    message: `the window may cover at most ${maxUsageWindowDays} days`,
    path: ['from'],
  });
export type UsageQuery = z.infer<typeof UsageQuery>;

const usageFigures = {
  /** Questions and insight requests, cached ones included. */
  requests: z.number().int().nonnegative(),
  /** Of those, answered from the cache (no provider call, no tokens). */
  cachedRequests: z.number().int().nonnegative(),
  /** Of those, answered by the built-in engine because the provider failed or was rate-limited. */
  fallbackRequests: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** USD, from the prices configured when each request ran; requests without a price add nothing. */
  costUsd: z.number().nonnegative(),
  /** LLM requests whose cost is unknown because no price was configured (LLM_PRICE_*). */
  unpricedRequests: z.number().int().nonnegative(),
};

export const UsageRow = z.object({
  userId: z.string(),
  /** The provider asked (the configured one): `builtin`, `openai`, `anthropic`, `openai-compatible`. */
  provider: z.string(),
  model: z.string().nullable(),
  feature: z.enum(['nl2sql', 'insights']),
  ...usageFigures,
});
export type UsageRow = z.infer<typeof UsageRow>;

export const UsageResponse = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  /** One row per user, provider, model and feature; most costly first, then most requests. */
  rows: z.array(UsageRow),
  totals: z.object(usageFigures),
});
export type UsageResponse = z.infer<typeof UsageResponse>;

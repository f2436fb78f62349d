import { randomUUID } from 'node:crypto';
import type { UsageQuery, UsageResponse, UsageRow } from '../../../../contracts/aide/usage.js';
import type { Config } from '../../../platform/config/load-config.js';
import type { Db } from '../../../platform/db/database.js';
import { Forbidden } from '../../../platform/http/errors.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import type { AideMetrics } from '../aide-metrics.js';
import { insertUsage, summarizeUsage } from './usage.repository.js';

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

/** What one AIDE request used: recorded whoever answered, cache hits included. */
export interface UsageEntry {
  userId: string;
  datasetId: string | null;
  feature: UsageRow['feature'];
  /** The provider asked (the configured one), whose budget and price apply. */
  provider: { name: string; model: string | null };
  cached: boolean;
  /** Set when the built-in engine answered instead of the provider. */
  fallbackReason?: string;
  /** Tokens the provider reported for this request (all its calls, the repair included). */
  tokens?: { inputTokens: number | null; outputTokens: number | null };
  /** What the request ended as, for `aide_requests_total`. */
  outcome: 'answered' | 'not_understood';
}

export interface UsageDeps {
  db: Db;
  clock: () => Date;
  metrics: AideMetrics;
  /** USD per million tokens of the configured model; unset: the cost of LLM calls is unknown. */
  price: Config['llm']['price'];
}

/**
 * The usage ledger (`aide.usage`) and its Prometheus counters. The ledger row is written in the
 * caller's transaction, next to what the request stored; the counters move only once that has
 * committed (`record` returns the function that moves them).
 */
export function createUsageService({ db, clock, metrics, price }: UsageDeps) {
  function costOf(entry: UsageEntry): number | null {
    if (entry.provider.name === 'builtin' || entry.cached) return 0;
    if (!price) return null;
    const input = entry.tokens?.inputTokens ?? 0;
    const output = entry.tokens?.outputTokens ?? 0;
    // Rounded to the column's 8 decimals so the ledger and the counter agree.
    return Math.round((input * price.inputPerMTok + output * price.outputPerMTok) * 100) / 1e8;
  }

  return {
    async record(tx: Db, entry: UsageEntry): Promise<() => void> {
      const costUsd = costOf(entry);
      await insertUsage(tx, {
        id: randomUUID(),
        userId: entry.userId,
        datasetId: entry.datasetId,
        feature: entry.feature,
        provider: entry.provider.name,
        model: entry.provider.model,
        cached: entry.cached,
        fallbackReason: entry.fallbackReason ?? null,
        inputTokens: entry.tokens?.inputTokens ?? null,
        outputTokens: entry.tokens?.outputTokens ?? null,
        costUsd,
        createdAt: clock(),
      });
      return () => {
        const provider = entry.provider.name;
        const model = entry.provider.model ?? '';
        metrics.requests.inc({
          feature: entry.feature,
          provider,
          outcome: entry.cached ? 'cached' : entry.outcome,
        });
        if (entry.fallbackReason) metrics.fallbacks.inc({ provider, reason: entry.fallbackReason });
        const { inputTokens, outputTokens } = entry.tokens ?? {};
        if (inputTokens) metrics.tokens.inc({ provider, model, direction: 'input' }, inputTokens);
        if (outputTokens) metrics.tokens.inc({ provider, model, direction: 'output' }, outputTokens);
        if (costUsd) metrics.costUsd.inc({ provider, model }, costUsd);
      };
    },

    /** `GET /api/aide/usage`: the caller's own usage; an admin's may cover every user or one. */
    async summary(ctx: RequestContext, query: UsageQuery): Promise<UsageResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      const isAdmin = actor.roles.includes('admin');
      if (query.userId !== undefined && query.userId !== actor.id && !isAdmin)
        throw new Forbidden("Only an admin may read another user's usage.");
      const to = query.to ? new Date(query.to) : clock();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
      const userId = isAdmin ? query.userId : actor.id;
      const rows = await summarizeUsage(db, { from, to, ...(userId !== undefined ? { userId } : {}) });
      const sum = (pick: (r: UsageRow) => number) => rows.reduce((total, r) => total + pick(r), 0);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        rows,
        totals: {
          requests: sum((r) => r.requests),
          cachedRequests: sum((r) => r.cachedRequests),
          fallbackRequests: sum((r) => r.fallbackRequests),
          inputTokens: sum((r) => r.inputTokens),
          outputTokens: sum((r) => r.outputTokens),
          costUsd: Math.round(sum((r) => r.costUsd) * 1e8) / 1e8,
          unpricedRequests: sum((r) => r.unpricedRequests),
        },
      };
    },
  };
}

export type UsageService = ReturnType<typeof createUsageService>;

import { sql } from 'kysely';
import type { UsageRow } from '../../../../contracts/aide/usage.js';
import type { Db } from '../../../platform/db/database.js';

export interface UsageRecord {
  id: string;
  userId: string;
  datasetId: string | null;
  feature: UsageRow['feature'];
  provider: string;
  model: string | null;
  cached: boolean;
  fallbackReason: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  /** Null when the provider is an LLM without a configured price. */
  costUsd: number | null;
  createdAt: Date;
}

export async function insertUsage(db: Db, record: UsageRecord): Promise<void> {
  await db.insertInto('aide.usage').values(record).execute();
}

/** Usage in [from, to), per user, provider, model and feature; `userId` narrows to one user. */
export async function summarizeUsage(
  db: Db,
  window: { from: Date; to: Date; userId?: string },
): Promise<UsageRow[]> {
  let query = db
    .selectFrom('aide.usage')
    .select([
      'userId',
      'provider',
      'model',
      'feature',
      sql<string>`count(*)`.as('requests'),
      sql<string>`count(*) filter (where cached)`.as('cachedRequests'),
      sql<string>`count(*) filter (where fallback_reason is not null)`.as('fallbackRequests'),
      sql<string>`coalesce(sum(input_tokens), 0)`.as('inputTokens'),
      sql<string>`coalesce(sum(output_tokens), 0)`.as('outputTokens'),
      sql<string>`coalesce(sum(cost_usd), 0)`.as('costUsd'),
      sql<string>`count(*) filter (where cost_usd is null)`.as('unpricedRequests'),
    ])
    .where('createdAt', '>=', window.from)
    .where('createdAt', '<', window.to);
  if (window.userId !== undefined) query = query.where('userId', '=', window.userId);
  const rows = await query
    .groupBy(['userId', 'provider', 'model', 'feature'])
    .orderBy(sql`coalesce(sum(cost_usd), 0)`, 'desc')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('userId')
    .orderBy('provider')
    .orderBy('feature')
    .execute();
  return rows.map((r) => ({
    userId: r.userId,
    provider: r.provider,
    model: r.model,
    feature: r.feature,
    requests: Number(r.requests),
    cachedRequests: Number(r.cachedRequests),
    fallbackRequests: Number(r.fallbackRequests),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsd: Number(r.costUsd),
    unpricedRequests: Number(r.unpricedRequests),
  }));
}

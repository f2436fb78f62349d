import { sql } from 'kysely';
import {
  type AnalyzeDatasetBody,
  type AnalyzeDatasetResponse,
  type ComputedInsight,
  InsightsResponse,
} from '../../../../contracts/aide/insights.js';
import { insightGenerated } from '../../../../contracts/events/index.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import type { AnswerCache } from '../answer-cache.js';
import { findQuestionableDataset } from '../datasets/describe-dataset.js';
import type { InsightsRephraser } from '../providers/index.js';
import type { RateLimits } from '../rate-limits.js';
import { SqlTimedOut } from '../sandbox/sandbox.errors.js';
import type { UsageService } from '../usage/index.js';
import { loadDatasetStats } from './column-stats.js';
import { finders } from './find-insights.js';
import { rephraseInsights, templatesOnly, type WrittenInsights } from './rephrase-insights.js';
import { summarizeColumns, summarizeDataset } from './summarize-columns.js';

/** Insights kept per dataset at most. */
export const MAX_INSIGHTS = 4;
/** Per statement: a few scans of one table; beyond this the dataset is too large to read on request. */
export const STATS_TIMEOUT_MS = 10_000;

export interface InsightsDeps {
  db: Db;
  outbox: Outbox;
  clock: () => Date;
  /** The configured LLM, which may only rephrase the texts; absent or null: the templates stay. */
  rephraser?: InsightsRephraser | null;
  /** The module always passes these three; a service tested alone may go without. */
  limits?: RateLimits;
  answers?: AnswerCache;
  usage?: UsageService;
}

/** What is kept of insights in the cache: the response without what belongs to one request. */
const CachedInsights = InsightsResponse.omit({ usage: true, cached: true, fallback: true });

/**
 * Insights and the statistical summary of a dataset, computed from its rows (or AXI's stored
 * profile). The text is written from templates whose every number is a fact; a configured LLM
 * may rephrase it, and each rephrasing must pass `numbersAreGrounded` or the template text stays.
 */
export function createInsightsService(deps: InsightsDeps) {
  const { db, outbox, clock, rephraser, limits, answers, usage } = deps;
  const writer = { name: rephraser?.name ?? 'builtin', model: rephraser?.model ?? null };
  // The statistics are this module's own SQL over validated identifiers, but they scan whole
  // tables: read only, and with a statement timeout so one huge dataset cannot hold a connection.
  async function readingStats<T>(read: (tx: Db) => Promise<T>): Promise<T> {
    try {
      return await db
        .transaction()
        .setAccessMode('read only')
        .execute(async (tx) => {
          await sql`select set_config('statement_timeout', ${String(STATS_TIMEOUT_MS)}, true)`.execute(tx);
          return read(tx);
        });
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === '57014') throw new SqlTimedOut(STATS_TIMEOUT_MS);
      throw err;
    }
  }

  /** The LLM rephrases within its calls per minute; past them the template texts stay. */
  async function write(ctx: RequestContext, computed: ComputedInsight[]): Promise<WrittenInsights> {
    if (rephraser && computed.length > 0 && limits && !(await limits.admitProvider(rephraser))) {
      ctx.log.warn(
        { provider: rephraser.name, model: rephraser.model },
        'LLM provider rate limit reached; the insights keep their template texts',
      );
      return templatesOnly(computed, { from: rephraser.name, reason: 'rate_limited' });
    }
    return rephraseInsights(ctx, rephraser, computed);
  }

  return {
    async generate(ctx: RequestContext, datasetId: string): Promise<InsightsResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      await limits?.admitUser(actor.id);
      const dataset = await findQuestionableDataset(db, actor, datasetId);
      // AXI's datasets do not change after upload: their columns and row count are their version.
      const cacheKey = answers?.keyFor('insights', dataset.id, {
        version: answers.datasetVersion({ name: dataset.name, columns: dataset.columns }, dataset.rowCount),
        provider: writer.name,
        model: writer.model,
        promptVersion: rephraser?.promptVersion ?? null,
      });
      const hit = cacheKey ? await answers?.get('insights', cacheKey, CachedInsights) : undefined;
      if (hit) {
        const counted = await usage?.record(db, {
          userId: actor.id,
          datasetId: dataset.id,
          feature: 'insights',
          provider: writer,
          cached: true,
          outcome: 'answered',
        });
        counted?.();
        return { ...hit, cached: true };
      }

      const found = await readingStats(async (tx) => {
        const stats = await loadDatasetStats(tx, dataset);
        const out: ComputedInsight[] = [];
        for (const find of finders) {
          const insight = await find(tx, dataset, stats);
          if (insight) out.push(insight);
        }
        return out;
      });
      // One per kind (each finder returns its best), strongest first; ties keep the finders' order.
      const computed = found.sort((a, b) => b.score - a.score).slice(0, MAX_INSIGHTS);
      const { insights, ...writtenBy } = await write(ctx, computed);
      const counted = await db.transaction().execute(async (tx) => {
        await outbox.add(
          tx,
          createEvent(insightGenerated, ctx, {
            datasetId: dataset.id,
            userId: actor.id,
            count: insights.length,
            kinds: insights.map((i) => i.kind),
          }),
        );
        return usage?.record(tx, {
          userId: actor.id,
          datasetId: dataset.id,
          feature: 'insights',
          provider: writer,
          cached: false,
          ...(writtenBy.fallback ? { fallbackReason: writtenBy.fallback.reason } : {}),
          ...(writtenBy.usage ? { tokens: writtenBy.usage } : {}),
          outcome: 'answered',
        });
      });
      counted?.();
      const response: InsightsResponse = {
        datasetId: dataset.id,
        insights,
        ...writtenBy,
        cached: false,
        generatedAt: clock().toISOString(),
      };
      // Template texts written because the LLM failed are not kept: it should rephrase them once it is back.
      if (cacheKey && !response.fallback) {
        const { usage: _u, cached: _c, fallback: _f, ...kept } = response;
        await answers?.set(cacheKey, kept);
      }
      return response;
    },

    async analyze(ctx: RequestContext, body: AnalyzeDatasetBody): Promise<AnalyzeDatasetResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      await limits?.admitUser(actor.id);
      const dataset = await findQuestionableDataset(db, actor, body.datasetId);
      const stats = await readingStats((tx) => loadDatasetStats(tx, dataset));
      return {
        datasetId: dataset.id,
        name: dataset.name,
        rowCount: stats.rowCount,
        source: stats.source,
        columns: summarizeColumns(stats),
        summary: summarizeDataset(dataset.name, stats),
      };
    },
  };
}

export type InsightsService = ReturnType<typeof createInsightsService>;

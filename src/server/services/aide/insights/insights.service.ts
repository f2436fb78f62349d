import { sql } from 'kysely';
import type {
  AnalyzeDatasetBody,
  AnalyzeDatasetResponse,
  Insight,
  InsightsResponse,
} from '../../../../contracts/aide/insights.js';
import { insightGenerated } from '../../../../contracts/events/index.js';
import type { Db } from '../../../platform/db/database.js';
import { createEvent, type Outbox } from '../../../platform/events/outbox.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import { findQuestionableDataset } from '../datasets/describe-dataset.js';
import { SqlTimedOut } from '../sandbox/sandbox.errors.js';
import { loadDatasetStats } from './column-stats.js';
import { finders } from './find-insights.js';
import { summarizeColumns, summarizeDataset } from './summarize-columns.js';

/** Insights kept per dataset at most. */
export const MAX_INSIGHTS = 4;
export const INSIGHTS_PROVIDER = 'builtin';
/** Per statement: a few scans of one table; beyond this the dataset is too large to read on request. */
export const STATS_TIMEOUT_MS = 10_000;

export interface InsightsDeps {
  db: Db;
  outbox: Outbox;
  clock: () => Date;
}

/**
 * Insights and the statistical summary of a dataset, computed from its rows (or AXI's stored
 * profile). The text is written from templates whose every number is a fact; an LLM rephrasing,
 * when added, must pass `numbersAreGrounded` or the template text stays.
 */
export function createInsightsService({ db, outbox, clock }: InsightsDeps) {
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

  return {
    async generate(ctx: RequestContext, datasetId: string): Promise<InsightsResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
      const dataset = await findQuestionableDataset(db, actor, datasetId);
      const found = await readingStats(async (tx) => {
        const stats = await loadDatasetStats(tx, dataset);
        const out: Insight[] = [];
        for (const find of finders) {
          const insight = await find(tx, dataset, stats);
          if (insight) out.push(insight);
        }
        return out;
      });
      // One per kind (each finder returns its best), strongest first; ties keep the finders' order.
      const insights = found.sort((a, b) => b.score - a.score).slice(0, MAX_INSIGHTS);
      await db.transaction().execute(async (tx) => {
        await outbox.add(
          tx,
          createEvent(insightGenerated, ctx, {
            datasetId: dataset.id,
            userId: actor.id,
            count: insights.length,
            kinds: insights.map((i) => i.kind),
          }),
        );
      });
      return {
        datasetId: dataset.id,
        insights,
        provider: INSIGHTS_PROVIDER,
        generatedAt: clock().toISOString(),
      };
    },

    async analyze(ctx: RequestContext, body: AnalyzeDatasetBody): Promise<AnalyzeDatasetResponse> {
      const actor = requireScope(ctx, 'analytics:run', 'analyst', 'admin');
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

import { z } from 'zod';
import {
  type AggregateResult,
  type EventsPage,
  type EventsQuery,
  MAX_AGGREGATE_ROWS,
  MAX_TIMELINE_BUCKETS,
  type ServiceAnalytics,
  type ServiceAnalyticsQuery,
  type Timeline,
  type TimelineQuery,
} from '../../../../contracts/mlog/query.js';
import type { Db } from '../../../platform/db/database.js';
import { type RequestContext, requireScope } from '../../../platform/http/request-context.js';
import type { RecordQuery } from '../query-audit.js';
import { compilePipeline, toDocuments } from './pipeline-compiler.js';
import { invalidQuery } from './query.errors.js';
import * as repo from './query.repository.js';

const DEFAULT_WINDOW_MS = 24 * 3600_000;
/** The longest window the analytics endpoints scan. */
const MAX_WINDOW_MS = 400 * 24 * 3600_000;
const PIPELINE_TIMEOUT_MS = 10_000;
const BUCKET_MS = { minute: 60_000, hour: 3600_000, day: 24 * 3600_000 } as const;

export interface QueryDeps {
  db: Db;
  clock: () => Date;
  /** Records who read what (the MLOG module makes one recorder for every read endpoint). */
  recordQuery: RecordQuery;
}

const Cursor = z.object({ t: z.iso.datetime({ offset: true, precision: 6 }), i: z.uuid() });

function encodeCursor(row: repo.EventRow): string {
  return Buffer.from(JSON.stringify({ t: row.tsExact, i: row.id })).toString('base64url');
}

function decodeCursor(cursor: string): { ts: string; id: string } {
  try {
    const parsed = Cursor.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { ts: parsed.t, id: parsed.i };
  } catch {
    throw invalidQuery('cursor', 'is not a cursor this endpoint issued');
  }
}

function truncateToBucket(t: number, bucketMs: number): number {
  return Math.floor(t / bucketMs) * bucketMs;
}

export function createQueryService({ db, clock, recordQuery: audit }: QueryDeps) {
  function window(query: { from?: string | undefined; to?: string | undefined }) {
    const to = query.to ? new Date(query.to) : clock();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (from.getTime() >= to.getTime()) throw invalidQuery('from', 'must be before to');
    if (to.getTime() - from.getTime() > MAX_WINDOW_MS)
      throw invalidQuery('from', 'the window is longer than 400 days');
    return { from, to };
  }

  return {
    async serviceAnalytics(
      ctx: RequestContext,
      service: string,
      query: ServiceAnalyticsQuery,
    ): Promise<ServiceAnalytics> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const { from, to } = window(query);
      const counts = await repo.countByAction(db, { from, to, service }, { users: query.users });
      audit(ctx, actor.id, 'analytics', {
        service,
        from: from.toISOString(),
        to: to.toISOString(),
        users: query.users,
      });
      return { service, from: from.toISOString(), to: to.toISOString(), ...counts };
    },

    async timeline(ctx: RequestContext, query: TimelineQuery): Promise<Timeline> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const { from, to } = window(query);
      const bucketMs = BUCKET_MS[query.bucket];
      const first = truncateToBucket(from.getTime(), bucketMs);
      const buckets = Math.ceil((to.getTime() - first) / bucketMs);
      if (buckets > MAX_TIMELINE_BUCKETS)
        throw invalidQuery(
          'bucket',
          `${buckets} ${query.bucket} buckets; at most ${MAX_TIMELINE_BUCKETS}, use a coarser bucket or a shorter window`,
        );
      const filter = { from, to, service: query.service, action: query.action, userId: query.user_id };
      const rows = await repo.countByBucket(db, query.bucket, filter);
      const byTime = new Map(rows.map((r) => [new Date(r.t).getTime(), r.count]));
      const points = Array.from({ length: buckets }, (_, i) => {
        const t = first + i * bucketMs;
        return { t: new Date(t).toISOString(), count: byTime.get(t) ?? 0 };
      });
      audit(ctx, actor.id, 'timeline', { ...query, from: from.toISOString(), to: to.toISOString() });
      return {
        bucket: query.bucket,
        from: from.toISOString(),
        to: to.toISOString(),
        total: rows.reduce((sum, r) => sum + r.count, 0),
        points,
      };
    },

    async events(ctx: RequestContext, query: EventsQuery): Promise<EventsPage> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const { from, to } = window(query);
      const before = query.cursor ? decodeCursor(query.cursor) : undefined;
      const filter = { from, to, service: query.service, action: query.action, userId: query.user_id };
      const rows = await repo.listEvents(db, filter, before, query.limit + 1);
      const page = rows.slice(0, query.limit);
      const more = rows.length > query.limit;
      audit(ctx, actor.id, 'events', { ...query, from: from.toISOString(), to: to.toISOString() });
      return {
        items: page.map(({ tsExact: _, ...e }) => ({
          ...e,
          ts: new Date(e.ts).toISOString(),
          receivedAt: new Date(e.receivedAt).toISOString(),
          schemaVersion: Number(e.schemaVersion),
        })),
        nextCursor: more && page.length > 0 ? encodeCursor(page.at(-1)!) : null,
      };
    },

    async aggregate(ctx: RequestContext, pipeline: unknown[]): Promise<AggregateResult> {
      const actor = requireScope(ctx, 'audit:read', 'admin', 'analyst');
      const compiled = compilePipeline(pipeline);
      const rows = await repo.runPipeline(db, compiled, PIPELINE_TIMEOUT_MS);
      const documents = toDocuments(compiled.columns, rows.slice(0, MAX_AGGREGATE_ROWS));
      audit(ctx, actor.id, 'aggregate', {
        stages: pipeline.map((stage) => Object.keys(stage as object)[0]),
        pipelineBytes: JSON.stringify(pipeline).length,
      });
      return { rows: documents, truncated: rows.length > MAX_AGGREGATE_ROWS };
    },
  };
}

export type QueryService = ReturnType<typeof createQueryService>;

import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Cache } from '../../platform/cache/cache.js';
import type { AideMetrics } from './aide-metrics.js';

export type CachedKind = 'nl2sql' | 'insights';

export interface AnswerCacheDeps {
  cache: Cache;
  log: Logger;
  metrics: AideMetrics;
  /** 0: nothing is cached. */
  ttlMs: number;
}

/** Answers larger than this (as JSON) are not cached: 1,000 wide rows would crowd out the rest. */
export const MAX_CACHED_BYTES = 1_048_576;

/**
 * Case and spacing do not change what a question asks, nor a trailing "?"; text in double quotes
 * is kept as typed because a quoted value may be matched exactly.
 */
export function normaliseQuestion(question: string): string {
  return question
    .split(/("[^"]*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.toLowerCase()))
    .join('')
    .replace(/\s+/g, ' ')
    .replace(/[\s?!.]+$/, '')
    .trim();
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * AIDE's cache of answers and insights, in the platform cache (Redis when configured, so every
 * process shares it). A key holds everything the result depends on: the dataset and its version
 * (a hash of what the provider is shown of it: columns, types, profile values, row count), the
 * provider, model and prompt version, and for questions the normalised question and its
 * conversation. A changed dataset therefore misses by itself; a deleted one is dropped
 * (`forgetDataset`, all keys of a dataset share a prefix). The cache only ever saves work: when
 * it is unreachable, every lookup is a miss and nothing fails.
 */
export function createAnswerCache({ cache, log, metrics, ttlMs }: AnswerCacheDeps) {
  const enabled = ttlMs > 0;
  const prefixOf = (datasetId: string) => `aide:answers:${datasetId}:`;

  return {
    enabled,

    /** The key of one result; `parts` is everything it depends on besides the dataset id. */
    keyFor(kind: CachedKind, datasetId: string, parts: Record<string, unknown>): string {
      return `${prefixOf(datasetId)}${kind}:${sha256(JSON.stringify(parts))}`;
    },

    datasetVersion(description: unknown, rowCount: number): string {
      return sha256(JSON.stringify({ description, rowCount }));
    },

    /**
     * The cached value, checked against `schema`: an entry written by an older version of AIDE
     * (another shape) is a miss, never a response that fails on its way out.
     */
    async get<T>(kind: CachedKind, key: string, schema: z.ZodType<T>): Promise<T | undefined> {
      if (!enabled) return undefined;
      let found: T | undefined;
      try {
        const raw = await cache.get<unknown>(key);
        if (raw !== undefined) {
          const parsed = schema.safeParse(raw);
          if (parsed.success) found = parsed.data;
          else log.warn({ kind }, 'AIDE cache entry of another shape; computing the answer');
        }
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'AIDE cache unreachable; computing the answer');
      }
      metrics.cacheLookups.inc({ kind, result: found === undefined ? 'miss' : 'hit' });
      return found;
    },

    async set(key: string, value: unknown): Promise<void> {
      if (!enabled || JSON.stringify(value).length > MAX_CACHED_BYTES) return;
      try {
        await cache.set(key, value, ttlMs);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'AIDE cache unreachable; the answer is not cached');
      }
    },

    /** Everything cached about a dataset (on `dataset.deleted`). */
    async forgetDataset(datasetId: string): Promise<number> {
      return cache.deleteByPrefix(prefixOf(datasetId));
    },
  };
}

export type AnswerCache = ReturnType<typeof createAnswerCache>;

import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testLogger } from '../../../../test/support/logger.js';
import { createMemoryCache } from '../../platform/cache/memory-cache.js';
import { createAideMetrics } from './aide-metrics.js';
import { createAnswerCache, normaliseQuestion } from './answer-cache.js';

const Answer = z.object({ sql: z.string(), rows: z.array(z.record(z.string(), z.unknown())) });
const datasetId = '5b0b2b8e-2d1e-4b8f-9a57-2f1a8d4b9c10';

describe('normaliseQuestion', () => {
  it('ignores case, spacing and a trailing question mark, and keeps quoted text as typed', () => {
    expect(normaliseQuestion('  Total   AMOUNT by Region?? ')).toBe('total amount by region');
    expect(normaliseQuestion('orders where city is "New York"')).toBe('orders where city is "New York"');
    expect(normaliseQuestion('Orders WHERE city is "new york"!')).toBe('orders where city is "new york"');
  });
});

describe('the answer cache', () => {
  const memory = createMemoryCache();
  afterEach(async () => memory.deleteByPrefix(''));
  const answers = (ttlMs = 60_000) => {
    const metrics = createAideMetrics(new Registry());
    return { cache: createAnswerCache({ cache: memory, log: testLogger, metrics, ttlMs }), metrics };
  };
  const lookups = async (metrics: ReturnType<typeof createAideMetrics>, result: string) =>
    (await metrics.cacheLookups.get()).values.find((v) => v.labels.result === result)?.value ?? 0;

  it('gives back what it kept under a key of everything the answer depends on', async () => {
    const { cache, metrics } = answers();
    const key = cache.keyFor('nl2sql', datasetId, { question: 'how many rows', provider: 'builtin' });
    expect(key.startsWith(`aide:answers:${datasetId}:nl2sql:`)).toBe(true);
    expect(cache.keyFor('nl2sql', datasetId, { question: 'how many rows', provider: 'openai' })).not.toBe(
      key,
    );
    const answer = { sql: 'SELECT 1', rows: [{ n: 1 }] };
    await cache.set(key, answer);
    expect(await cache.get('nl2sql', key, Answer)).toEqual(answer);
    expect(await lookups(metrics, 'hit')).toBe(1);
  });

  it('treats an entry of another shape (an older version wrote it) as a miss', async () => {
    const { cache, metrics } = answers();
    const key = cache.keyFor('nl2sql', datasetId, { question: 'q' });
    await memory.set(key, { sql: 42 }, 60_000);
    expect(await cache.get('nl2sql', key, Answer)).toBeUndefined();
    expect(await lookups(metrics, 'miss')).toBe(1);
  });

  it('keeps nothing when its lifetime is 0, and nothing too large', async () => {
    const off = answers(0).cache;
    const key = off.keyFor('nl2sql', datasetId, { question: 'q' });
    await off.set(key, { sql: 'SELECT 1', rows: [] });
    expect(await memory.get(key)).toBeUndefined();
    const { cache } = answers();
    const big = { sql: 'SELECT 1', rows: [{ text: 'x'.repeat(1_100_000) }] };
    await cache.set(key, big);
    expect(await memory.get(key)).toBeUndefined();
  });

  it("forgets every entry of one dataset and no other dataset's", async () => {
    const { cache } = answers();
    const other = '0d7c3f55-7a57-4f0e-8b8c-3a4a3f7d2e11';
    const mine = cache.keyFor('insights', datasetId, {});
    const theirs = cache.keyFor('insights', other, {});
    await cache.set(mine, { sql: 'a', rows: [] });
    await cache.set(cache.keyFor('nl2sql', datasetId, { question: 'q' }), { sql: 'b', rows: [] });
    await cache.set(theirs, { sql: 'c', rows: [] });
    expect(await cache.forgetDataset(datasetId)).toBe(2);
    expect(await cache.get('insights', theirs, Answer)).toEqual({ sql: 'c', rows: [] });
  });
});

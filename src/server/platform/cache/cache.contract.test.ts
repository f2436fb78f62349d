import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy } from '../../../../test/support/tcp-proxy.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import type { Cache } from './cache.js';
import { createCache } from './create-cache.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';

// Every implementation must pass the same suite; Redis joins when a test server is configured.
const redisUrl = process.env.TEST_REDIS_URL;
// One prefix per file run, so parallel runs against one Redis never see each other's keys.
const keyPrefix = `test:cache-contract:${randomUUID()}:`;

const implementations: { name: string; create: () => Cache }[] = [
  { name: 'memory', create: () => createMemoryCache({ keyPrefix }) },
  ...(redisUrl ? [{ name: 'redis', create: () => createRedisCache({ url: redisUrl, keyPrefix }) }] : []),
];

describe.each(implementations)('$name cache', ({ create }) => {
  let cache: Cache;
  const usedKeys = new Set<string>();
  const newKey = (label: string) => {
    const key = `${label}:${randomUUID()}`;
    usedKeys.add(key);
    return key;
  };

  beforeAll(() => {
    cache = create();
  });
  afterEach(async () => {
    await Promise.all([...usedKeys].map((key) => cache.delete(key)));
    usedKeys.clear();
  });
  afterAll(async () => {
    await cache.close();
  });

  it('answers check()', async () => {
    await expect(cache.check()).resolves.toBeUndefined();
  });

  it('returns undefined for a missing key', async () => {
    expect(await cache.get(newKey('missing'))).toBeUndefined();
  });

  it('round-trips JSON values and overwrites on set', async () => {
    const key = newKey('value');
    const value = { name: 'a', tags: ['x', 'y'], nested: { n: 1.5, ok: true, none: null } };
    await cache.set(key, value, 10_000);
    expect(await cache.get(key)).toEqual(value);

    await cache.set(key, 'replaced', 10_000);
    expect(await cache.get<string>(key)).toBe('replaced');
  });

  it('returns a copy, not the stored object', async () => {
    const key = newKey('copy');
    await cache.set(key, { n: 1 }, 10_000);
    const first = await cache.get<{ n: number }>(key);
    first!.n = 2;
    expect(await cache.get(key)).toEqual({ n: 1 });
  });

  it('deletes a key, and deleting a missing key is fine', async () => {
    const key = newKey('delete');
    await cache.set(key, 1, 10_000);
    await cache.delete(key);
    expect(await cache.get(key)).toBeUndefined();
    await expect(cache.delete(newKey('never-set'))).resolves.toBeUndefined();
  });

  it('expires a value after its TTL', async () => {
    const key = newKey('ttl');
    await cache.set(key, 'short-lived', 50);
    expect(await cache.get(key)).toBe('short-lived');
    await sleep(120);
    expect(await cache.get(key)).toBeUndefined();
  });

  it('rejects a TTL that is not positive', async () => {
    await expect(cache.set(newKey('bad-ttl'), 1, 0)).rejects.toThrow();
    await expect(cache.increment(newKey('bad-window'), -5)).rejects.toThrow();
  });

  it('counts increments within the window, reporting the time left', async () => {
    const key = newKey('counter');
    const first = await cache.increment(key, 10_000);
    expect(first.count).toBe(1);
    expect(first.ttlMs).toBeGreaterThan(9_000);
    expect(first.ttlMs).toBeLessThanOrEqual(10_000);

    await cache.increment(key, 10_000);
    const third = await cache.increment(key, 10_000);
    expect(third.count).toBe(3);
    // A fixed window: later increments do not extend it.
    expect(third.ttlMs).toBeLessThanOrEqual(first.ttlMs);
    expect(await cache.get<number>(key)).toBe(3);
  });

  it('keeps separate counters for separate keys', async () => {
    const a = newKey('counter-a');
    const b = newKey('counter-b');
    await cache.increment(a, 10_000);
    await cache.increment(a, 10_000);
    expect((await cache.increment(b, 10_000)).count).toBe(1);
  });

  it('starts a new window once the old one has passed, counting from the first increment', async () => {
    const key = newKey('window');
    expect((await cache.increment(key, 200)).count).toBe(1);
    await sleep(100);
    expect((await cache.increment(key, 200)).count).toBe(2);
    // 250 ms after the first increment: a sliding window (extended by the second) would still be open.
    await sleep(150);
    const next = await cache.increment(key, 200);
    expect(next.count).toBe(1);
    expect(next.ttlMs).toBeGreaterThan(0);
  });

  it('gives concurrent increments each a distinct count', async () => {
    const key = newKey('concurrent');
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.increment(key, 10_000)));
    const counts = results.map((r) => r.count).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('gives a new token bucket its capacity, then refuses with the wait until a token is back', async () => {
    const key = newKey('bucket');
    const bucket = { capacity: 3, refillPerSecond: 1 };
    const takes = [];
    for (let i = 0; i < 4; i++) takes.push(await cache.takeTokens(key, bucket));
    expect(takes.map((t) => t.allowed)).toEqual([true, true, true, false]);
    expect(takes.map((t) => t.remaining)).toEqual([2, 1, 0, 0]);
    expect(takes[3]!.retryAfterMs).toBeGreaterThan(800);
    expect(takes[3]!.retryAfterMs).toBeLessThanOrEqual(1_000);
    // Refused again straight away: a refusal is not a credit.
    expect((await cache.takeTokens(key, bucket)).allowed).toBe(false);
  });

  it('refills a token bucket continuously, up to its capacity', async () => {
    const key = newKey('refill');
    const bucket = { capacity: 2, refillPerSecond: 20 };
    expect((await cache.takeTokens(key, bucket, 2)).allowed).toBe(true);
    expect((await cache.takeTokens(key, bucket)).allowed).toBe(false);
    // 20 tokens per second: one is back after 50 ms.
    await sleep(120);
    expect((await cache.takeTokens(key, bucket)).allowed).toBe(true);
    // Long after: full again, never more than the capacity.
    await sleep(300);
    const takes = [];
    for (let i = 0; i < 3; i++) takes.push((await cache.takeTokens(key, bucket)).allowed);
    expect(takes).toEqual([true, true, false]);
  });

  it('lets exactly the capacity through when many take at once', async () => {
    const key = newKey('bucket-concurrent');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => cache.takeTokens(key, { capacity: 10, refillPerSecond: 0.001 })),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('refuses a token bucket without capacity or rate, or a cost above the capacity', async () => {
    await expect(cache.takeTokens(newKey('b'), { capacity: 0, refillPerSecond: 1 })).rejects.toThrow(
      RangeError,
    );
    await expect(cache.takeTokens(newKey('b'), { capacity: 1, refillPerSecond: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(cache.takeTokens(newKey('b'), { capacity: 1, refillPerSecond: 1 }, 2)).rejects.toThrow(
      RangeError,
    );
  });

  it('deletes every key under a prefix and nothing else, glob characters included', async () => {
    const group = newKey('group*[x]?');
    const other = newKey('group');
    await cache.set(`${group}:a`, 1, 10_000);
    await cache.set(`${group}:b`, 2, 10_000);
    await cache.set(`${other}:a`, 3, 10_000);
    usedKeys.add(`${other}:a`);
    expect(await cache.deleteByPrefix(`${group}:`)).toBe(2);
    expect(await cache.get(`${group}:a`)).toBeUndefined();
    expect(await cache.get(`${group}:b`)).toBeUndefined();
    expect(await cache.get(`${other}:a`)).toBe(3);
    expect(await cache.deleteByPrefix(`${group}:`)).toBe(0);
  });
});

describe('redis cache against an unreachable server', () => {
  // Needs no Redis: port 1 refuses connections, which is the point.
  const unreachable = () => createRedisCache({ url: 'redis://127.0.0.1:1', keyPrefix });

  it('check() rejects quickly instead of waiting on reconnects', async () => {
    const cache = unreachable();
    const startedMs = performance.now();
    await expect(cache.check()).rejects.toThrow();
    expect(performance.now() - startedMs).toBeLessThan(3_000);
    await cache.close();
  });

  it('once the connection has failed, refuses commands at once until it is back', async () => {
    const cache = unreachable();
    await expect(cache.get('first')).rejects.toThrow();
    // Reconnecting now: no wait in the offline queue, and every kind of command says why.
    await expect(cache.get('anything')).rejects.toThrow(/redis is unreachable/);
    await expect(cache.takeTokens('bucket', { capacity: 1, refillPerSecond: 1 })).rejects.toThrow(
      /redis is unreachable/,
    );
    await expect(cache.set('k', 1, 1_000)).rejects.toThrow(/redis is unreachable/);
    await cache.close();
  });

  it('commands fail fast instead of hanging the request', async () => {
    const cache = unreachable();
    const startedMs = performance.now();
    await expect(cache.get('anything')).rejects.toThrow();
    expect(performance.now() - startedMs).toBeLessThan(3_000);
    await cache.close();
  });
});

describe.each(redisUrl ? [redisUrl] : [])('redis cache through an outage (%s)', (url) => {
  it('fails at once while Redis is gone, and works again once it is back', async () => {
    const target = new URL(url);
    const proxy = await startTcpProxy({
      targetHost: target.hostname,
      targetPort: Number(target.port || 6379),
    });
    const cache = createRedisCache({ url: proxy.rewriteUrl(url), keyPrefix });
    try {
      await cache.set('outage', 'before', 10_000);
      await proxy.cut({ mode: 'refuse' });
      await waitFor(
        async () =>
          (
            await cache.get('outage').then(
              () => 'up',
              (err: Error) => err.message,
            )
          ).includes('unreachable'),
        {
          what: 'the cache to notice the outage',
        },
      );
      await proxy.restore();
      // ioredis reconnects by itself; the value written before the outage is still there.
      const back = await waitFor(async () => cache.get<string>('outage').catch(() => undefined), {
        timeoutMs: 15_000,
        what: 'the cache to reconnect',
      });
      expect(back).toBe('before');
      await cache.delete('outage');
    } finally {
      await cache.close();
      await proxy.close();
    }
  });
});

describe('createCache', () => {
  it('uses memory without a Redis URL and Redis with one', async () => {
    const memory = createCache({ keyPrefix });
    // lazyConnect: building the Redis cache opens no connection, so no server is needed here.
    const redis = createCache({ redisUrl: 'redis://127.0.0.1:1', keyPrefix });
    expect(memory.kind).toBe('memory');
    expect(redis.kind).toBe('redis');
    await Promise.all([memory.close(), redis.close()]);
  });
});

import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cache } from './cache.js';
import { createRateLimitStore } from './cache-rate-limit-store.js';
import { createMemoryCache } from './memory-cache.js';
import { createRedisCache } from './redis-cache.js';

const redisUrl = process.env.TEST_REDIS_URL;

// A fresh prefix per test: each starts with no counters, and parallel runs cannot collide.
const implementations: { name: string; create: (keyPrefix: string) => Cache }[] = [
  { name: 'memory', create: (keyPrefix) => createMemoryCache({ keyPrefix }) },
  ...(redisUrl
    ? [{ name: 'redis', create: (keyPrefix: string) => createRedisCache({ url: redisUrl, keyPrefix }) }]
    : []),
];

const WINDOW_MS = 10_000;

describe.each(implementations)('rate limiting on the $name cache', ({ create }) => {
  let cleanup: (() => Promise<void>) | undefined;

  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  async function buildApp() {
    const cache = create(`test:rate-limit:${randomUUID()}:`);
    const app = Fastify();
    await app.register(rateLimit, { max: 3, timeWindow: WINDOW_MS, store: createRateLimitStore(cache) });
    app.get('/ping', async () => ({ ok: true }));
    app.get('/strict', { config: { rateLimit: { max: 1, timeWindow: WINDOW_MS } } }, async () => ({
      ok: true,
    }));
    const limiter = app.createRateLimit({ max: 1, timeWindow: WINDOW_MS });
    app.get('/peek', { config: { rateLimit: false } }, async (req) => {
      const before = await limiter(req, { increment: false });
      await limiter(req);
      const after = await limiter(req, { increment: false });
      return { before, after };
    });
    await app.ready();
    cleanup = async () => {
      await app.close();
      await Promise.all(
        ['global', 'GET /strict', 'limiter'].map((scope) => cache.delete(`rate-limit:${scope}:127.0.0.1`)),
      );
      await cache.close();
    };
    return { app, cache };
  }

  it('answers 429 to the fourth request in a window of three', async () => {
    const { app } = await buildApp();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.inject({ method: 'GET', url: '/ping' })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('reports the remaining allowance in headers', async () => {
    const { app } = await buildApp();
    const response = await app.inject({ method: 'GET', url: '/ping' });
    expect(response.headers['x-ratelimit-limit']).toBe('3');
    expect(response.headers['x-ratelimit-remaining']).toBe('2');
  });

  it('counts a route with its own limit separately', async () => {
    const { app } = await buildApp();
    expect((await app.inject({ method: 'GET', url: '/strict' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/strict' })).statusCode).toBe(429);
    expect((await app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
  });

  it('peeks without consuming when asked not to increment', async () => {
    const { app } = await buildApp();
    const { before, after } = (await app.inject({ method: 'GET', url: '/peek' })).json();
    expect(before).toMatchObject({ remaining: 1, isExceeded: false });
    expect(after).toMatchObject({ remaining: 0, isExceeded: false });
  });
});

describe('createRateLimitStore', () => {
  it('refuses options a fixed window cannot honour', async () => {
    const cache = createMemoryCache();
    const app = Fastify();
    await expect(
      app.register(rateLimit, { max: 3, continueExceeding: true, store: createRateLimitStore(cache) }),
    ).rejects.toThrow(/continueExceeding/);
    await app.close().catch(() => {});
    await cache.close();
  });
});

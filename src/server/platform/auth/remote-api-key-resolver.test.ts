import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKeyOnAxi, signUpOnAxi } from '../../../../test/support/axi-accounts.js';
import { testLogger } from '../../../../test/support/logger.js';
import { requestsAnswered } from '../../../../test/support/metrics.js';
import { freePort } from '../../../../test/support/server-process.js';
import { startTcpProxy } from '../../../../test/support/tcp-proxy.js';
import { startTestRuntime } from '../../../../test/support/test-runtime.js';
import type { Runtime } from '../../runtime.js';
import { axiModule } from '../../services/axi/index.js';
import { mlogModule } from '../../services/mlog/index.js';
import type { Cache } from '../cache/cache.js';
import { createMemoryCache } from '../cache/memory-cache.js';
import { createRedisCache } from '../cache/redis-cache.js';
import { ServiceUnavailable } from '../http/errors.js';
import { createRemoteApiKeyResolver, type RemoteApiKeyResolverOptions } from './remote-api-key-resolver.js';

const introspectRoute = '/api/v1/api-keys/introspect';
const FAST = { minDelayMs: 1, maxDelayMs: 5 };

const resolvers: ReturnType<typeof createRemoteApiKeyResolver>[] = [];
const caches: Cache[] = [];
function newResolver(options: Partial<RemoteApiKeyResolverOptions> & { url: string }) {
  const cache = options.cache ?? createMemoryCache();
  caches.push(cache);
  const resolver = createRemoteApiKeyResolver({ cache, log: testLogger, ...FAST, ...options });
  resolvers.push(resolver);
  return resolver;
}
afterEach(async () => {
  for (const r of resolvers.splice(0)) r.shutdown();
  for (const c of caches.splice(0)) await c.close();
});

describe('remote API key resolver against a real AXI', () => {
  let axi: Runtime;
  let axiUrl: string;
  let url: string;

  beforeAll(async () => {
    axi = await startTestRuntime({}, { modules: [axiModule] });
    axiUrl = axi.apps[0]!.url;
    url = `${axiUrl}${introspectRoute}`;
  });
  afterAll(async () => {
    await axi?.close();
  });

  const introspections = () => requestsAnswered(axi, introspectRoute);

  /** A memory cache whose clock the test moves. */
  function clockedCache() {
    let nowMs = Date.parse('2025-03-01T10:00:00Z');
    const cache = createMemoryCache({ now: () => nowMs });
    const advance = (ms: number) => {
      nowMs += ms;
    };
    return { cache, advance };
  }

  it("resolves a usable key to its owner's id, role and scopes, and asks AXI once while cached", async () => {
    const { userId, apiKey } = await signUpOnAxi(axiUrl, { scopes: ['audit:write', 'events:read'] });
    const resolver = newResolver({ url });
    const before = await introspections();

    const actor = await resolver.resolve(apiKey!.key);
    expect(actor).toEqual({ id: userId, roles: ['analyst'], scopes: ['audit:write', 'events:read'] });
    expect(await resolver.resolve(apiKey!.key)).toEqual(actor);
    expect(await introspections()).toBe(before + 1);
  });

  it('shares one call to AXI among concurrent first requests with the same key', async () => {
    const { apiKey } = await signUpOnAxi(axiUrl, { scopes: ['events:read'] });
    const resolver = newResolver({ url });
    const before = await introspections();
    const actors = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve(apiKey!.key)));
    expect(new Set(actors.map((a) => a?.id)).size).toBe(1);
    expect(await introspections()).toBe(before + 1);
  });

  it('keeps a revoked key working until its answer expires (30 s), then refuses it', async () => {
    const { accessToken, apiKey } = await signUpOnAxi(axiUrl, { scopes: ['audit:write'] });
    const { cache, advance } = clockedCache();
    const resolver = newResolver({ url, cache });
    expect(await resolver.resolve(apiKey!.key)).toBeDefined();

    await revokeApiKeyOnAxi(axiUrl, accessToken, apiKey!.id);
    advance(29_000);
    expect(await resolver.resolve(apiKey!.key)).toBeDefined();
    advance(1_001);
    expect(await resolver.resolve(apiKey!.key)).toBeUndefined();
  });

  it('reuses a refusal for 5 s only, then asks again', async () => {
    const { cache, advance } = clockedCache();
    const resolver = newResolver({ url, cache });
    const unknown = `axi_${randomUUID()}`;
    const before = await introspections();
    expect(await resolver.resolve(unknown)).toBeUndefined();
    expect(await resolver.resolve(unknown)).toBeUndefined();
    expect(await introspections()).toBe(before + 1);
    advance(5_001);
    expect(await resolver.resolve(unknown)).toBeUndefined();
    expect(await introspections()).toBe(before + 2);
  });

  it('refuses a malformed key without asking AXI', async () => {
    const resolver = newResolver({ url });
    const before = await introspections();
    expect(await resolver.resolve('')).toBeUndefined();
    expect(await resolver.resolve(`axi_${'x'.repeat(300)}`)).toBeUndefined();
    expect(await introspections()).toBe(before);
  });

  it('caches under a SHA-256 of the key, never the key itself', async () => {
    const { apiKey } = await signUpOnAxi(axiUrl, { scopes: ['events:read'] });
    const inner = createMemoryCache();
    const written: string[] = [];
    // The real memory cache, recording what it is given.
    const recording: Cache = {
      ...inner,
      set: (key, value, ttlMs) => {
        written.push(key, JSON.stringify(value));
        return inner.set(key, value, ttlMs);
      },
    };
    const resolver = newResolver({ url, cache: recording });
    await resolver.resolve(apiKey!.key);
    await inner.close();
    expect(written[0]).toMatch(/^auth:api-key:[0-9a-f]{64}$/);
    expect(written.join(' ')).not.toContain(apiKey!.key);
  });

  // With a real Redis (TEST_REDIS_URL), as replicas in split mode share it.
  describe.each(process.env.TEST_REDIS_URL ? [process.env.TEST_REDIS_URL] : [])('on Redis', (redisUrl) => {
    it('lets another replica reuse the answer without asking AXI', async () => {
      const { apiKey } = await signUpOnAxi(axiUrl, { scopes: ['events:read'] });
      const keyPrefix = `test:api-keys:${randomUUID()}:`;
      const first = newResolver({ url, cache: createRedisCache({ url: redisUrl, keyPrefix }) });
      const second = newResolver({ url, cache: createRedisCache({ url: redisUrl, keyPrefix }) });
      const before = await introspections();
      const actor = await first.resolve(apiKey!.key);
      expect(await second.resolve(apiKey!.key)).toEqual(actor);
      expect(await introspections()).toBe(before + 1);
    });
  });

  describe('in a process without AXI (runtime wiring)', () => {
    it('accepts keys AXI vouches for, refuses others, and answers 503 for a new key while AXI is down', async () => {
      const [known, fresh] = [
        await signUpOnAxi(axiUrl, { scopes: ['audit:write'] }),
        await signUpOnAxi(axiUrl, { scopes: ['audit:write'] }),
      ];
      // MLOG reaches AXI through a proxy the test can cut.
      const proxy = await startTcpProxy({
        targetHost: '127.0.0.1',
        targetPort: Number(new URL(axiUrl).port),
      });
      const mlog = await startTestRuntime(
        { AUTH_API_KEY_INTROSPECTION_URL: proxy.rewriteUrl(url) },
        { modules: [mlogModule] },
      );
      try {
        const ingest = (key: string) =>
          mlog.apps[0]!.app.inject({
            method: 'POST',
            url: '/api/mlog/events',
            headers: { 'x-api-key': key },
            payload: { timestamp: new Date().toISOString(), service: 'billing', action: 'invoice.sent' },
          });
        const stored = await ingest(known.apiKey!.key);
        expect(stored.statusCode, stored.body).toBe(202);
        const refused = await ingest(`axi_${randomUUID()}`);
        expect(refused.statusCode).toBe(401);
        expect(refused.json()).toMatchObject({ type: '/problems/unauthenticated' });

        await proxy.cut();
        // A key answered before the outage rides on its cached answer; a new one cannot be checked.
        expect((await ingest(known.apiKey!.key)).statusCode).toBe(202);
        const unavailable = await ingest(fresh.apiKey!.key);
        expect(unavailable.statusCode).toBe(503);
        expect(unavailable.json()).toMatchObject({ type: '/problems/service-unavailable' });
        expect(unavailable.body).not.toContain(fresh.apiKey!.key);

        await proxy.restore();
        expect((await ingest(fresh.apiKey!.key)).statusCode).toBe(202);
      } finally {
        await mlog.close();
        await proxy.close();
      }
    });
  });
});

/** A stand-in AXI that answers every request with `handler` and counts them. */
async function fakeAxi(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${introspectRoute}`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const answer = (status: number, body: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('remote API key resolver when AXI cannot answer', () => {
  const servers: Awaited<ReturnType<typeof fakeAxi>>[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  const serve = async (handler: Parameters<typeof fakeAxi>[0]) => {
    const server = await fakeAxi(handler);
    servers.push(server);
    return server;
  };
  const key = () => `axi_${randomUUID()}`;

  it('answers 503 when nothing listens at the URL', async () => {
    const resolver = newResolver({ url: `http://127.0.0.1:${await freePort()}${introspectRoute}` });
    const error = await resolver.resolve(key()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ServiceUnavailable);
    expect((error as ServiceUnavailable).status).toBe(503);
  });

  it('retries a 5xx once, then answers 503 and caches nothing', async () => {
    const axi = await serve(answer(500, { type: '/problems/internal-error' }));
    const resolver = newResolver({ url: axi.url, retries: 1 });
    const k = key();
    await expect(resolver.resolve(k)).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(axi.hits()).toBe(2);
    await expect(resolver.resolve(k)).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(axi.hits()).toBe(4);
  });

  it('gives up on a hung AXI after the timeout', async () => {
    const axi = await serve(() => {}); // never answers
    const resolver = newResolver({ url: axi.url, timeoutMs: 100, retries: 0 });
    const started = performance.now();
    await expect(resolver.resolve(key())).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("treats a 404 that is not AXI's unknown-key answer as a wrong URL (503), not a bad key", async () => {
    const axi = await serve(answer(404, { type: '/problems/not-found' }));
    const resolver = newResolver({ url: axi.url });
    await expect(resolver.resolve(key())).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(axi.hits()).toBe(1); // not retried: it will not change
  });

  it('does not retry when AXI throttles it (429)', async () => {
    const axi = await serve(answer(429, { type: '/problems/rate-limited' }));
    const resolver = newResolver({ url: axi.url, retries: 3 });
    await expect(resolver.resolve(key())).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(axi.hits()).toBe(1);
  });

  it('stops calling a failing AXI once its breaker opens', async () => {
    const axi = await serve(answer(503, { type: '/problems/service-unavailable' }));
    const resolver = newResolver({
      url: axi.url,
      retries: 0,
      breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 2 },
    });
    for (let i = 0; i < 2; i++)
      await expect(resolver.resolve(key())).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(axi.hits()).toBe(2);
    await expect(resolver.resolve(key())).rejects.toBeInstanceOf(ServiceUnavailable);
    expect(axi.hits()).toBe(2);
  });
});

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime } from '../../../../test/support/test-runtime.js';
import { createTestIssuer } from '../../../../test/support/tokens.js';
import type { Runtime } from '../../runtime.js';

const redisUrl = process.env.TEST_REDIS_URL;

const limits = { RATE_LIMIT_PER_IP: '3', RATE_LIMIT_PER_USER: '5', RATE_LIMIT_WINDOW_MS: '60000' };

// Redis only when the test environment provides one; a fresh key prefix so runs never share counters.
const caches: { name: string; kind: string; env: () => Record<string, string> }[] = [
  { name: 'embedded memory cache', kind: 'memory', env: () => ({}) },
  ...(redisUrl
    ? [
        {
          name: 'Redis',
          kind: 'redis',
          env: () => ({ REDIS_URL: redisUrl, CACHE_KEY_PREFIX: `test:${randomUUID()}:` }),
        },
      ]
    : []),
];

let nextHost = 1;
/** A client address no other test in this file uses, so each starts with an empty count. */
const freshIp = () => `10.0.${Math.floor(nextHost / 250)}.${(nextHost++ % 250) + 1}`;

describe.each(caches)('rate limiting per IP and per user ($name)', ({ kind, env }) => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let issuer: Awaited<ReturnType<typeof createTestIssuer>>;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    runtime = await startTestRuntime({ ...limits, ...env() }, { tokenKeys: () => issuer.jwks });
    app = runtime.apps[0]!.app;
    expect(runtime.cache.kind).toBe(kind);
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const visit = (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/api/portfolio/visits',
      remoteAddress,
      headers,
      payload: { path: '/cv' },
    });

  it('answers the fourth anonymous request from one IP with 429 problem+json', async () => {
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await visit(ip)).statusCode);
    expect(statuses).toEqual([202, 202, 202]);

    const limited = await visit(ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    expect((await visit(freshIp())).statusCode).toBe(202);
  });

  it('counts a signed-in user by user, not by IP', async () => {
    const token = await issuer.token({ sub: `user-${randomUUID()}`, roles: ['viewer'] });
    const auth = { authorization: `Bearer ${token}` };
    const [first, second] = [freshIp(), freshIp()];

    // Four from one IP is past the per-IP limit of three, yet passes: the user's limit applies.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await visit(first, auth)).statusCode);
    statuses.push((await visit(second, auth)).statusCode);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);

    // Both IPs drew on one count: the sixth is refused from a third address.
    const limited = await visit(freshIp(), auth);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ type: '/problems/rate-limited' });

    // The user's requests did not use up the IP's own anonymous allowance.
    expect((await visit(first)).statusCode).toBe(202);
  });

  it('never limits /health/live or /metrics', async () => {
    const ip = freshIp();
    for (let i = 0; i < 3; i++) await visit(ip);
    expect((await visit(ip)).statusCode).toBe(429);
    const get = (url: string) => app.inject({ method: 'GET', url, remoteAddress: ip });
    for (let i = 0; i < 5; i++) {
      expect((await get('/health/live')).statusCode).toBe(200);
      expect((await get('/metrics')).statusCode).toBe(200);
    }
  });
});

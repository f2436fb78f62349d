import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime } from '../../../../test/support/test-runtime.js';
import { createTestIssuer, testAudience, testIssuer } from '../../../../test/support/tokens.js';
import type { Runtime } from '../../runtime.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const allowedOrigin = 'https://app.example.com';
const bodyLimitBytes = 1024;

/** The RFC 9457 shape every error of the platform has, and nothing leaked from the server. */
function expectProblem(res: LightMyRequestResponse, status: number, type: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({
    type,
    status,
    title: expect.any(String),
    correlationId: res.headers['x-correlation-id'],
  });
  expect(res.body).not.toMatch(/stack|\n\s+at /);
  return body as { detail?: string; correlationId: string; errors?: { field: string; message: string }[] };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('HTTP platform: problems, correlation, security headers, CORS', () => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let issuer: Awaited<ReturnType<typeof createTestIssuer>>;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    runtime = await startTestRuntime(
      { CORS_ORIGINS: allowedOrigin, BODY_LIMIT_BYTES: String(bodyLimitBytes) },
      { tokenKeys: () => issuer.jwks },
    );
    app = runtime.apps[0]!.app;
  });

  afterAll(async () => {
    await runtime?.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  describe('correlation id', () => {
    it('echoes a well-formed X-Correlation-ID in the header and in a problem body', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/no-such-thing',
        headers: { 'x-correlation-id': 'client-trace.42:abc' },
      });
      expect(res.headers['x-correlation-id']).toBe('client-trace.42:abc');
      expect(expectProblem(res, 404, '/problems/not-found').correlationId).toBe('client-trace.42:abc');
    });

    it.each([
      ['missing', undefined],
      ['too long', 'a'.repeat(300)],
      ['with spaces', 'not a valid id'],
    ])('mints a fresh UUID when the header is %s', async (_case, given) => {
      const res = await app.inject({
        method: 'GET',
        url: '/health/live',
        headers: given === undefined ? {} : { 'x-correlation-id': given },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-correlation-id']).toMatch(uuidPattern);
    });
  });

  describe('problem+json for client errors', () => {
    it('answers a malformed JSON body with 400 malformed-body', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/portfolio/visits',
        headers: { 'content-type': 'application/json' },
        payload: '{"path": "/cv",',
      });
      expectProblem(res, 400, '/problems/malformed-body');
    });

    it('answers a body of an unsupported content type with 415', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/portfolio/visits',
        headers: { 'content-type': 'text/plain' },
        payload: 'path=/cv',
      });
      expectProblem(res, 415, '/problems/unsupported-media-type');
    });

    it('answers a body larger than BODY_LIMIT_BYTES with 413', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/portfolio/visits',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ path: `/${'x'.repeat(bodyLimitBytes)}` }),
      });
      expectProblem(res, 413, '/problems/payload-too-large');
    });

    it('answers an unknown API route with 404', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/portfolio/nothing-here?x=1' });
      const problem = expectProblem(res, 404, '/problems/not-found');
      expect(problem).toMatchObject({ instance: '/api/portfolio/nothing-here' });
    });

    it('names each invalid body field', async () => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/portfolio/visits',
        payload: { path: 'no-slash', referrer: 'not a url' },
      });
      const problem = expectProblem(res, 400, '/problems/validation-error');
      expect(problem.errors?.map((e) => e.field).sort()).toEqual(['body.path', 'body.referrer']);
    });

    it('names an invalid query parameter', async () => {
      const token = await issuer.token({ sub: 'admin-1', roles: ['admin'] });
      const res = await app.inject({
        method: 'GET',
        url: '/api/portfolio/visits/summary?days=0',
        headers: bearer(token),
      });
      const problem = expectProblem(res, 400, '/problems/validation-error');
      expect(problem.errors?.map((e) => e.field)).toEqual(['query.days']);
    });
  });

  describe('authentication and roles', () => {
    it('answers a protected route without a token with 401', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/echo/events' });
      expectProblem(res, 401, '/problems/unauthenticated');
    });

    it('refuses a token signed by another key', async () => {
      const impostor = await createTestIssuer(); // same kid, different key pair
      const token = await impostor.token({ sub: 'admin-1', roles: ['admin'] });
      const res = await app.inject({ method: 'GET', url: '/api/echo/events', headers: bearer(token) });
      expectProblem(res, 401, '/problems/unauthenticated');
    });

    it('refuses a token for another audience', async () => {
      const token = await issuer.token({ sub: 'admin-1', roles: ['admin'] }, { audience: 'some-other-api' });
      const res = await app.inject({ method: 'GET', url: '/api/echo/events', headers: bearer(token) });
      expect(expectProblem(res, 401, '/problems/unauthenticated').detail).toMatch(/aud/);
    });

    it('refuses an expired token', async () => {
      const token = await issuer.token({ sub: 'admin-1', roles: ['admin'] }, { expiresIn: '-1 minute' });
      const res = await app.inject({ method: 'GET', url: '/api/echo/events', headers: bearer(token) });
      expect(expectProblem(res, 401, '/problems/unauthenticated').detail).toMatch(/expired/);
    });

    it('refuses an unsigned alg:none token, even on a public route', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        sub: 'admin-1',
        roles: ['admin'],
        iss: testIssuer,
        aud: testAudience,
        iat: now,
        exp: now + 300,
      };
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
      for (const url of ['/api/echo/events', '/health/live']) {
        const res = await app.inject({ method: 'GET', url, headers: bearer(token) });
        expectProblem(res, 401, '/problems/unauthenticated');
      }
    });

    it('answers a valid token without the needed role with 403', async () => {
      const token = await issuer.token({ sub: 'viewer-1', roles: ['viewer'] });
      const res = await app.inject({ method: 'GET', url: '/api/echo/events', headers: bearer(token) });
      expectProblem(res, 403, '/problems/forbidden');
    });

    it('lets the same request through with the needed role', async () => {
      const token = await issuer.token({ sub: 'analyst-1', roles: ['analyst'] });
      const res = await app.inject({ method: 'GET', url: '/api/echo/events', headers: bearer(token) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toHaveProperty('items');
    });
  });

  it('sets security headers on a normal response', async () => {
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/api/portfolio/visits',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });

    it('allows a listed origin', async () => {
      const res = await preflight(allowedOrigin);
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(allowedOrigin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });

    it('gives an unlisted origin no allow-origin header', async () => {
      const res = await preflight('https://evil.example.com');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime } from '../../../../test/support/test-runtime.js';
import { createTestIssuer } from '../../../../test/support/tokens.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import type { Runtime } from '../../runtime.js';

describe('platform endpoints and the events path', () => {
  let runtime: Runtime;
  let app: FastifyInstance;
  let issuer: Awaited<ReturnType<typeof createTestIssuer>>;
  let adminAuth: { authorization: string };

  beforeAll(async () => {
    issuer = await createTestIssuer();
    runtime = await startTestRuntime({}, { tokenKeys: () => issuer.jwks });
    app = runtime.apps[0]!.app;
    adminAuth = { authorization: `Bearer ${await issuer.token({ sub: 'admin-1', roles: ['admin'] })}` };
  });

  afterAll(async () => {
    await runtime?.close();
  });

  describe('health, docs and metrics', () => {
    it('reports the process live', async () => {
      const res = await app.inject({ method: 'GET', url: '/health/live' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    });

    it('reports ready with the database up', async () => {
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', down: [], checks: { database: { status: 'up' } } });
    });

    it('publishes an OpenAPI 3.1 document with the service routes and their schemas', async () => {
      const res = await app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
      const trackVisit = doc.paths['/api/portfolio/visits']?.post;
      expect(trackVisit.requestBody.content['application/json'].schema.properties).toHaveProperty('path');
      const listEvents = doc.paths['/api/echo/events']?.get;
      expect(listEvents.parameters.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['type', 'limit', 'cursor']),
      );
    });

    it('serves the interactive docs as HTML', async () => {
      const res = await app.inject({ method: 'GET', url: '/docs/' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('swagger');
    });

    it('exposes Prometheus metrics with the platform instruments', async () => {
      await app.inject({ method: 'GET', url: '/health/live' });
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toMatch(
        /^http_request_duration_seconds_count\{[^}]*route="\/health\/live"[^}]*\} \d+/m,
      );
      for (const name of ['query_latency_seconds', 'connection_pool_utilization', 'outbox_lag_seconds']) {
        expect(res.body).toContain(`# HELP ${name} `);
      }
    });
  });

  describe('events path, in process', () => {
    it('stores a tracked visit in the event store with its correlation id, and counts it', async () => {
      const correlationId = `e2e-${randomUUID()}`;
      const path = `/e2e/${randomUUID()}`;
      const tracked = await app.inject({
        method: 'POST',
        url: '/api/portfolio/visits',
        headers: { 'x-correlation-id': correlationId },
        payload: { path, referrer: 'https://search.example.com/?q=cv' },
      });
      expect(tracked.statusCode).toBe(202);
      const { id: visitId } = tracked.json<{ id: string }>();

      type StoredEvent = {
        type: string;
        correlationId: string;
        payload: { visitId: string; referrerHost: string };
      };
      const event = await waitFor(
        async () => {
          const res = await app.inject({
            method: 'GET',
            url: `/api/echo/events?type=visit.tracked&correlationId=${correlationId}`,
            headers: adminAuth,
          });
          return res.json<{ items: StoredEvent[] }>().items[0];
        },
        { timeoutMs: 5_000, what: 'visit.tracked in the event store' },
      );
      expect(event).toMatchObject({
        type: 'visit.tracked',
        correlationId,
        payload: { visitId, path, referrerHost: 'search.example.com' },
      });

      const summary = await app.inject({
        method: 'GET',
        url: '/api/portfolio/visits/summary',
        headers: adminAuth,
      });
      expect(summary.statusCode).toBe(200);
      expect(summary.json().byPath).toContainEqual({ path, visits: 1 });
    });
  });
});

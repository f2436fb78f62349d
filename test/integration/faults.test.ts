import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/server/runtime.js';
import { deleteAmqpTopology } from '../support/amqp.js';
import { createPostgresDatabase } from '../support/databases.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { startTestRuntime } from '../support/test-runtime.js';
import { createTestIssuer } from '../support/tokens.js';
import { waitFor } from '../support/wait-for.js';

const databaseUrl = process.env.TEST_DATABASE_URL;
const amqpUrl = process.env.TEST_AMQP_URL;

function targetOf(url: string) {
  const u = new URL(url);
  return { targetHost: u.hostname, targetPort: Number(u.port) };
}

function postVisit(runtime: Runtime, path = '/cv') {
  return runtime.apps[0]!.app.inject({ method: 'POST', url: '/api/portfolio/visits', payload: { path } });
}

// These faults need the real components: a PGlite database cannot be lost, nor an in-process
// bus go down. They run whenever the URLs are set (always in CI).
const realDatabase = databaseUrl ? [databaseUrl] : [];
const realBroker = amqpUrl ? [amqpUrl] : [];

describe.each(realDatabase)('database lost while running (%s)', (baseUrl) => {
  let proxy: TcpProxy;
  let runtime: Runtime;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const created = await createPostgresDatabase(baseUrl);
    drop = created.drop;
    proxy = await startTcpProxy(targetOf(created.url));
    runtime = await startTestRuntime({
      DATABASE_URL: proxy.rewriteUrl(created.url),
      DB_CONNECTION_TIMEOUT_MS: '2000',
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await proxy?.close();
    await drop?.();
  });

  it('answers 503 naming the database, then recovers without a restart', async () => {
    const app = runtime.apps[0]!.app;
    expect((await app.inject('/health/ready')).statusCode).toBe(200);
    expect((await postVisit(runtime)).statusCode).toBe(202);

    await proxy.cut();
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'down', down: ['database'] });
    const refused = await postVisit(runtime);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json()).toMatchObject({ type: '/problems/service-unavailable', status: 503 });
    expect(refused.body).not.toMatch(/ECONNRE|at \w+ \(/);

    await proxy.restore();
    await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, {
      what: 'ready again',
    });
    expect((await postVisit(runtime)).statusCode).toBe(202);
  });
});

describe.each(realBroker)('RabbitMQ faults (%s)', (brokerUrl) => {
  let proxy: TcpProxy;
  let runtime: Runtime;
  let token: string;
  const exchange = `test.${randomUUID()}`;
  const issuerReady = createTestIssuer();

  beforeAll(async () => {
    const issuer = await issuerReady;
    token = await issuer.token({ sub: 'admin-1', roles: ['admin'] });
    proxy = await startTcpProxy(targetOf(brokerUrl));
    runtime = await startTestRuntime(
      { AMQP_URL: proxy.rewriteUrl(brokerUrl), AMQP_EXCHANGE: exchange },
      { tokenKeys: () => issuer.jwks },
    );
  });
  afterEach(async () => {
    await proxy.restore();
  });
  afterAll(async () => {
    await runtime?.close();
    await proxy?.close();
    await deleteAmqpTopology(brokerUrl, exchange, ['echo.event-store']);
  });

  async function storedEvents(query: string) {
    const res = await runtime.apps[0]!.app.inject({
      url: `/api/echo/events?${query}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { id: string; payload: { visitId: string } }[] };
  }

  it('loses no event while the broker is down: it goes out when the broker is back', async () => {
    await waitFor(async () => (await runtime.apps[0]!.app.inject('/health/ready')).statusCode === 200, {
      what: 'broker reachable',
    });
    await proxy.cut();
    const accepted = await postVisit(runtime, '/while-broker-down');
    expect(accepted.statusCode).toBe(202);
    const visitId = accepted.json().id as string;

    const ready = await runtime.apps[0]!.app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().down).toEqual(['rabbitmq']);
    // The relay keeps trying while the broker is away; the event waits in the outbox.
    const portfolioDb = runtime.databases.get('portfolio')!.db;
    await waitFor(
      async () => {
        const { rows } = await sql<{ attempts: number; status: string }>`
          select attempts, status from portfolio.outbox where payload->>'visitId' = ${visitId}`.execute(
          portfolioDb,
        );
        return rows[0] && rows[0].status === 'pending' && rows[0].attempts >= 1;
      },
      { what: 'a failed publish attempt' },
    );
    expect((await storedEvents('type=visit.tracked')).items.some((e) => e.payload.visitId === visitId)).toBe(
      false,
    );

    await proxy.restore();
    const delivered = await waitFor(
      async () => (await storedEvents('type=visit.tracked')).items.find((e) => e.payload.visitId === visitId),
      { timeoutMs: 20_000, what: 'the event to reach ECHO after the broker came back' },
    );
    expect(delivered).toBeDefined();
    const { rows } = await sql<{ status: string }>`
      select status from portfolio.outbox where payload->>'visitId' = ${visitId}`.execute(portfolioDb);
    expect(rows[0]!.status).toBe('published');
  });

  it('gives a redelivered message no second effect', async () => {
    const accepted = await postVisit(runtime, '/redelivered');
    const visitId = accepted.json().id as string;
    const first = await waitFor(
      async () => (await storedEvents('type=visit.tracked')).items.find((e) => e.payload.visitId === visitId),
      { what: 'first delivery' },
    );
    // Publish the very same message again, as the broker does after a lost ack.
    const portfolioDb = runtime.databases.get('portfolio')!.db;
    const { rows } = await sql<Record<string, unknown>>`
      select event_id, type, version, source_service, occurred_at, correlation_id, idempotency_key, payload
      from portfolio.outbox where event_id = ${first.id}`.execute(portfolioDb);
    const row = rows[0]!;
    const envelope = {
      id: row.eventId,
      type: row.type,
      version: row.version,
      occurredAt: new Date(row.occurredAt as string).toISOString(),
      source: row.sourceService,
      correlationId: row.correlationId,
      idempotencyKey: row.idempotencyKey,
      payload: row.payload,
    };
    const conn = await amqp.connect(brokerUrl);
    const ch = await conn.createConfirmChannel();
    ch.publish(exchange, 'visit.tracked', Buffer.from(JSON.stringify(envelope)), {
      persistent: true,
      messageId: first.id,
    });
    await ch.waitForConfirms();
    await conn.close();

    const echoDb = runtime.databases.get('echo')!.db;
    await waitFor(
      async () => {
        const metrics = await runtime.metrics.registry.getSingleMetricAsString('events_consumed_total');
        return /consumer="echo.event-store",outcome="duplicate"} [1-9]/.test(metrics);
      },
      { what: 'the duplicate to be seen and skipped' },
    );
    const stored = await sql<{ n: number }>`
      select count(*)::int as n from echo.event_store where event_id = ${first.id}`.execute(echoDb);
    expect(stored.rows[0]!.n).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countingAuditObserver, lenientBreaker } from '../../../../test/support/audit.js';
import { signUpOnAxi, testPassword } from '../../../../test/support/axi-accounts.js';
import { testLogger } from '../../../../test/support/logger.js';
import { requestsAnswered } from '../../../../test/support/metrics.js';
import { runtimeTargets } from '../../../../test/support/runtime-targets.js';
import { freePort } from '../../../../test/support/server-process.js';
import { startTestRuntime, testConfig } from '../../../../test/support/test-runtime.js';
import type { Runtime } from '../../runtime.js';
import { axiModule } from '../../services/axi/index.js';
import type { StoredAuditEvent } from '../../services/mlog/audit-event.js';
import type { RequestContext } from '../http/request-context.js';
import { createAuditClient } from './audit-client.js';
import { createHttpAuditSink } from './http-audit-sink.js';

const FAST = { timeoutMs: 2_000, retries: 2, minDelayMs: 1, maxDelayMs: 5 };

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: string[] = [];
  return { log: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }), lines };
}

const clients: ReturnType<typeof createAuditClient>[] = [];
function newClient(
  sink: ReturnType<typeof createHttpAuditSink>,
  options: Partial<Parameters<typeof createAuditClient>[0]> = {},
) {
  const metrics = countingAuditObserver();
  const client = createAuditClient({
    log: testLogger,
    observer: metrics.observer,
    delivery: { ...FAST, breaker: lenientBreaker },
    ...options,
  });
  client.attachSink(sink);
  clients.push(client);
  return { client, ...metrics };
}
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

const ctx = (correlationId: string): RequestContext => ({
  actor: { id: 'user-7', roles: ['analyst'] },
  correlationId,
  log: testLogger,
});

describe.each(runtimeTargets())('HTTP audit sink against a real MLOG on $name', (target) => {
  let mlog: Runtime;
  let mlogUrl: string;
  let apiKey: string;

  beforeAll(async () => {
    // AXI and MLOG in one process: AXI issues the key, MLOG checks it in-process. Small metadata
    // cap, so a test can make MLOG reject single events.
    mlog = await startTestRuntime({ ...(await target.env()), MLOG_METADATA_MAX_BYTES: '200' });
    mlogUrl = mlog.apps[0]!.url;
    apiKey = (await signUpOnAxi(mlogUrl, { scopes: ['audit:write'] })).apiKey!.key;
  });
  afterAll(async () => {
    await mlog?.close();
    await target.cleanup();
  });

  type Row = Pick<
    StoredAuditEvent,
    'action' | 'userId' | 'sessionId' | 'correlationId' | 'schemaVersion' | 'metadata'
  >;
  async function storedRows(service: string) {
    const { rows } = await sql<Row>`
      select action, user_id, session_id, correlation_id, schema_version, metadata
        from mlog.events where service = ${service} order by action`.execute(mlog.databases.get('mlog')!.db);
    return rows;
  }

  const ingestRequests = () => requestsAnswered(mlog, '/api/mlog/events');

  it('stores every event as recorded, with its actor, session and correlation id', async () => {
    const service = `billing-${randomUUID().slice(0, 8)}`;
    const { client, sent } = newClient(createHttpAuditSink({ mlogUrl, apiKey }));
    client.record(ctx('corr-a'), { service, action: 'invoice.sent', metadata: { invoice: 42 } });
    client.record(ctx('corr-b'), { service, action: 'login', sessionId: 's-1' });
    client.record(null, { service, action: 'export', userId: null });
    await client.flush();

    expect(sent()).toBe(3);
    expect(await storedRows(service)).toEqual([
      {
        action: 'export',
        userId: null,
        sessionId: null,
        correlationId: null,
        schemaVersion: 2,
        metadata: {},
      },
      {
        action: 'invoice.sent',
        userId: 'user-7',
        sessionId: null,
        correlationId: 'corr-a',
        schemaVersion: 2,
        metadata: { invoice: 42 },
      },
      {
        action: 'login',
        userId: 'user-7',
        sessionId: 's-1',
        correlationId: 'corr-b',
        schemaVersion: 2,
        metadata: {},
      },
    ]);
  });

  it("splits a batch into requests within MLOG's limits: 1,000 events and the body size", async () => {
    const service = `bulk-${randomUUID().slice(0, 8)}`;
    const byCount = newClient(createHttpAuditSink({ mlogUrl, apiKey }), { batchSize: 1_500 });
    let before = await ingestRequests();
    for (let i = 0; i < 1_500; i++) byCount.client.record(null, { service, action: 'tick' });
    await byCount.client.flush();
    expect(byCount.sent()).toBe(1_500);
    expect(await ingestRequests()).toBe(before + 2);

    const bySize = newClient(createHttpAuditSink({ mlogUrl, apiKey, maxBodyBytes: 2_000 }));
    before = await ingestRequests();
    for (let i = 0; i < 40; i++) bySize.client.record(null, { service, action: 'tock', metadata: { i } });
    await bySize.client.flush();
    expect(bySize.sent()).toBe(40);
    expect(await ingestRequests()).toBeGreaterThan(before + 1);
    expect((await storedRows(service)).length).toBe(1_540);
  });

  it('counts events MLOG refuses one by one as dropped (rejected), stores the rest, and logs once', async () => {
    const service = `mixed-${randomUUID().slice(0, 8)}`;
    const { log, lines } = capturingLogger();
    const { client, sent, dropped } = newClient(createHttpAuditSink({ mlogUrl, apiKey }), { log });
    const tooBig = { blob: 'x'.repeat(300) }; // over the 200-byte cap of this MLOG
    client.record(null, { service, action: 'ok.one' });
    client.record(null, { service, action: 'too.big', metadata: tooBig });
    client.record(null, { service, action: 'ok.two' });
    await client.flush();
    client.record(null, { service, action: 'too.big', metadata: tooBig });
    await client.flush();

    expect(sent()).toBe(2);
    expect(dropped).toEqual({ rejected: 2 });
    expect((await storedRows(service)).map((r) => r.action)).toEqual(['ok.one', 'ok.two']);
    const warnings = lines.filter((l) => l.includes('MLOG rejected audit events'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      rejected: 1,
      errors: [{ index: 1, field: 'metadata' }],
    });
    expect(lines.join('\n')).not.toContain(apiKey);
  });

  it('drops a batch as send_failed without retrying when MLOG refuses the key', async () => {
    const { log, lines } = capturingLogger();
    const { client, sent, dropped } = newClient(
      createHttpAuditSink({ mlogUrl, apiKey: `axi_${randomUUID()}` }),
      { log },
    );
    const before = await ingestRequests();
    client.record(null, { service: 'billing', action: 'invoice.sent' });
    await client.flush();
    expect(sent()).toBe(0);
    expect(dropped).toEqual({ send_failed: 1 });
    expect(await ingestRequests()).toBe(before + 1);
    expect(lines.join('\n')).toMatch(/MLOG refused the audit API key \(401\)/);
  });

  it('is what the runtime uses in a process without MLOG when AUDIT_MLOG_URL and AUDIT_API_KEY are set', async () => {
    const axiOnly = await startTestRuntime(
      { AUDIT_MLOG_URL: mlogUrl, AUDIT_API_KEY: apiKey },
      { modules: [axiModule] },
    );
    try {
      const email = `remote.audit.${randomUUID()}@example.com`;
      const reg = await axiOnly.apps[0]!.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: { email, password: testPassword },
      });
      expect(reg.statusCode, reg.body).toBe(201);
      await axiOnly.audit.flush();
      const { rows } = await sql<{ action: string }>`
        select action from mlog.events where service = 'axi' and user_id = ${reg.json().id}`.execute(
        mlog.databases.get('mlog')!.db,
      );
      expect(rows.map((r) => r.action)).toEqual(['register']);
    } finally {
      await axiOnly.close();
    }
  });
});

describe('HTTP audit sink when MLOG is down', () => {
  it('drops batches as send_failed, then circuit_open, and never holds up record()', async () => {
    const sink = createHttpAuditSink({ mlogUrl: `http://127.0.0.1:${await freePort()}`, apiKey: 'axi_x' });
    const { client, sent, dropped } = newClient(sink, {
      delivery: {
        ...FAST,
        retries: 1,
        breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 2 },
      },
    });
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) client.record(null, { service: 'billing', action: 'invoice.sent' });
    expect(performance.now() - started).toBeLessThan(200);
    await client.flush(); // 500 + 500: the first fails twice (opening the breaker), the second is not tried
    expect(sent()).toBe(0);
    expect(dropped).toEqual({ send_failed: 500, circuit_open: 500 });
    expect(client.circuitState()).toBe('open');
  });
});

describe('audit sink configuration', () => {
  it('refuses one of AUDIT_MLOG_URL and AUDIT_API_KEY without the other, naming the missing one', () => {
    expect(() => testConfig({ AUDIT_MLOG_URL: 'http://mlog:8008' })).toThrow(
      /AUDIT_API_KEY: AUDIT_MLOG_URL is set/,
    );
    expect(() => testConfig({ AUDIT_API_KEY: 'axi_x' })).toThrow(/AUDIT_MLOG_URL: AUDIT_API_KEY is set/);
    expect(() => testConfig({ AUDIT_MLOG_URL: 'ftp://mlog', AUDIT_API_KEY: 'axi_x' })).toThrow(
      /AUDIT_MLOG_URL: expected the http\(s\) URL of MLOG/,
    );
    expect(testConfig({ AUDIT_MLOG_URL: 'http://mlog:8008', AUDIT_API_KEY: 'axi_x' }).audit).toEqual({
      mlogUrl: 'http://mlog:8008',
      apiKey: 'axi_x',
    });
  });
});

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, createTestDataset } from '../../../../../test/support/axi-datasets.js';
import { testLogger } from '../../../../../test/support/logger.js';
import { runtimeTargets } from '../../../../../test/support/runtime-targets.js';
import { startTestRuntime } from '../../../../../test/support/test-runtime.js';
import { createTestIssuer } from '../../../../../test/support/tokens.js';
import { Nl2SqlResponse } from '../../../../contracts/aide/nl2sql.js';
import type { Db } from '../../../platform/db/database.js';
import { createOutbox } from '../../../platform/events/outbox.js';
import type { Runtime } from '../../../runtime.js';
import {
  everyCallReachesTheModel,
  type FakeLlmServer,
  llmAnswer,
  llmEnv,
  startFakeLlmServer,
} from '../providers/fake-llm-server.js';
import { createSqlProviders } from '../providers/index.js';
import type { ResilienceOptions } from '../providers/resilient-provider.js';
import { createNl2SqlService } from './nl2sql.service.js';

const regions = ['Germany', 'France', 'Spain', 'Italy'];
/** 40 orders from a fixed rule, so the test computes every answer itself. */
const orders = Array.from({ length: 40 }, (_, i) => ({
  region: regions[(i * 3) % 4]!,
  revenue: 100 + ((i * 37) % 250),
}));
const revenueByRegion = new Map<string, number>();
for (const o of orders) revenueByRegion.set(o.region, (revenueByRegion.get(o.region) ?? 0) + o.revenue);

/** Everything the SDK sent as prompt text, whatever the wire format nests it in. */
const sentText = (body: Record<string, unknown>) => JSON.stringify([body.system, body.messages]);

describe.each(runtimeTargets())('AIDE nl2sql with an LLM provider on $name', (target) => {
  let llm: FakeLlmServer;
  let runtime: Runtime;
  let app: FastifyInstance;
  let db: Db;
  let datasetId: string;
  let table: string;
  let alice: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    llm = await startFakeLlmServer();
    const issuer = await createTestIssuer();
    runtime = await startTestRuntime(
      {
        ...(await target.env()),
        ...llmEnv(llm),
        ...everyCallReachesTheModel,
      },
      { tokenKeys: () => issuer.jwks },
    );
    app = runtime.apps[0]!.app;
    db = runtime.databases.get('aide')!.db;
    alice = randomUUID();
    auth = { authorization: `Bearer ${await issuer.token({ sub: alice, roles: ['analyst'] })}` };
    const dataset = await createTestDataset(db, {
      ownerId: alice,
      name: 'orders',
      columns: [
        { name: 'region', originalName: 'Region', type: 'text' },
        { name: 'revenue', originalName: 'Revenue', type: 'double' },
      ],
      rows: orders.map((o) => [o.region, o.revenue]),
    });
    datasetId = dataset.id;
    table = `"axi_data"."${dataset.tableName}"`;
  });

  afterAll(async () => {
    await runtime?.close();
    await llm?.close();
    await target.cleanup();
  });

  afterEach(() => {
    llm.requests.length = 0;
  });

  const sumByRegion = () =>
    `SELECT "region", sum("revenue") AS total FROM ${table} GROUP BY "region" ORDER BY "region"`;
  const ask = (question: string) =>
    app.inject({ method: 'POST', url: '/api/aide/nl2sql', headers: auth, payload: { datasetId, question } });
  const storedRows = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.raw(table)}`.execute(db)).rows[0]!.n);
  const expectTotalsByRegion = (rows: Record<string, unknown>[]) => {
    expect(rows).toHaveLength(revenueByRegion.size);
    for (const row of rows) expect(Number(row.total)).toBe(revenueByRegion.get(String(row.region)));
  };

  it('runs the SQL the model wrote, end to end, and says who wrote it and what it cost', async () => {
    llm.reply({
      answer: llmAnswer(sumByRegion(), { type: 'bar', x: 'region', y: 'total' }),
      usage: { input: 400, output: 50 },
    });
    const res = await ask('total revenue per region');
    expect(res.statusCode, res.body).toBe(200);
    const body = Nl2SqlResponse.parse(res.json());
    if (!body.understood) throw new Error(body.reason);
    expectTotalsByRegion(body.rows);
    expect(body).toMatchObject({
      provider: 'openai',
      model: 'gpt-test',
      promptVersion: 'nl2sql.v1',
      chart: { type: 'bar', x: 'region', y: 'total' },
      usage: { inputTokens: 400, outputTokens: 50 },
    });
    expect(body.fallback).toBeUndefined();

    // What went over the wire: the model, the key, the dataset's columns and the question.
    expect(llm.requests).toHaveLength(1);
    const request = llm.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test-secret');
    expect(request.body.model).toBe('gpt-test');
    const text = sentText(request.body);
    for (const expected of ['total revenue per region', '\\"region\\"', '\\"revenue\\"', 'Germany'])
      expect(text).toContain(expected);

    const stored = await db
      .selectFrom('aide.questions')
      .select(['provider', 'model', 'promptVersion', 'inputTokens', 'outputTokens'])
      .where('datasetId', '=', datasetId)
      .where('question', '=', 'total revenue per region')
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      provider: 'openai',
      model: 'gpt-test',
      promptVersion: 'nl2sql.v1',
      inputTokens: 400,
      outputTokens: 50,
    });
  });

  it('asks the model once more when the sandbox refuses its SQL, and runs the repaired query', async () => {
    llm.reply(
      {
        answer: llmAnswer(
          `SELECT "region", sum("revenue") FROM ${table} JOIN pg_catalog.pg_tables ON true GROUP BY 1`,
        ),
        usage: { input: 100, output: 10 },
      },
      { answer: llmAnswer(sumByRegion()), usage: { input: 150, output: 20 } },
    );
    const res = await ask('revenue by region');
    expect(res.statusCode, res.body).toBe(200);
    const body = Nl2SqlResponse.parse(res.json());
    if (!body.understood) throw new Error(body.reason);
    expectTotalsByRegion(body.rows);
    expect(body.provider).toBe('openai');
    expect(body.usage).toEqual({ inputTokens: 250, outputTokens: 30 });
    expect(llm.requests).toHaveLength(2);
    const repair = sentText(llm.requests[1]!.body);
    expect(repair).toContain('pg_catalog.pg_tables');
    expect(repair).toContain('Your previous answer was refused');
  });

  it('asks for one repair when the database rejects the query, and runs the repaired query', async () => {
    llm.reply(
      { answer: llmAnswer(`SELECT "region", sum("revenue") / 0 AS total FROM ${table} GROUP BY "region"`) },
      {
        answer: llmAnswer(sumByRegion()),
      },
    );
    const res = await ask('revenue for each region');
    expect(res.statusCode, res.body).toBe(200);
    const body = Nl2SqlResponse.parse(res.json());
    if (!body.understood) throw new Error(body.reason);
    expectTotalsByRegion(body.rows);
    expect(sentText(llm.requests[1]!.body)).toMatch(/division by zero/i);
  });

  it.each([
    ['a system catalog', 'select * from pg_shadow'],
    ['a second statement', () => `SELECT count(*) FROM ${table}; DROP TABLE ${table}`],
    ['a write', () => `DELETE FROM ${table}`],
    ['a sleep', () => `SELECT pg_sleep(10) FROM ${table}`],
    ['information_schema', 'SELECT table_name FROM information_schema.tables'],
  ])(
    'refuses hostile SQL from the model (%s), even after the repair, and never runs it',
    async (_, hostile) => {
      const statement = typeof hostile === 'string' ? hostile : hostile();
      llm.reply({ answer: llmAnswer(statement) });
      const res = await ask('show me everything');
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().type).toBe('/problems/sql-refused');
      expect(llm.requests).toHaveLength(2);
      expect(await storedRows()).toBe(orders.length);
    },
  );

  it('falls back to the built-in engine when the provider keeps answering 500, and says so', async () => {
    llm.reply({ status: 500, error: 'upstream exploded' });
    const res = await ask('how many orders from Germany');
    expect(res.statusCode, res.body).toBe(200);
    const body = Nl2SqlResponse.parse(res.json());
    if (!body.understood) throw new Error(body.reason);
    expect(Number(Object.values(body.rows[0]!)[0])).toBe(orders.filter((o) => o.region === 'Germany').length);
    expect(body).toMatchObject({
      provider: 'builtin',
      model: null,
      promptVersion: 'builtin-2',
      fallback: { from: 'openai', reason: 'unavailable' },
    });
    expect(llm.requests).toHaveLength(3); // the first attempt and two retries
  });

  describe('failure modes, each with its own provider (breaker state is per provider)', () => {
    const fast: ResilienceOptions = {
      timeoutMs: 300,
      retries: 1,
      minDelayMs: 5,
      maxDelayMs: 10,
      breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 4 },
    };
    const serviceWith = (provider: 'openai' | 'anthropic' | 'openai-compatible' = 'openai') => {
      const providers = createSqlProviders(
        {
          provider,
          model: 'test-model',
          baseUrl: llm.baseUrl,
          apiKey: 'sk-test-secret',
          timeoutMs: 300,
          rate: { perMinute: 60, burst: 10 },
          price: undefined,
        },
        fast,
      );
      const service = createNl2SqlService({
        db,
        outbox: createOutbox('aide'),
        clock: () => new Date(),
        log: testLogger,
        providers,
      });
      return { service, providers };
    };
    const askService = (service: ReturnType<typeof serviceWith>['service'], question: string) =>
      service.ask(contextOf({ id: alice, roles: ['analyst'] }), { datasetId, question });

    it.each(['anthropic', 'openai-compatible'] as const)(
      'answers through %s end to end',
      async (provider) => {
        const { service, providers } = serviceWith(provider);
        llm.reply({ answer: llmAnswer(sumByRegion()) });
        const body = await askService(service, 'total revenue per region');
        if (!body.understood) throw new Error(body.reason);
        expectTotalsByRegion(body.rows);
        expect(body).toMatchObject({ provider, model: 'test-model' });
        providers.shutdown();
      },
    );

    it('a hanging provider times out and the built-in engine answers', async () => {
      const { service, providers } = serviceWith();
      llm.reply('hang');
      const started = Date.now();
      const body = await askService(service, 'how many orders from France');
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(body).toMatchObject({
        understood: true,
        provider: 'builtin',
        fallback: { from: 'openai', reason: 'timeout' },
      });
      providers.shutdown();
    });

    it('malformed structured output falls back without a retry', async () => {
      const { service, providers } = serviceWith();
      llm.reply({ rawText: '{"understood": true, "sql": ' });
      const body = await askService(service, 'how many orders from Spain');
      expect(body).toMatchObject({
        understood: true,
        provider: 'builtin',
        fallback: { from: 'openai', reason: 'invalid_answer' },
      });
      expect(llm.requests).toHaveLength(1);
      providers.shutdown();
    });

    it('after repeated failures the breaker opens: immediate fallback, the server is not called', async () => {
      const { service, providers } = serviceWith();
      llm.reply({ status: 503, error: 'overloaded' });
      await askService(service, 'how many orders');
      await askService(service, 'how many orders');
      const calls = llm.requests.length;
      const body = await askService(service, 'how many orders from Italy');
      expect(body).toMatchObject({
        provider: 'builtin',
        fallback: { from: 'openai', reason: 'circuit_open' },
      });
      expect(llm.requests).toHaveLength(calls);
      providers.shutdown();
    });
  });
});

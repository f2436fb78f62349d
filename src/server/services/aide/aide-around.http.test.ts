import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AideTestApp, expectProblem, startAideTestApp } from '../../../../test/support/aide-app.js';
import { metricValue } from '../../../../test/support/metrics.js';
import { runtimeTargets } from '../../../../test/support/runtime-targets.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { InsightsResponse } from '../../../contracts/aide/insights.js';
import { Nl2SqlResponse } from '../../../contracts/aide/nl2sql.js';
import { UsageResponse } from '../../../contracts/aide/usage.js';
import { type FakeLlmServer, llmAnswer, llmEnv, startFakeLlmServer } from './providers/fake-llm-server.js';

/**
 * What surrounds every AIDE answer: the answer cache (same dataset version, normalised question
 * and provider), the token buckets per user and per provider, and the usage ledger with its
 * Prometheus counters. On PGlite with the in-process cache, and on PostgreSQL with Redis when
 * TEST_DATABASE_URL and TEST_REDIS_URL are set.
 */

const regions = ['North', 'South', 'East'];
const csv = [
  'Region,Amount',
  ...Array.from({ length: 30 }, (_, i) => `${regions[i % 3]},${10 + ((i * 13) % 40)}`),
].join('\n');

/** Spend follows visits closely (r near 1): a dataset with at least one insight. */
const visitsCsv = [
  'Visits,Spend',
  ...Array.from({ length: 40 }, (_, i) => `${100 + i * 5},${200 + i * 10 + ((i * 7) % 5)}`),
].join('\n');

/** The real Redis joins the PostgreSQL target, under a prefix of its own. */
async function envOf(target: ReturnType<typeof runtimeTargets>[number], extra: Record<string, string> = {}) {
  const redis = target.name === 'postgres' ? process.env.TEST_REDIS_URL : undefined;
  return {
    ...(await target.env()),
    ...(redis ? { REDIS_URL: redis, CACHE_KEY_PREFIX: `test:aide:${randomUUID()}:` } : {}),
    ...extra,
  };
}

describe.each(runtimeTargets())('AIDE cache, rate limits and usage on $name', (target) => {
  describe('the answer cache and the usage ledger (built-in engine)', () => {
    let t: AideTestApp;
    let app: FastifyInstance;
    let datasetId: string;
    let otherDatasetId: string;

    beforeAll(async () => {
      t = await startAideTestApp(await envOf(target));
      app = t.app;
      datasetId = await t.upload('sales', csv);
      otherDatasetId = await t.upload('sales copy', csv);
      // Cache keys hold the dataset's version, which changes once when the profile lands.
      await t.profiled(datasetId);
      await t.profiled(otherDatasetId);
    });
    afterAll(async () => {
      await t?.runtime.close();
      await target.cleanup();
    });

    const ask = (
      question: string,
      extra: { context?: string[]; dataset?: string; who?: 'alice' | 'admin' } = {},
    ) =>
      app.inject({
        method: 'POST',
        url: '/api/aide/nl2sql',
        headers: t.headers[extra.who ?? 'alice'],
        payload: {
          datasetId: extra.dataset ?? datasetId,
          question,
          ...(extra.context ? { context: extra.context } : {}),
        },
      });
    const usage = async (who: keyof AideTestApp['headers'], query = '') => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/aide/usage${query}`,
        headers: t.headers[who],
      });
      expect(res.statusCode, res.body).toBe(200);
      return UsageResponse.parse(res.json());
    };
    const cached = (name: string, outcome: string) =>
      metricValue(t.runtime, name, { feature: 'nl2sql', provider: 'builtin', outcome });

    it('answers the same question again from the cache, whatever its case and spacing, and records it', async () => {
      const first = Nl2SqlResponse.parse((await ask('total amount by region')).json());
      const again = await ask('  Total   AMOUNT by region? ');
      expect(again.statusCode, again.body).toBe(200);
      const second = Nl2SqlResponse.parse(again.json());
      if (!first.understood || !second.understood) throw new Error('not understood');
      expect(first.cached).toBe(false);
      expect(second.cached).toBe(true);
      expect(second.sql).toBe(first.sql);
      expect(second.rows).toEqual(first.rows);
      expect(second.timings.executeMs).toBe(0);

      // Still a question asked: it is in the history.
      const history = await app.inject({
        method: 'GET',
        url: `/api/aide/history?datasetId=${datasetId}`,
        headers: t.headers.alice,
      });
      const questions = history.json().items.map((i: { question: string }) => i.question);
      expect(questions.slice(0, 2)).toEqual(['Total AMOUNT by region?', 'total amount by region']);
      expect(await cached('aide_requests_total', 'cached')).toBeGreaterThanOrEqual(1);
      expect(
        await metricValue(t.runtime, 'aide_cache_lookups_total', { kind: 'nl2sql', result: 'hit' }),
      ).toBe(1);
    });

    it('does not answer from the cache for another dataset, another question or another conversation', async () => {
      for (const [question, extra] of [
        ['how many rows', {}],
        ['total amount by region', { dataset: otherDatasetId }],
        ['total amount by region', { context: ['how many rows'] }],
      ] as [string, { dataset?: string; context?: string[] }][]) {
        const res = await ask(question, extra);
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json().cached, `${question} ${JSON.stringify(extra)}`).toBe(false);
      }
      // Quoted text is kept as typed: "North" and "north" are two questions.
      expect((await ask('how many rows where region is "North"')).json().cached).toBe(false);
      expect((await ask('how many rows where region is "north"')).json().cached).toBe(false);
      expect((await ask('HOW MANY ROWS where region is "North"')).json().cached).toBe(true);
    });

    it('answers insights again from the cache, with the time they were computed', async () => {
      const visits = await t.upload('visits', visitsCsv);
      await t.profiled(visits);
      const generate = async () => {
        const res = await app.inject({
          method: 'POST',
          url: `/api/aide/insights/${visits}`,
          headers: t.headers.alice,
        });
        expect(res.statusCode, res.body).toBe(200);
        return InsightsResponse.parse(res.json());
      };
      const first = await generate();
      expect(first.insights.map((i) => i.kind)).toContain('correlation');
      const second = await generate();
      expect(first.cached).toBe(false);
      expect(second.cached).toBe(true);
      expect(second.insights).toEqual(first.insights);
      expect(second.generatedAt).toBe(first.generatedAt);
      expect(
        await metricValue(t.runtime, 'aide_cache_lookups_total', { kind: 'insights', result: 'hit' }),
      ).toBe(1);
    });

    it('keeps a usage ledger: the caller sees their own, an admin everyone, one user or another', async () => {
      const mine = await usage('alice');
      expect(mine.rows.every((r) => r.userId === t.aliceId)).toBe(true);
      const nl2sql = mine.rows.find((r) => r.feature === 'nl2sql')!;
      expect(nl2sql).toMatchObject({
        provider: 'builtin',
        model: null,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
      });
      expect(nl2sql.cachedRequests).toBe(2);
      expect(nl2sql.requests).toBeGreaterThanOrEqual(8);
      expect(mine.rows.find((r) => r.feature === 'insights')).toMatchObject({
        provider: 'builtin',
        requests: 2,
        cachedRequests: 1,
        costUsd: 0,
      });
      expect(mine.totals.requests).toBe(mine.rows.reduce((n, r) => n + r.requests, 0));

      // Bob has asked nothing; an admin sees alice's rows, with or without naming her.
      expect((await usage('bob')).rows).toEqual([]);
      await ask('how many rows', { who: 'admin' }).then((r) => expect(r.statusCode).toBe(200));
      const everyone = await usage('admin');
      expect(everyone.rows.map((r) => r.userId)).toEqual(expect.arrayContaining([t.aliceId]));
      expect(everyone.rows.length).toBeGreaterThan(mine.rows.length - 1);
      const hers = await usage('admin', `?userId=${t.aliceId}`);
      expect(hers.rows).toEqual(mine.rows);

      // A window that ended before anything was asked is empty.
      const past = await usage('alice', '?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z');
      expect(past.rows).toEqual([]);
    });

    it("refuses another user's usage to a non-admin, and a window that is not one", async () => {
      const other = await app.inject({
        method: 'GET',
        url: '/api/aide/usage?userId=someone-else',
        headers: t.headers.bob,
      });
      expectProblem(other, 403, '/problems/forbidden');
      const backwards = await app.inject({
        method: 'GET',
        url: '/api/aide/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
        headers: t.headers.alice,
      });
      const body = expectProblem(backwards, 400, '/problems/validation-error');
      expect(body.errors).toEqual([{ field: 'query.to', message: 'must be after from' }]);
      const viewer = await app.inject({
        method: 'GET',
        url: '/api/aide/usage',
        headers: t.headers.aliceViewer,
      });
      expectProblem(viewer, 403, '/problems/forbidden');
    });

    it('documents every AIDE endpoint in the OpenAPI document', async () => {
      const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      expect(
        Object.keys(doc.paths)
          .filter((p) => p.startsWith('/api/aide/'))
          .sort(),
      ).toEqual([
        '/api/aide/analyze-dataset',
        '/api/aide/history',
        '/api/aide/insights/{dataset_id}',
        '/api/aide/nl2sql',
        '/api/aide/usage',
      ]);
      expect(doc.paths['/api/aide/usage'].get.responses['200']).toBeDefined();
    });

    it('drops everything cached about a dataset when it is deleted, and nothing of the others', async () => {
      const del = await app.inject({
        method: 'DELETE',
        url: `/api/v1/datasets/${datasetId}`,
        headers: t.headers.alice,
      });
      expect(del.statusCode, del.body).toBe(204);
      const history = () =>
        t.db.selectFrom('aide.questions').select('id').where('datasetId', '=', datasetId).execute();
      await waitFor(async () => (await history()).length === 0, { what: 'the dataset cleanup to run' });
      // The key layout is checked on the dataset that stays: its entry is there to be found.
      expect(await t.runtime.cache.deleteByPrefix(`aide:answers:${datasetId}:`)).toBe(0);
      expect(await t.runtime.cache.deleteByPrefix(`aide:answers:${otherDatasetId}:`)).toBeGreaterThan(0);
      // The ledger outlives the dataset: it is what was spent.
      expect((await usage('alice')).totals.requests).toBeGreaterThan(0);
    });
  });

  describe('the per-user token bucket', () => {
    let t: AideTestApp;
    let datasetId: string;

    beforeAll(async () => {
      t = await startAideTestApp(await envOf(target, { AIDE_RATE_BURST: '3', AIDE_RATE_PER_MINUTE: '1' }));
      datasetId = await t.upload('sales', csv);
    });
    afterAll(async () => {
      await t?.runtime.close();
      await target.cleanup();
    });

    it('lets a burst through, then answers 429 with retry-after; other users are not affected', async () => {
      const ask = (who: 'alice' | 'bob', url = '/api/aide/nl2sql') =>
        t.app.inject({
          method: 'POST',
          url,
          headers: t.headers[who],
          payload: { datasetId, question: 'how many rows' },
        });
      // Insights count against the same bucket as questions.
      const insights = await t.app.inject({
        method: 'POST',
        url: `/api/aide/insights/${datasetId}`,
        headers: t.headers.alice,
      });
      expect(insights.statusCode, insights.body).toBe(200);
      expect((await ask('alice')).statusCode).toBe(200);
      expect((await ask('alice')).statusCode).toBe(200);
      const refused = await ask('alice');
      const problem = expectProblem(refused, 429, '/problems/rate-limited');
      expect(problem.detail).toMatch(/at most 1 a minute/);
      // One token a minute: about 60 s until the next.
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(await metricValue(t.runtime, 'aide_rate_limited_total', { scope: 'user' })).toBe(1);
      // Bob's bucket is his own (he gets a 404: the dataset is alice's, but he was let in).
      expect((await ask('bob')).statusCode).toBe(404);
    });
  });

  describe('an LLM provider: its token bucket, its tokens and their cost', () => {
    let llm: FakeLlmServer;
    let t: AideTestApp;
    let datasetId: string;
    let table: string;

    beforeAll(async () => {
      llm = await startFakeLlmServer();
      t = await startAideTestApp(
        await envOf(target, {
          ...llmEnv(llm),
          LLM_RATE_BURST: '1',
          LLM_RATE_PER_MINUTE: '1',
          LLM_PRICE_INPUT_PER_MTOK: '2.5',
          LLM_PRICE_OUTPUT_PER_MTOK: '10',
        }),
      );
      datasetId = await t.upload('sales', csv);
      await t.profiled(datasetId);
      const row = await t.db
        .selectFrom('axi.datasets')
        .select('tableName')
        .where('id', '=', datasetId)
        .executeTakeFirstOrThrow();
      table = `"axi_data"."${row.tableName}"`;
    });
    afterAll(async () => {
      await t?.runtime.close();
      await llm?.close();
      await target.cleanup();
    });

    const ask = async (question: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/aide/nl2sql',
        headers: t.headers.alice,
        payload: { datasetId, question },
      });
      expect(res.statusCode, res.body).toBe(200);
      return Nl2SqlResponse.parse(res.json());
    };

    it('answers with the built-in engine once the provider bucket is empty, and counts tokens and cost', async () => {
      llm.reply({
        answer: llmAnswer(`SELECT count(*) AS n FROM ${table}`, { type: 'number', y: 'n' }),
        usage: { input: 400, output: 50 },
      });
      const first = await ask('how many rows');
      expect(first).toMatchObject({
        provider: 'openai',
        cached: false,
        usage: { inputTokens: 400, outputTokens: 50 },
      });
      expect(llm.requests).toHaveLength(1);

      // The one call a minute is spent: the engine answers, says why, and the model is not asked.
      const second = await ask('total amount by region');
      expect(second).toMatchObject({
        provider: 'builtin',
        cached: false,
        fallback: { from: 'openai', reason: 'rate_limited' },
      });
      expect(llm.requests).toHaveLength(1);
      // A stand-in answer is not cached: asked again, the engine answers again (the bucket is still empty).
      expect(await ask('total amount by region')).toMatchObject({
        cached: false,
        fallback: { reason: 'rate_limited' },
      });
      // The model's own answer is cached: no call, no token taken, no tokens spent.
      const again = await ask('How many rows?');
      expect(again).toMatchObject({ provider: 'openai', cached: true });
      expect(again.usage).toBeUndefined();
      expect(llm.requests).toHaveLength(1);

      const res = await t.app.inject({ method: 'GET', url: '/api/aide/usage', headers: t.headers.alice });
      const ledger = UsageResponse.parse(res.json());
      // (400 x 2.5 + 50 x 10) / 1,000,000 USD
      expect(ledger.rows).toEqual([
        {
          userId: t.aliceId,
          provider: 'openai',
          model: 'gpt-test',
          feature: 'nl2sql',
          requests: 4,
          cachedRequests: 1,
          fallbackRequests: 2,
          inputTokens: 400,
          outputTokens: 50,
          costUsd: 0.0015,
          unpricedRequests: 0,
        },
      ]);
      const labels = { provider: 'openai', model: 'gpt-test' };
      expect(await metricValue(t.runtime, 'aide_llm_tokens_total', { ...labels, direction: 'input' })).toBe(
        400,
      );
      expect(await metricValue(t.runtime, 'aide_llm_tokens_total', { ...labels, direction: 'output' })).toBe(
        50,
      );
      expect(await metricValue(t.runtime, 'aide_llm_cost_usd_total', labels)).toBeCloseTo(0.0015, 10);
      expect(
        await metricValue(t.runtime, 'aide_llm_fallbacks_total', {
          provider: 'openai',
          reason: 'rate_limited',
        }),
      ).toBe(2);
      expect(await metricValue(t.runtime, 'aide_rate_limited_total', { scope: 'provider' })).toBe(2);
      const scraped = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toContain(
        'aide_llm_tokens_total{provider="openai",model="gpt-test",direction="input"} 400',
      );
    });

    it('keeps the template texts of insights while the provider bucket is empty, and does not cache them', async () => {
      const visits = await t.upload('visits', visitsCsv);
      for (let i = 0; i < 2; i++) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/aide/insights/${visits}`,
          headers: t.headers.alice,
        });
        expect(res.statusCode, res.body).toBe(200);
        const body = InsightsResponse.parse(res.json());
        expect(body).toMatchObject({
          provider: 'builtin',
          cached: false,
          fallback: { from: 'openai', reason: 'rate_limited' },
        });
        expect(body.insights.length).toBeGreaterThan(0);
        expect(body.insights.every((insight) => !insight.rephrased)).toBe(true);
      }
      // The model was asked once in this file, for the first question.
      expect(llm.requests).toHaveLength(1);
      const res = await t.app.inject({ method: 'GET', url: '/api/aide/usage', headers: t.headers.alice });
      const row = UsageResponse.parse(res.json()).rows.find((r) => r.feature === 'insights');
      expect(row).toMatchObject({
        provider: 'openai',
        model: 'gpt-test',
        requests: 2,
        fallbackRequests: 2,
        inputTokens: 0,
        costUsd: 0,
      });
    });
  });
});

describe('AIDE with its Redis unreachable', () => {
  let t: AideTestApp;
  beforeAll(async () => {
    // Port 1 refuses connections: every cache command fails at once.
    t = await startAideTestApp({ REDIS_URL: 'redis://127.0.0.1:1', AIDE_RATE_BURST: '1' });
  });
  afterAll(async () => {
    await t?.runtime.close();
  });

  it('still answers every question, uncached and unthrottled, rather than failing', async () => {
    const datasetId = await t.upload('sales', csv);
    // A bucket of one would refuse the second question if it were counted.
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/aide/nl2sql',
        headers: t.headers.alice,
        payload: { datasetId, question: 'how many rows' },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ cached: false, rows: [{ count: '30' }] });
    }
    expect(await metricValue(t.runtime, 'aide_cache_lookups_total', { kind: 'nl2sql', result: 'miss' })).toBe(
      3,
    );
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetDescription } from '../engine/engine.types.js';
import { type FakeLlmServer, llmAnswer, startFakeLlmServer } from './fake-llm-server.js';
import { createLlmProvider, type LlmProviderName } from './llm-provider.js';
import { loadPromptFile } from './prompt-file.js';
import { classifyProviderFailure, withResilience } from './resilient-provider.js';

const dataset: DatasetDescription = {
  table: { schema: 'axi_data', name: 'ds_0123456789abcdef0123456789abcdef' },
  title: 'orders',
  columns: [
    { name: 'region', originalName: 'Region', type: 'text', distinctValues: ['Germany', 'France'] },
    { name: 'revenue', originalName: 'Revenue', type: 'double', min: 100, max: 349 },
    { name: 'order_date', originalName: 'Order Date', type: 'date', min: '2024-01-01', max: '2024-12-27' },
  ],
};
const table = '"axi_data"."ds_0123456789abcdef0123456789abcdef"';
const sumByRegion = `SELECT "region", sum("revenue") AS total FROM ${table} GROUP BY "region"`;
const prompt = loadPromptFile('nl2sql.v1');

let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const providerFor = (provider: LlmProviderName, model = 'test-model') =>
  createLlmProvider({ provider, model, baseUrl: server.baseUrl, apiKey: 'sk-test-secret' }, prompt);

/** All the text the SDK sent, whatever the wire format nests it in. */
const sentText = (body: Record<string, unknown>) => JSON.stringify([body.system, body.messages]);

describe.each([
  {
    provider: 'openai' as const,
    path: '/v1/chat/completions',
    auth: ['authorization', 'Bearer sk-test-secret'],
  },
  { provider: 'anthropic' as const, path: '/v1/messages', auth: ['x-api-key', 'sk-test-secret'] },
  {
    provider: 'openai-compatible' as const,
    path: '/v1/chat/completions',
    auth: ['authorization', 'Bearer sk-test-secret'],
  },
])('$provider provider over its wire format', ({ provider, path, auth }) => {
  it('sends the model, the dataset and the question, and parses the structured answer with its tokens', async () => {
    server.reply({
      answer: llmAnswer(sumByRegion, { type: 'bar', x: 'region', y: 'total' }),
      usage: { input: 321, output: 54 },
    });
    const answer = await providerFor(provider).generateSql({ question: 'total revenue by region', dataset });

    expect(answer).toEqual({
      understood: true,
      sql: sumByRegion,
      chart: { type: 'bar', x: 'region', y: 'total' },
      explanation: 'Read by the test model.',
      usage: { inputTokens: 321, outputTokens: 54 },
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.path).toBe(path);
    expect(request!.headers[auth[0]!]).toBe(auth[1]);
    expect(request!.body.model).toBe('test-model');
    const text = sentText(request!.body);
    for (const expected of ['total revenue by region', '\\"region\\"', 'Order Date', 'Germany', 'one SELECT'])
      expect(text).toContain(expected);
    expect(text).toContain(table.replaceAll('"', '\\"'));
  });

  it('passes on "not understood" with the reason and suggestions', async () => {
    server.reply({
      answer: {
        understood: false,
        sql: null,
        chart: null,
        explanation: null,
        reason: 'There is no customer column.',
        suggestions: ['total revenue by region'],
      },
    });
    const answer = await providerFor(provider).generateSql({ question: 'best customer', dataset });
    expect(answer).toMatchObject({
      understood: false,
      reason: 'There is no customer column.',
      suggestions: ['total revenue by region'],
    });
  });

  it('tells the model its refused SQL and why on a repair', async () => {
    server.reply({ answer: llmAnswer(sumByRegion) });
    await providerFor(provider).generateSql({
      question: 'total revenue by region',
      dataset,
      previousError: { sql: 'SELECT * FROM pg_shadow', message: 'pg_shadow is not the dataset table' },
    });
    const text = sentText(server.requests[0]!.body);
    expect(text).toContain('SELECT * FROM pg_shadow');
    expect(text).toContain('pg_shadow is not the dataset table');
  });

  it('rejects output that does not match the schema as an invalid answer', async () => {
    server.reply({ rawText: provider === 'anthropic' ? 'SELECT 1' : '{"understood": "yes", "sql": 42}' });
    const error = await providerFor(provider)
      .generateSql({ question: 'total revenue by region', dataset })
      .catch((e: unknown) => e);
    expect(classifyProviderFailure(error)).toBe('invalid_answer');
  });
});

describe('resilience around a provider', () => {
  it('retries a 500 and then gives up as unavailable', async () => {
    server.reply({ status: 500, error: 'boom' });
    const provider = withResilience(providerFor('openai'), {
      timeoutMs: 2_000,
      retries: 2,
      minDelayMs: 5,
      maxDelayMs: 10,
    });
    const error = await provider.generateSql({ question: 'q', dataset }).catch((e: unknown) => e);
    expect(classifyProviderFailure(error)).toBe('unavailable');
    expect(server.requests).toHaveLength(3);
    provider.shutdown();
  });

  it('does not retry a malformed answer or a 401', async () => {
    const provider = withResilience(providerFor('openai'), {
      timeoutMs: 2_000,
      retries: 2,
      minDelayMs: 5,
      maxDelayMs: 10,
    });
    server.reply({ rawText: 'not json at all' });
    expect(
      classifyProviderFailure(await provider.generateSql({ question: 'q', dataset }).catch((e) => e)),
    ).toBe('invalid_answer');
    expect(server.requests).toHaveLength(1);
    server.reply({ status: 401, error: 'bad key' });
    expect(
      classifyProviderFailure(await provider.generateSql({ question: 'q', dataset }).catch((e) => e)),
    ).toBe('unavailable');
    expect(server.requests).toHaveLength(2);
    provider.shutdown();
  });

  it('times out a hanging server', async () => {
    server.reply('hang');
    const provider = withResilience(providerFor('anthropic'), { timeoutMs: 150, retries: 0 });
    const started = Date.now();
    const error = await provider.generateSql({ question: 'q', dataset }).catch((e: unknown) => e);
    expect(classifyProviderFailure(error)).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    provider.shutdown();
  });

  it('opens the breaker after repeated failures and then fails fast without calling the server', async () => {
    server.reply({ status: 503, error: 'overloaded' });
    const provider = withResilience(providerFor('openai'), {
      timeoutMs: 2_000,
      retries: 0,
      breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 3 },
    });
    for (let i = 0; i < 3; i++) await provider.generateSql({ question: 'q', dataset }).catch(() => undefined);
    const calls = server.requests.length;
    const error = await provider.generateSql({ question: 'q', dataset }).catch((e: unknown) => e);
    expect(classifyProviderFailure(error)).toBe('circuit_open');
    expect(server.requests).toHaveLength(calls);
    provider.shutdown();
  });
});

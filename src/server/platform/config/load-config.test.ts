import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';

const load = (env: Record<string, string>, extra: Parameters<typeof loadConfig>[0] = {}) =>
  loadConfig({ env, readEnvFiles: false, ...extra });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('runs every service on one port with embedded defaults when nothing is set', () => {
    const config = load({});
    expect(config.mode).toBe('all-in-one');
    expect(config.listeners).toEqual([{ name: 'all', port: 8000, services: config.services }]);
    expect(config.database.urlFor('axi')).toBeUndefined();
    expect(config.redis).toBeUndefined();
    expect(config.amqp).toBeUndefined();
    expect(config.dataDir).toBe('./data');
    expect(Object.isFrozen(config.http.rateLimit)).toBe(true);
  });

  it('names each bad variable and what it expects, all at once', () => {
    const problems = problemsOf(() =>
      load({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', TRUST_PROXY: 'maybe' }),
    );
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('PORT:'))).toMatch(/port number/);
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).toMatch(/postgres:\/\//);
    expect(problems.find((p) => p.startsWith('LOG_LEVEL:'))).toBeDefined();
    expect(problems.find((p) => p.startsWith('TRUST_PROXY:'))).toMatch(/true or false/);
  });

  it('does not echo a secret value in its message', () => {
    const problems = problemsOf(() => load({ REDIS_URL: 'http://user:hunter2@cache' }));
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('reads a secret from <NAME>_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'db'), 'postgres://app:s3cret@db:5432/analytics\n');
    const config = load({ DATABASE_URL_FILE: join(dir, 'db') });
    expect(config.database.urlFor('mlog')).toBe('postgres://app:s3cret@db:5432/analytics');
  });

  it('refuses a variable given both directly and as a file, and an unreadable file', () => {
    expect(problemsOf(() => load({ AMQP_URL: 'amqp://a', AMQP_URL_FILE: '/etc/hostname' }))[0]).toMatch(
      /AMQP_URL: set either AMQP_URL or AMQP_URL_FILE/,
    );
    expect(problemsOf(() => load({ REDIS_URL_FILE: '/nonexistent/secret' }))[0]).toMatch(
      /REDIS_URL_FILE: cannot read \/nonexistent\/secret \(ENOENT\)/,
    );
  });

  it('sizes the pool by environment and lets DB_POOL_* override it', () => {
    expect(load({}).database.pool).toMatchObject({ max: 5, connectionTimeoutMs: 5_000 });
    expect(load({ APP_ENV: 'staging' }).database.pool).toMatchObject({
      max: 15,
      connectionTimeoutMs: 15_000,
    });
    expect(load({ APP_ENV: 'prod' }).database.pool).toMatchObject({ max: 20, connectionTimeoutMs: 30_000 });
    expect(load({ APP_ENV: 'prod', DB_POOL_MAX: '40' }).database.pool.max).toBe(40);
  });

  it('splits services onto their own ports when SERVICES names them', () => {
    const real = { DATABASE_URL: 'postgres://db/a', AMQP_URL: 'amqp://mq', REDIS_URL: 'redis://cache' };
    const config = load({ ...real, SERVICES: 'axi, mlog', MLOG_PORT: '9008' });
    expect(config.mode).toBe('split');
    expect(config.listeners).toEqual([
      { name: 'axi', port: 8000, services: ['axi'] },
      { name: 'mlog', port: 9008, services: ['mlog'] },
    ]);
    // --service on the command line wins over SERVICES.
    expect(load({ ...real, SERVICES: 'axi' }, { services: ['echo'] }).services).toEqual(['echo']);
  });

  it('uses a per-service database URL over DATABASE_URL', () => {
    const config = load({ DATABASE_URL: 'postgres://db/main', MLOG_DATABASE_URL: 'postgres://logs/mlog' });
    expect(config.database.urlFor('mlog')).toBe('postgres://logs/mlog');
    expect(config.database.urlFor('axi')).toBe('postgres://db/main');
  });

  it('requires the real components in split mode, naming each missing variable', () => {
    const problems = problemsOf(() => load({ SERVICES: 'axi' }));
    expect(problems.map((p) => p.split(':')[0])).toEqual(['DATABASE_URL', 'AMQP_URL', 'REDIS_URL']);
    expect(problems[0]).toMatch(/AXI_DATABASE_URL/);
  });

  it('rejects unknown service names', () => {
    expect(problemsOf(() => load({ SERVICES: 'axi,nexus' }))[0]).toMatch(/SERVICES: unknown service nexus/);
  });

  it('layers process env over .env over .env.<APP_ENV>', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, '.env.staging'), 'LOG_LEVEL=warn\nPORT=9000\nBODY_LIMIT_BYTES=10\n');
    writeFileSync(join(dir, '.env'), 'APP_ENV=staging\nPORT=9100\n');
    const config = loadConfig({ cwd: dir, env: { BODY_LIMIT_BYTES: '20' } });
    expect(config.env).toBe('staging');
    expect(config.logLevel).toBe('warn');
    expect(config.listeners[0]!.port).toBe(9100);
    expect(config.http.bodyLimitBytes).toBe(20);
  });

  it('uses the built-in engine by default and checks what an LLM provider needs', () => {
    expect(load({}).llm).toMatchObject({ provider: 'builtin', timeoutMs: 20_000 });
    expect(problemsOf(() => load({ LLM_PROVIDER: 'openai' })).map((p) => p.split(':')[0])).toEqual([
      'LLM_MODEL',
      'LLM_API_KEY',
    ]);
    expect(problemsOf(() => load({ LLM_PROVIDER: 'openai-compatible', LLM_MODEL: 'llama3.1' }))[0]).toMatch(
      /^LLM_BASE_URL:/,
    );
    expect(problemsOf(() => load({ LLM_PROVIDER: 'gemini' }))[0]).toMatch(/^LLM_PROVIDER:/);
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'llm-key'), 'sk-from-file\n');
    const config = load({
      LLM_PROVIDER: 'anthropic',
      LLM_MODEL: 'claude-test',
      LLM_API_KEY_FILE: join(dir, 'llm-key'),
    });
    expect(config.llm).toMatchObject({ provider: 'anthropic', model: 'claude-test', apiKey: 'sk-from-file' });
  });

  it('reads the AIDE limits, cache lifetime and LLM prices, and names a bad one', () => {
    const defaults = load({});
    expect(defaults.aide).toEqual({ userRate: { perMinute: 30, burst: 10 }, cacheTtlMs: 3_600_000 });
    expect(defaults.llm.rate).toEqual({ perMinute: 60, burst: 10 });
    expect(defaults.llm.price).toBeUndefined();
    const set = load({ AIDE_CACHE_TTL_SECONDS: '0', LLM_PRICE_OUTPUT_PER_MTOK: '0.6', AIDE_RATE_BURST: '3' });
    expect(set.aide).toEqual({ userRate: { perMinute: 30, burst: 3 }, cacheTtlMs: 0 });
    // One price given: the other is free, not unknown.
    expect(set.llm.price).toEqual({ inputPerMTok: 0, outputPerMTok: 0.6 });
    expect(problemsOf(() => load({ AIDE_CACHE_TTL_SECONDS: '-1' }))[0]).toMatch(/^AIDE_CACHE_TTL_SECONDS:/);
    expect(problemsOf(() => load({ LLM_PRICE_INPUT_PER_MTOK: 'cheap' }))[0]).toMatch(
      /^LLM_PRICE_INPUT_PER_MTOK:/,
    );
    expect(problemsOf(() => load({ LLM_RATE_BURST: '0' }))[0]).toMatch(/^LLM_RATE_BURST:/);
  });
});

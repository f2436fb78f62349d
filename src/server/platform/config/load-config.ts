import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import type { ServiceName } from '../../../contracts/events/envelope.js';
import { type AppEnv, defaultServicePorts, type Env, EnvSchema, serviceNames } from './env.schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface PoolSettings {
  max: number;
  connectionTimeoutMs: number;
  idleTimeoutMs: number;
}

/** Pool size and timeouts per environment; each may be overridden by DB_POOL_* variables. */
const poolDefaults: Record<AppEnv, PoolSettings> = {
  local: { max: 5, connectionTimeoutMs: 5_000, idleTimeoutMs: 10_000 },
  dev: { max: 10, connectionTimeoutMs: 15_000, idleTimeoutMs: 30_000 },
  staging: { max: 15, connectionTimeoutMs: 15_000, idleTimeoutMs: 30_000 },
  prod: { max: 20, connectionTimeoutMs: 30_000, idleTimeoutMs: 60_000 },
};

export interface Listener {
  /** `all` in all-in-one mode, else the service name. */
  name: string;
  port: number;
  services: ServiceName[];
}

export interface Config {
  env: AppEnv;
  mode: 'all-in-one' | 'split';
  host: string;
  listeners: Listener[];
  services: ServiceName[];
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  dataDir: string;
  webDistDir: string;
  database: {
    /** The Postgres URL a service uses, or undefined for the embedded PGlite. */
    urlFor(service: ServiceName): string | undefined;
    pool: PoolSettings;
    statementTimeoutMs: number;
    migrateOnStart: boolean;
  };
  redis: { url: string } | undefined;
  cacheKeyPrefix: string;
  amqp: { url: string; exchange: string } | undefined;
  outbox: { pollIntervalMs: number; batchSize: number; maxAttempts: number };
  http: {
    corsOrigins: string[];
    bodyLimitBytes: number;
    rateLimit: { windowMs: number; perIp: number; perUser: number };
    shutdownTimeoutMs: number;
  };
  auth: {
    jwksUrl: string | undefined;
    issuer: string;
    audience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    /** PKCS#8 PEM; a secret: never log it. */
    signingKeyPem: string | undefined;
    /** AXI's key introspection endpoint, for processes without AXI. */
    apiKeyIntrospectionUrl: string | undefined;
  };
  /** Where a process without MLOG sends its audit events; undefined: they are dropped (no_sink). */
  audit:
    | {
        mlogUrl: string;
        /** A secret: never log it. */
        apiKey: string;
      }
    | undefined;
  mlog: {
    retentionDays: number;
    retentionByService: Record<string, number>;
    archiveDir: string | undefined;
    webhookUrls: string[];
    /** A secret: never log it. */
    webhookSecret: string | undefined;
    webhookAllowPrivate: boolean;
    anomalyZ: number;
    metadataMaxBytes: number;
  };
  axi: {
    adminEmails: string[];
    uploadMaxBytes: number;
    uploadMaxColumns: number;
  };
  /** AIDE's SQL writer; `builtin` needs nothing else. */
  llm: {
    provider: Env['LLM_PROVIDER'];
    model: string | undefined;
    baseUrl: string | undefined;
    /** A secret: never log it. */
    apiKey: string | undefined;
    timeoutMs: number;
    /** Calls to the provider, shared by every process. */
    rate: { perMinute: number; burst: number };
    /** USD per million tokens; unset when the operator gave no price (cost then unknown). */
    price: { inputPerMTok: number; outputPerMTok: number } | undefined;
  };
  aide: {
    /** Per user, over nl2sql, insights and analyze-dataset. */
    userRate: { perMinute: number; burst: number };
    /** 0: no cache. */
    cacheTtlMs: number;
  };
}

export interface LoadConfigOptions {
  /** The process environment (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Where the .env files live (default: the working directory). */
  cwd?: string;
  /** Services chosen on the command line (`--service axi`); wins over SERVICES. */
  services?: string[];
  /** Read .env and .env.<APP_ENV> files (default true). Tests turn it off. */
  readEnvFiles?: boolean;
}

function readEnvFile(path: string): Record<string, string> {
  return existsSync(path) ? parseDotenv(readFileSync(path)) : {};
}

/**
 * Merges the sources (process env > .env > .env.<APP_ENV>), resolves `<NAME>_FILE` secrets and
 * validates everything at once, so a bad start names every offending variable.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const processEnv = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const readFiles = options.readEnvFiles ?? true;

  const dotenv = readFiles ? readEnvFile(resolve(cwd, '.env')) : {};
  const appEnv = processEnv.APP_ENV ?? dotenv.APP_ENV ?? 'local';
  const envFile = readFiles && /^[a-z]+$/.test(appEnv) ? readEnvFile(resolve(cwd, `.env.${appEnv}`)) : {};
  const merged: Record<string, string | undefined> = { ...envFile, ...dotenv, ...processEnv };
  if (options.services && options.services.length > 0) merged.SERVICES = options.services.join(',');

  const problems: string[] = [];
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(EnvSchema.shape)) {
    const direct = merged[key];
    const file = merged[`${key}_FILE`];
    if (file !== undefined && file !== '') {
      if (direct !== undefined && direct !== '') {
        problems.push(`${key}: set either ${key} or ${key}_FILE, not both`);
        continue;
      }
      try {
        raw[key] = readFileSync(resolve(cwd, file), 'utf8').trim();
      } catch (err) {
        problems.push(`${key}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`);
      }
    } else if (direct !== undefined && direct !== '') {
      raw[key] = direct;
    }
  }

  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) problems.push(...describeIssues(parsed.error.issues));
  if (problems.length > 0) throw new ConfigError(problems);
  const env = (parsed as { data: Env }).data;

  const config = buildConfig(env);
  const crossProblems = [...checkAuditSink(env), ...checkLlm(env), ...checkSplitMode(config, env)];
  if (crossProblems.length > 0) throw new ConfigError(crossProblems);
  return deepFreeze(config);
}

function describeIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const name = issue.path.join('.') || 'environment';
    return `${name}: ${issue.message}`;
  });
}

function buildConfig(env: Env): Config {
  const services = env.SERVICES === 'all' ? [...serviceNames] : env.SERVICES;
  const mode = env.SERVICES === 'all' ? 'all-in-one' : 'split';
  const servicePort = (s: ServiceName) =>
    env[`${s.toUpperCase() as Uppercase<ServiceName>}_PORT`] ?? defaultServicePorts[s];
  const listeners: Listener[] =
    mode === 'all-in-one'
      ? [{ name: 'all', port: env.PORT, services }]
      : services.map((s) => ({ name: s, port: servicePort(s), services: [s] }));
  const pool = poolDefaults[env.APP_ENV];

  return {
    env: env.APP_ENV,
    mode,
    host: env.HOST,
    listeners,
    services,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    dataDir: env.DATA_DIR,
    webDistDir: env.WEB_DIST_DIR,
    database: {
      urlFor: (s) => env[`${s.toUpperCase() as Uppercase<ServiceName>}_DATABASE_URL`] ?? env.DATABASE_URL,
      pool: {
        max: env.DB_POOL_MAX ?? pool.max,
        connectionTimeoutMs: env.DB_CONNECTION_TIMEOUT_MS ?? pool.connectionTimeoutMs,
        idleTimeoutMs: env.DB_IDLE_TIMEOUT_MS ?? pool.idleTimeoutMs,
      },
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      migrateOnStart: env.MIGRATE_ON_START,
    },
    redis: env.REDIS_URL ? { url: env.REDIS_URL } : undefined,
    cacheKeyPrefix: env.CACHE_KEY_PREFIX,
    amqp: env.AMQP_URL ? { url: env.AMQP_URL, exchange: env.AMQP_EXCHANGE } : undefined,
    outbox: {
      pollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
      batchSize: env.OUTBOX_BATCH_SIZE,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    },
    http: {
      corsOrigins: env.CORS_ORIGINS,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      rateLimit: {
        windowMs: env.RATE_LIMIT_WINDOW_MS,
        perIp: env.RATE_LIMIT_PER_IP,
        perUser: env.RATE_LIMIT_PER_USER,
      },
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    },
    auth: {
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      accessTokenTtlSeconds: env.AUTH_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: env.AUTH_REFRESH_TOKEN_TTL_DAYS,
      signingKeyPem: env.AUTH_SIGNING_KEY,
      apiKeyIntrospectionUrl: env.AUTH_API_KEY_INTROSPECTION_URL,
    },
    audit:
      env.AUDIT_MLOG_URL && env.AUDIT_API_KEY
        ? { mlogUrl: env.AUDIT_MLOG_URL, apiKey: env.AUDIT_API_KEY }
        : undefined,
    mlog: {
      retentionDays: env.MLOG_RETENTION_DAYS,
      retentionByService: env.MLOG_RETENTION_BY_SERVICE,
      archiveDir: env.MLOG_ARCHIVE_DIR,
      webhookUrls: env.MLOG_WEBHOOK_URLS,
      webhookSecret: env.MLOG_WEBHOOK_SECRET,
      webhookAllowPrivate: env.MLOG_WEBHOOK_ALLOW_PRIVATE,
      anomalyZ: env.MLOG_ANOMALY_Z,
      metadataMaxBytes: env.MLOG_METADATA_MAX_BYTES,
    },
    axi: {
      adminEmails: env.AXI_ADMIN_EMAILS.map((e) => e.toLowerCase()),
      uploadMaxBytes: env.AXI_UPLOAD_MAX_BYTES,
      uploadMaxColumns: env.AXI_UPLOAD_MAX_COLUMNS,
    },
    llm: {
      provider: env.LLM_PROVIDER,
      model: env.LLM_MODEL,
      baseUrl: env.LLM_BASE_URL,
      apiKey: env.LLM_API_KEY,
      timeoutMs: env.LLM_TIMEOUT_MS,
      rate: { perMinute: env.LLM_RATE_PER_MINUTE, burst: env.LLM_RATE_BURST },
      price:
        env.LLM_PRICE_INPUT_PER_MTOK === undefined && env.LLM_PRICE_OUTPUT_PER_MTOK === undefined
          ? undefined
          : {
              inputPerMTok: env.LLM_PRICE_INPUT_PER_MTOK ?? 0,
              outputPerMTok: env.LLM_PRICE_OUTPUT_PER_MTOK ?? 0,
            },
    },
    aide: {
      userRate: { perMinute: env.AIDE_RATE_PER_MINUTE, burst: env.AIDE_RATE_BURST },
      cacheTtlMs: env.AIDE_CACHE_TTL_SECONDS * 1000,
    },
  };
}

/** One of the pair without the other would silently drop every audit event. */
function checkAuditSink(env: Env): string[] {
  if (Boolean(env.AUDIT_MLOG_URL) === Boolean(env.AUDIT_API_KEY)) return [];
  return [
    env.AUDIT_MLOG_URL
      ? 'AUDIT_API_KEY: AUDIT_MLOG_URL is set, so give the API key (scope audit:write) to send audit events with'
      : 'AUDIT_MLOG_URL: AUDIT_API_KEY is set, so give the MLOG base URL to send audit events to',
  ];
}

/** An LLM provider without its model (or its server) would fail every question at run time. */
function checkLlm(env: Env): string[] {
  if (env.LLM_PROVIDER === 'builtin') return [];
  const problems: string[] = [];
  if (!env.LLM_MODEL) problems.push(`LLM_MODEL: LLM_PROVIDER=${env.LLM_PROVIDER} needs the model to ask`);
  if (env.LLM_PROVIDER === 'openai-compatible' && !env.LLM_BASE_URL)
    problems.push(
      'LLM_BASE_URL: LLM_PROVIDER=openai-compatible needs the server URL (e.g. http://ollama:11434/v1)',
    );
  if (env.LLM_PROVIDER !== 'openai-compatible' && !env.LLM_API_KEY)
    problems.push(`LLM_API_KEY: LLM_PROVIDER=${env.LLM_PROVIDER} needs an API key (or LLM_API_KEY_FILE)`);
  return problems;
}

/**
 * Services in separate processes cannot share the embedded database, cache or bus, so split
 * mode needs the real components.
 */
function checkSplitMode(config: Config, env: Env): string[] {
  if (config.mode !== 'split') return [];
  const chosen = `SERVICES=${config.services.join(',')}`;
  const problems: string[] = [];
  const withoutDb = config.services.filter((s) => !config.database.urlFor(s));
  if (withoutDb.length > 0) {
    problems.push(
      `DATABASE_URL: split mode (${chosen}) needs PostgreSQL; set DATABASE_URL or ${withoutDb
        .map((s) => `${s.toUpperCase()}_DATABASE_URL`)
        .join(', ')}`,
    );
  }
  if (!env.AMQP_URL)
    problems.push(`AMQP_URL: split mode (${chosen}) needs RabbitMQ for events between processes`);
  if (!env.REDIS_URL)
    problems.push(`REDIS_URL: split mode (${chosen}) needs Redis for shared rate limits and cache`);
  const ports = new Map<number, string>();
  for (const l of config.listeners) {
    const other = ports.get(l.port);
    if (other && l.port !== 0)
      problems.push(`${l.name.toUpperCase()}_PORT: port ${l.port} is also used by ${other}`);
    ports.set(l.port, l.name);
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A URL safe to print: the password replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

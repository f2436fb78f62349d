import { z } from 'zod';
import { ServiceName } from '../../../contracts/events/envelope.js';

export const serviceNames = ServiceName.options;

/** Ports from the architecture table, used when services run split (one port per service). */
export const defaultServicePorts: Record<ServiceName, number> = {
  axi: 8000,
  aide: 8001,
  grasp: 8002,
  echo: 8003,
  mint: 8007,
  mlog: 8008,
  adtech: 8009,
  portfolio: 8010,
};

export const appEnvironments = ['local', 'dev', 'staging', 'prod'] as const;
export type AppEnv = (typeof appEnvironments)[number];

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const postgresUrl = z
  .url({ message: 'expected a postgres:// URL' })
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'expected a postgres:// URL');

const httpUrl = (what: string) =>
  z
    .url({ message: `expected the http(s) URL of ${what}` })
    .refine((v) => /^https?:\/\//.test(v), `expected the http(s) URL of ${what}`);

const port = z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535);
const positiveInt = z.coerce.number({ message: 'expected a whole number' }).int().positive();
const nonNegativeNumber = z.coerce.number({ message: 'expected a number' }).nonnegative();

const perServicePorts = Object.fromEntries(
  serviceNames.map((s) => [`${s.toUpperCase()}_PORT`, port.optional()]),
) as Record<`${Uppercase<ServiceName>}_PORT`, z.ZodOptional<typeof port>>;
const perServiceDatabaseUrls = Object.fromEntries(
  serviceNames.map((s) => [`${s.toUpperCase()}_DATABASE_URL`, postgresUrl.optional()]),
) as Record<`${Uppercase<ServiceName>}_DATABASE_URL`, z.ZodOptional<typeof postgresUrl>>;

/**
 * The whole environment the platform reads. Every variable is documented in .env.example;
 * nothing else in the code reads process.env. Any variable may instead be given as
 * `<NAME>_FILE` naming a file that holds the value (Docker/Kubernetes secrets).
 */
export const EnvSchema = z.object({
  APP_ENV: z.enum(appEnvironments).default('local'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(8000),
  SERVICES: z
    .string()
    .default('all')
    .transform((v, ctx) => {
      const list = v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      if (list.length === 0 || (list.length === 1 && list[0] === 'all')) return 'all' as const;
      const unknown = list.filter((s) => !(serviceNames as readonly string[]).includes(s));
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown service ${unknown.join(', ')}; expected "all" or a comma list of ${serviceNames.join(', ')}`,
        });
        return z.NEVER;
      }
      return [...new Set(list)] as ServiceName[];
    }),
  ...perServicePorts,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  DATA_DIR: z.string().min(1).default('./data'),
  WEB_DIST_DIR: z.string().min(1).default('./dist/web'),

  DATABASE_URL: postgresUrl.optional(),
  ...perServiceDatabaseUrls,
  DB_POOL_MAX: positiveInt.optional(),
  DB_CONNECTION_TIMEOUT_MS: positiveInt.optional(),
  DB_IDLE_TIMEOUT_MS: positiveInt.optional(),
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(30_000),
  MIGRATE_ON_START: bool.default(true),

  REDIS_URL: z
    .url({ message: 'expected a redis:// URL' })
    .refine((v) => /^rediss?:\/\//.test(v), 'expected a redis:// URL')
    .optional(),
  CACHE_KEY_PREFIX: z.string().default('ap:'),

  AMQP_URL: z
    .url({ message: 'expected an amqp:// URL' })
    .refine((v) => /^amqps?:\/\//.test(v), 'expected an amqp:// URL')
    .optional(),
  AMQP_EXCHANGE: z.string().min(1).default('platform.events'),
  OUTBOX_POLL_INTERVAL_MS: positiveInt.default(1000),
  OUTBOX_BATCH_SIZE: positiveInt.default(100),
  OUTBOX_MAX_ATTEMPTS: positiveInt.default(20),

  CORS_ORIGINS: csv.default([]),
  BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  RATE_LIMIT_PER_IP: positiveInt.default(300),
  RATE_LIMIT_PER_USER: positiveInt.default(1200),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),

  AUTH_JWKS_URL: z.url({ message: 'expected an http(s) URL of a JWKS document' }).optional(),
  /** Split mode: where a process without AXI checks X-API-Key callers (AXI's introspection endpoint). */
  AUTH_API_KEY_INTROSPECTION_URL: httpUrl("AXI's POST /api/v1/api-keys/introspect").optional(),
  AUTH_ISSUER: z.string().min(1).default('axi'),
  AUTH_AUDIENCE: z.string().min(1).default('analytics-platform'),
  AUTH_ACCESS_TOKEN_TTL_SECONDS: positiveInt.max(86_400).default(900),
  AUTH_REFRESH_TOKEN_TTL_DAYS: positiveInt.max(365).default(30),
  /** PKCS#8 PEM of an ES256 private key; unset: AXI generates one and keeps it in its schema. */
  AUTH_SIGNING_KEY: z
    .string()
    .refine((v) => v.includes('BEGIN PRIVATE KEY'), 'expected a PKCS#8 PEM private key')
    .optional(),
  /** Accounts registered with these e-mails become admins (how the first admin is made). */
  AXI_ADMIN_EMAILS: csv.default([]),
  /** Days MLOG keeps audit events; `MLOG_RETENTION_BY_SERVICE=axi=365,echo=7` overrides per service. */
  MLOG_RETENTION_DAYS: positiveInt.default(90),
  MLOG_RETENTION_BY_SERVICE: z
    .string()
    .default('')
    .transform((v, ctx) => {
      const out: Record<string, number> = {};
      for (const part of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = /^([a-z][a-z0-9_.-]*)=(\d+)$/.exec(part);
        if (!match || Number(match[2]) < 1) {
          ctx.addIssue({ code: 'custom', message: `expected service=days pairs, got "${part}"` });
          return z.NEVER;
        }
        out[match[1]!] = Number(match[2]);
      }
      return out;
    }),
  /** Where expired partitions are archived as gzip NDJSON before they are dropped; unset: not archived. */
  MLOG_ARCHIVE_DIR: z.string().min(1).optional(),
  /** Webhooks called (HMAC-signed) when an anomaly is detected. */
  MLOG_WEBHOOK_URLS: csv.default([]),
  MLOG_WEBHOOK_SECRET: z.string().min(16, 'use at least 16 characters').optional(),
  /** Lets webhooks reach loopback and private addresses (development only). */
  MLOG_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** How many standard deviations above its trailing baseline a minute's count must be. */
  MLOG_ANOMALY_Z: z.coerce.number().positive().default(4),
  /** Split mode: the base URL of MLOG that a process without MLOG sends its audit events to. */
  AUDIT_MLOG_URL: httpUrl('MLOG (its base, e.g. http://mlog:8008)').optional(),
  /** The API key (scope audit:write) those events are sent with; a secret. */
  AUDIT_API_KEY: z.string().min(1).optional(),
  MLOG_METADATA_MAX_BYTES: positiveInt.default(16_384),
  /** Who writes AIDE's SQL: the built-in deterministic engine, or an LLM (which falls back to it). */
  LLM_PROVIDER: z.enum(['builtin', 'openai', 'anthropic', 'openai-compatible']).default('builtin'),
  /** The model name the provider knows (`gpt-4o-mini`, `claude-sonnet-4-5`, `llama3.1`). */
  LLM_MODEL: z.string().min(1).optional(),
  /** Optional for openai/anthropic (their public API by default); required for openai-compatible. */
  LLM_BASE_URL: httpUrl('the LLM API (e.g. http://ollama:11434/v1)').optional(),
  /** A secret: prefer LLM_API_KEY_FILE. */
  LLM_API_KEY: z.string().min(1).optional(),
  /** Deadline for one LLM attempt; retries and the fallback to the built-in engine come after it. */
  LLM_TIMEOUT_MS: positiveInt.default(20_000),
  /** Calls per minute to the LLM provider, shared by every process (a token bucket); over it the built-in engine answers. */
  LLM_RATE_PER_MINUTE: positiveInt.default(60),
  /** How many LLM calls may go at once after a quiet spell (the bucket's capacity). */
  LLM_RATE_BURST: positiveInt.default(10),
  /** USD per million input / output tokens of LLM_MODEL, for the cost in /api/aide/usage (unset: cost unknown). */
  LLM_PRICE_INPUT_PER_MTOK: nonNegativeNumber.optional(),
  LLM_PRICE_OUTPUT_PER_MTOK: nonNegativeNumber.optional(),
  /** AIDE questions and insights per minute per user (a token bucket); over it: 429 with retry-after. */
  AIDE_RATE_PER_MINUTE: positiveInt.default(30),
  AIDE_RATE_BURST: positiveInt.default(10),
  /** How long an answer or insights stay cached (per dataset version, question and provider); 0 turns the cache off. */
  AIDE_CACHE_TTL_SECONDS: z.coerce.number({ message: 'expected a whole number' }).int().min(0).default(3_600),
  AXI_UPLOAD_MAX_BYTES: positiveInt.default(1_073_741_824),
  AXI_UPLOAD_MAX_COLUMNS: positiveInt
    .max(1_600, 'PostgreSQL tables hold at most 1600 columns')
    .default(1_000),
});

export type Env = z.infer<typeof EnvSchema>;

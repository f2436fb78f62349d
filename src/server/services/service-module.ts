import type { FastifyPluginAsync } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceName } from '../../contracts/events/index.js';
import type { AuditClient, AuditSink } from '../platform/audit/audit-client.js';
import type { ApiKeyResolver } from '../platform/auth/api-key-resolver.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Config } from '../platform/config/load-config.js';
import type { DatabaseHandle, Db } from '../platform/db/database.js';
import type { MigrationSet } from '../platform/db/migrate.js';
import type { EventHandler } from '../platform/events/idempotent-consumer.js';
import type { Outbox } from '../platform/events/outbox.js';

/** Everything the platform offers a service; a service's factory takes what it uses. */
export interface ServiceDeps {
  config: Config;
  db: Db;
  /** The handle behind `db`, for what Kysely cannot do (bulk COPY sessions). */
  database: DatabaseHandle;
  outbox: Outbox;
  cache: Cache;
  log: Logger;
  clock: () => Date;
  /** The process's audit client: `record()` queues an event for MLOG and never blocks. */
  audit: AuditClient;
  /** The process's Prometheus registry (`/metrics`): a service registers its own instruments here. */
  metrics: Registry;
}

export interface ConsumerSpec {
  /** Unique within the service; the durable consumer is `<service>.<name>`. */
  name: string;
  /** Topic patterns over event types (`visit.tracked`, `visit.*`, `#`). */
  patterns: string[];
  handle: EventHandler;
}

export interface ServiceInstance {
  routes: FastifyPluginAsync;
  consumers: ConsumerSpec[];
  /** Runs after migrations, before the listeners open (load keys, warm caches, start timers). */
  start?(): Promise<void>;
  /** Runs at shutdown after the listeners have drained, before the databases close. */
  stop?(): Promise<void>;
  /** The issuer's public keys, when this service issues access tokens (AXI). */
  tokenKeys?(): JSONWebKeySet | undefined;
  /** Resolves `X-API-Key` callers, when this service issues API keys (AXI). */
  apiKeys?: ApiKeyResolver;
  /** Stores audit events in this process (MLOG): the platform's audit client sends to it. */
  auditSink?: AuditSink;
}

/** How a service plugs into the platform: its schema's migrations and its wiring. */
export interface ServiceModule {
  name: ServiceName;
  description: string;
  migrations: MigrationSet;
  create(deps: ServiceDeps): ServiceInstance;
}

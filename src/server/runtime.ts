import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type { Logger } from 'pino';
import type { ServiceName } from '../contracts/events/index.js';
import { buildApp } from './app.js';
import { type AuditClient, createAuditClient } from './platform/audit/audit-client.js';
import { createHttpAuditSink } from './platform/audit/http-audit-sink.js';
import { createRemoteApiKeyResolver } from './platform/auth/remote-api-key-resolver.js';
import { createTokenVerifier } from './platform/auth/token-verifier.js';
import type { Cache } from './platform/cache/cache.js';
import { createCache } from './platform/cache/create-cache.js';
import { type Config, redactUrl } from './platform/config/load-config.js';
import { type DatabaseHandle, openEmbeddedDatabase, openPostgresDatabase } from './platform/db/database.js';
import { migrateSchema } from './platform/db/migrate.js';
import { createAmqpTransport } from './platform/events/amqp-transport.js';
import { eventTablesMigration } from './platform/events/event-tables.migration.js';
import { createIdempotentConsumer } from './platform/events/idempotent-consumer.js';
import { createInProcessTransport } from './platform/events/in-process-transport.js';
import { createOutbox } from './platform/events/outbox.js';
import { createOutboxRelay, type OutboxRelay } from './platform/events/outbox-relay.js';
import type { EventTransport } from './platform/events/transport.js';
import type { HealthCheck } from './platform/observability/health.js';
import { createMetrics, type Metrics } from './platform/observability/metrics.js';
import { serviceModules } from './services/registry.js';
import type { ServiceInstance, ServiceModule } from './services/service-module.js';

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

export interface Runtime {
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** The process's audit client (flush it in tests to see its events in MLOG). */
  audit: AuditClient;
  cache: Cache;
  transport: EventTransport;
  /** The database each running service uses (several services may share one handle). */
  databases: Map<ServiceName, DatabaseHandle>;
  services: { module: ServiceModule; instance: ServiceInstance }[];
  relays: OutboxRelay[];
  apps: { listener: string; app: FastifyInstance; url: string }[];
  /** Drains HTTP, then the relays, then closes connections. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  /** Start HTTP listeners (default true). `npm run migrate` sets false. */
  listen?: boolean;
  /** Public keys of the token issuer when it runs in this process (AXI, later). */
  tokenKeys?: () => JSONWebKeySet | undefined;
  /** The services this build offers (default: the registry). Tests pass their own. */
  modules?: readonly ServiceModule[];
}

/** Which modules this process runs: all that are built (all-in-one), or exactly those asked for. */
export function selectModules(
  config: Config,
  available: readonly ServiceModule[] = serviceModules,
): ServiceModule[] {
  if (config.mode === 'all-in-one') return [...available];
  const missing = config.services.filter((s) => !available.some((m) => m.name === s));
  if (missing.length > 0) {
    throw new StartupError(
      `SERVICES: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not part of this build yet; available: ${available
        .map((m) => m.name)
        .join(', ')}`,
    );
  }
  return available.filter((m) => config.services.includes(m.name));
}

async function openDatabases(config: Config, modules: ServiceModule[], log: Logger, metrics: Metrics) {
  const byTarget = new Map<string, DatabaseHandle>();
  const byService = new Map<ServiceName, DatabaseHandle>();
  try {
    for (const m of modules) {
      const url = config.database.urlFor(m.name);
      const key = url ?? 'embedded';
      let handle = byTarget.get(key);
      if (!handle) {
        handle = url
          ? await openPostgresDatabase({
              url,
              pool: config.database.pool,
              statementTimeoutMs: config.database.statementTimeoutMs,
              applicationName: `analytics-${config.mode === 'split' ? m.name : 'all'}`,
              observer: metrics.observers.database,
              log,
            })
          : await openEmbeddedDatabase({
              dataDir: config.dataDir,
              observer: metrics.observers.database,
              log,
            });
        byTarget.set(key, handle);
        try {
          await handle.check();
        } catch (err) {
          const variable = url ? `DATABASE_URL or ${m.name.toUpperCase()}_DATABASE_URL` : 'DATA_DIR';
          throw new StartupError(
            `cannot reach the database at ${url ? redactUrl(url) : handle.label} (${variable}): ${(err as Error).message}`,
            { cause: err },
          );
        }
        metrics.watchPool(url ? redactUrl(url) : 'embedded', handle);
        log.info(
          { database: handle.label, pool: url ? config.database.pool : undefined },
          'database connected',
        );
      }
      byService.set(m.name, handle);
    }
  } catch (err) {
    await Promise.allSettled([...byTarget.values()].map((h) => h.close()));
    throw err;
  }
  return { byService, handles: [...byTarget.values()] };
}

/** Applies the platform's event tables, then each service's own migrations, to its schema. */
export async function migrateModules(
  modules: ServiceModule[],
  databases: Map<ServiceName, DatabaseHandle>,
  log: Logger,
) {
  for (const m of modules) {
    const handle = databases.get(m.name)!;
    const applied = await migrateSchema(handle.db, m.name, {
      '0000_create_event_tables': eventTablesMigration(m.name),
      ...m.migrations,
    });
    log.info({ schema: m.name, applied }, applied.length > 0 ? 'migrations applied' : 'schema up to date');
  }
}

export async function startRuntime(config: Config, options: StartOptions): Promise<Runtime> {
  const { log } = options;
  const started = performance.now();
  const modules = selectModules(config, options.modules);
  const metrics = createMetrics();
  const { byService: databases, handles } = await openDatabases(config, modules, log, metrics);

  const closers: (() => Promise<void>)[] = [
    async () => void (await Promise.allSettled(handles.map((h) => h.close()))),
  ];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((err) => log.error({ err }, 'error while closing'));
  };

  try {
    if (config.database.migrateOnStart || options.listen === false)
      await migrateModules(modules, databases, log);

    const cache = createCache({ redisUrl: config.redis?.url, keyPrefix: config.cacheKeyPrefix });
    closers.push(() => cache.close());
    const transport = config.amqp
      ? createAmqpTransport({ url: config.amqp.url, exchange: config.amqp.exchange, log })
      : createInProcessTransport({ log });
    closers.push(() => transport.close());

    const healthChecks: HealthCheck[] = [
      ...handles.map((h, i) => ({
        name: handles.length > 1 ? `database:${i}` : 'database',
        check: () => h.check(),
      })),
      ...(config.redis ? [{ name: 'redis', check: () => cache.check() }] : []),
      ...(config.amqp ? [{ name: 'rabbitmq', check: () => transport.check() }] : []),
    ];

    const clock = () => new Date();
    const audit = createAuditClient({
      log: log.child({ module: 'audit' }),
      clock,
      observer: metrics.observers.audit,
    });
    // Closers run in reverse: this one runs last but the databases', so the queued events of the
    // last requests (and of services stopping) reach MLOG before its connections close.
    closers.splice(1, 0, () => audit.close());
    const services = modules.map((module) => {
      const database = databases.get(module.name)!;
      const instance = module.create({
        config,
        db: database.db,
        database,
        outbox: createOutbox(module.name),
        cache,
        log: log.child({ module: module.name }),
        clock,
        audit,
        metrics: metrics.registry,
      });
      return { module, instance };
    });
    // MLOG in this process stores the events directly; else a configured remote MLOG gets them
    // over HTTP; else they are counted as dropped.
    const localSink = services.find((s) => s.instance.auditSink)?.instance.auditSink;
    audit.attachSink(localSink ?? (config.audit ? createHttpAuditSink(config.audit) : undefined));
    const auditTo = localSink ? 'in-process' : config.audit ? redactUrl(config.audit.mlogUrl) : 'none';

    const runtime: Runtime = {
      config,
      log,
      metrics,
      audit,
      cache,
      transport,
      databases,
      services,
      relays: [],
      apps: [],
      close: async () => {},
    };
    if (options.listen === false) {
      runtime.close = once(closeAll);
      return runtime;
    }
    for (const { instance } of services) await instance.start?.();
    audit.start();
    // Services stop their own background work before the databases close (closers run in reverse).
    closers.push(async () => {
      for (const { instance } of services) await instance.stop?.();
    });

    for (const { module, instance } of services) {
      const db = databases.get(module.name)!.db;
      for (const spec of instance.consumers) {
        const consumer = `${module.name}.${spec.name}`;
        await transport.subscribe({
          consumer,
          patterns: spec.patterns,
          handler: createIdempotentConsumer({
            db,
            schema: module.name,
            consumer,
            handle: spec.handle,
            log,
            observer: metrics.observers.consumer,
          }),
        });
      }
    }

    for (const { module } of services) {
      const relay = createOutboxRelay({
        db: databases.get(module.name)!.db,
        schema: module.name,
        transport,
        log,
        batchSize: config.outbox.batchSize,
        pollIntervalMs: config.outbox.pollIntervalMs,
        maxAttempts: config.outbox.maxAttempts,
        observer: metrics.observers.relay,
      });
      runtime.relays.push(relay);
    }
    // Relays stop before the transport and databases close (closers run in reverse).
    closers.push(async () => void (await Promise.all(runtime.relays.map((r) => r.stop()))));

    // An issuer running in this process (AXI) hands its keys over directly; tests may pass theirs.
    const issuer = services.find((s) => s.instance.tokenKeys)?.instance;
    const tokenKeys = options.tokenKeys ?? (issuer?.tokenKeys ? () => issuer.tokenKeys!() : undefined);
    const verifier = createTokenVerifier({
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ...(config.auth.jwksUrl ? { jwksUrl: config.auth.jwksUrl } : {}),
      ...(tokenKeys ? { keys: tokenKeys } : {}),
    });

    // AXI in this process resolves keys itself; else AXI is asked over HTTP, when configured.
    const localApiKeys = services.find((s) => s.instance.apiKeys)?.instance.apiKeys;
    const remoteApiKeys =
      !localApiKeys && config.auth.apiKeyIntrospectionUrl
        ? createRemoteApiKeyResolver({
            url: config.auth.apiKeyIntrospectionUrl,
            cache,
            log: log.child({ module: 'api-keys' }),
          })
        : undefined;
    if (remoteApiKeys) closers.push(async () => remoteApiKeys.shutdown());
    const apiKeys = localApiKeys ?? remoteApiKeys;

    for (const listener of config.listeners) {
      const app = await buildApp({
        config,
        listener,
        log,
        metrics,
        cache,
        verifier,
        ...(apiKeys ? { apiKeys } : {}),
        healthChecks,
        services: services.filter((s) => listener.services.includes(s.module.name)),
      });
      closers.push(() => app.close());
      await app.listen({ host: config.host, port: listener.port });
      const { port } = app.server.address() as AddressInfo;
      const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      runtime.apps.push({ listener: listener.name, app, url: `http://${host}:${port}` });
    }
    for (const relay of runtime.relays) relay.start();

    log.info(
      {
        mode: config.mode,
        services: services.map((s) => s.module.name),
        listeners: runtime.apps.map((a) => `${a.listener} ${a.url}`),
        database: handles.map((h) => h.label),
        cache: cache.kind,
        transport: transport.kind,
        apiKeys: localApiKeys ? 'in-process' : remoteApiKeys ? 'remote' : 'none',
        audit: auditTo,
        startupMs: Math.round(performance.now() - started),
      },
      'platform started',
    );
    runtime.close = once(closeAll);
    return runtime;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}

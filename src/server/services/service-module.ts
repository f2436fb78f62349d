import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { ServiceName } from '../../contracts/events/index.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Db } from '../platform/db/database.js';
import type { MigrationSet } from '../platform/db/migrate.js';
import type { EventHandler } from '../platform/events/idempotent-consumer.js';
import type { Outbox } from '../platform/events/outbox.js';

/** Everything the platform offers a service; a service's factory takes what it uses. */
export interface ServiceDeps {
  db: Db;
  outbox: Outbox;
  cache: Cache;
  log: Logger;
  clock: () => Date;
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
}

/** How a service plugs into the platform: its schema's migrations and its wiring. */
export interface ServiceModule {
  name: ServiceName;
  description: string;
  migrations: MigrationSet;
  create(deps: ServiceDeps): ServiceInstance;
}

import type { ServiceModule } from '../service-module.js';
import { createEvents, eventsMigrations } from './events/index.js';
import { createLifecycle, lifecycleMigrations } from './lifecycle/index.js';
import { mlogTableMigrations } from './migrations.js';
import { createQuery, queryMigrations } from './query/index.js';
import { createQueryAudit } from './query-audit.js';

/**
 * MLOG: audit-log ingestion and analytics. Migrations are numbered per feature: the table 00xx,
 * ingest 01xx, query 02xx, lifecycle (rollups, retention, anomalies) 03xx.
 */
export const mlogModule: ServiceModule = {
  name: 'mlog',
  description: 'Audit-log ingestion and analytics at high rate, retention, anomaly alerts',
  migrations: { ...mlogTableMigrations, ...eventsMigrations, ...queryMigrations, ...lifecycleMigrations },
  create({ db, database, outbox, config, clock, log }) {
    const events = createEvents({ db, database, config, clock, log });
    // One recorder of who read what, for the query and the lifecycle read endpoints.
    const recordQuery = createQueryAudit({ db, clock, log, insertEvents: events.insertEvents });
    const query = createQuery({ db, clock, recordQuery });
    const lifecycle = createLifecycle({ db, outbox, config, clock, log, recordQuery });
    return {
      routes: async (app) => {
        await app.register(events.routes, { prefix: '/api/mlog' });
        await app.register(query.routes, { prefix: '/api/mlog' });
        await app.register(lifecycle.routes, { prefix: '/api/mlog' });
      },
      consumers: [],
      // The platform's own audit events, from services in this process: already well-formed,
      // stored as schema version 2 straight into the events table.
      auditSink: {
        send: async (batch) => {
          const receivedAt = clock();
          await events.insertEvents(
            db,
            batch.map((e) => ({ ...e, receivedAt, schemaVersion: 2 })),
          );
        },
      },
      start: async () => {
        await events.start();
        await lifecycle.start();
      },
      stop: async () => {
        await lifecycle.stop();
        await events.stop();
      },
    };
  },
};

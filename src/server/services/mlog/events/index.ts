import type { FastifyPluginAsync } from 'fastify';
import { MAX_BATCH_EVENTS } from '../../../../contracts/mlog/events.js';
import type { Db } from '../../../platform/db/database.js';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { ServiceDeps } from '../../service-module.js';
import type { StoredAuditEvent } from '../audit-event.js';
import { eventsRoutes } from './events.routes.js';
import { createEventsService } from './events.service.js';

/** Ingest needs no table of its own: day partitions of mlog.events are created as events arrive. */
export const eventsMigrations: MigrationSet = {};

export function createEvents(deps: Pick<ServiceDeps, 'db' | 'database' | 'config' | 'clock' | 'log'>) {
  const events = createEventsService(deps);
  // Enough for a full batch of events with the largest metadata allowed; the stream is read
  // line by line, so this bounds the request, not memory.
  const batchBodyLimitBytes = MAX_BATCH_EVENTS * (deps.config.mlog.metadataMaxBytes + 2_048);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(eventsRoutes, { events, batchBodyLimitBytes });
  };
  let maintenance: NodeJS.Timeout | undefined;
  const prepare = () =>
    events
      .prepareDays(deps.clock())
      .catch((err) => deps.log.warn({ err }, 'preparing mlog partitions failed'));
  return {
    routes,
    /** Creates the partitions of yesterday, today and tomorrow now and every hour after. */
    start: async () => {
      await prepare();
      maintenance = setInterval(prepare, 60 * 60 * 1000);
      maintenance.unref();
    },
    stop: async () => clearInterval(maintenance),
    /** Stores already-validated events (creating their day partitions); returns how many. */
    insertEvents: (db: Db, stored: StoredAuditEvent[]): Promise<number> => events.insertEvents(db, stored),
  };
}

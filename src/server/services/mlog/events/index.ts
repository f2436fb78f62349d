// PLACEHOLDER: replaced by the ingest feature (validation, upcasting, partitions, COPY batches).
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../../platform/db/database.js';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { ServiceDeps } from '../../service-module.js';
import type { StoredAuditEvent } from '../audit-event.js';

export const eventsMigrations: MigrationSet = {};

export function createEvents(_deps: Pick<ServiceDeps, 'db' | 'database' | 'config' | 'clock' | 'log'>) {
  const routes: FastifyPluginAsync = async () => {};
  return {
    routes,
    /** Stores already-validated events (creating their day partitions); returns how many. */
    insertEvents: async (_db: Db, _events: StoredAuditEvent[]): Promise<number> => 0,
  };
}

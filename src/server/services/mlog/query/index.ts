// PLACEHOLDER: replaced by the query feature (analytics per service, timeline, events, aggregate).
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../../platform/db/database.js';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { ServiceDeps } from '../../service-module.js';
import type { StoredAuditEvent } from '../audit-event.js';

export const queryMigrations: MigrationSet = {};

export function createQuery(
  _deps: Pick<ServiceDeps, 'db' | 'clock' | 'log'> & {
    insertEvents: (db: Db, events: StoredAuditEvent[]) => Promise<number>;
  },
) {
  const routes: FastifyPluginAsync = async () => {};
  return { routes };
}

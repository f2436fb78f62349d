import type { FastifyPluginAsync } from 'fastify';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { ServiceDeps } from '../../service-module.js';
import type { RecordQuery } from '../query-audit.js';
import { queryRoutes } from './query.routes.js';
import { createQueryService } from './query.service.js';

/** The query feature reads through the table's own indexes; it adds no schema objects. */
export const queryMigrations: MigrationSet = {};

export function createQuery(deps: Pick<ServiceDeps, 'db' | 'clock'> & { recordQuery: RecordQuery }) {
  const query = createQueryService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(queryRoutes, { query });
  };
  return { routes };
}

import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../../platform/db/database.js';
import type { ServiceDeps } from '../../service-module.js';
import type { DatasetRecord } from '../datasets/dataset-record.js';
import { analyticsRoutes } from './analytics.routes.js';
import { createAnalyticsService, type DatasetAccess } from './analytics.service.js';

export { analyticsMigrations } from './analytics.migrations.js';
export type { AnalyticsService, DatasetAccess } from './analytics.service.js';

/** AXI analytics: dataset profiles (summary), correlations, cohorts and the stored reports. */
export function createAnalytics(
  deps: Pick<ServiceDeps, 'db' | 'outbox' | 'clock' | 'log'> & { datasets: DatasetAccess },
) {
  const service = createAnalyticsService(deps);
  const routes: FastifyPluginAsync = async (app) => {
    await app.register(analyticsRoutes, { analytics: service });
  };
  return {
    routes,
    service,
    /** Computes and stores the profile (summary) of a freshly loaded dataset; pass `tx` to run inside it. */
    computeProfile: (db: Db, dataset: DatasetRecord) => service.computeProfile(db, dataset),
  };
}

// PLACEHOLDER: replaced by the analytics feature (profiles, correlations, cohorts, reports).
import type { FastifyPluginAsync } from 'fastify';
import type { Db } from '../../../platform/db/database.js';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { RequestContext } from '../../../platform/http/request-context.js';
import type { ServiceDeps } from '../../service-module.js';
import type { DatasetRecord } from '../datasets/dataset-record.js';

export const analyticsMigrations: MigrationSet = {};

export interface DatasetAccess {
  /** The dataset if the caller may read it (owner or admin), else throws NotFound. */
  findReadable(ctx: RequestContext, id: string): Promise<DatasetRecord>;
}

export function createAnalytics(_deps: Pick<ServiceDeps, 'db' | 'outbox' | 'clock' | 'log'> & { datasets: DatasetAccess }) {
  const routes: FastifyPluginAsync = async () => {};
  return {
    routes,
    /** Computes and stores the profile (summary) of a freshly loaded dataset. */
    computeProfile: async (_db: Db, _dataset: DatasetRecord): Promise<void> => {},
  };
}

import type { ServiceModule } from '../service-module.js';
import { accountsMigrations, createAccounts } from './accounts/index.js';
import { analyticsMigrations, createAnalytics } from './analytics/index.js';
import { datasetsMigrations } from './datasets/datasets.migrations.js';
import { datasetsRoutes } from './datasets/datasets.routes.js';
import { createDatasetsService, findReadableDataset } from './datasets/datasets.service.js';

/**
 * AXI: accounts and auth (it issues the platform's access tokens), CSV datasets and their
 * analytics. Migrations are numbered per feature: accounts 01xx, datasets 02xx, analytics 03xx.
 */
export const axiModule: ServiceModule = {
  name: 'axi',
  description: 'Accounts and auth; CSV datasets: upload, typed storage, profiles, correlations, cohorts',
  migrations: { ...accountsMigrations, ...datasetsMigrations, ...analyticsMigrations },
  create({ db, database, outbox, cache, config, clock, log, audit }) {
    const accounts = createAccounts({ db, outbox, cache, config, clock, log, audit });
    const analytics = createAnalytics({
      db,
      outbox,
      clock,
      log,
      datasets: { findReadable: (ctx, id) => findReadableDataset(db, ctx, id) },
    });
    const limits = { maxBytes: config.axi.uploadMaxBytes, maxColumns: config.axi.uploadMaxColumns };
    const datasets = createDatasetsService({
      db,
      database,
      outbox,
      cache,
      clock,
      log,
      audit,
      limits,
      profile: analytics.computeProfile,
    });
    return {
      routes: async (app) => {
        await app.register(accounts.wellKnownRoutes);
        await app.register(accounts.routes, { prefix: '/api/v1' });
        await app.register(datasetsRoutes, { prefix: '/api/v1', datasets, limits });
        await app.register(analytics.routes, { prefix: '/api/v1' });
      },
      consumers: [],
      start: accounts.start,
      tokenKeys: accounts.tokenKeys,
      apiKeys: accounts.apiKeys,
    };
  },
};

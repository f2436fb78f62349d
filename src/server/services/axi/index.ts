import type { ServiceModule } from '../service-module.js';
import { accountsMigrations, createAccounts } from './accounts/index.js';
import { analyticsMigrations, createAnalytics } from './analytics/index.js';
import { datasetsMigrations } from './datasets/datasets.migrations.js';

/**
 * AXI: accounts and auth (it issues the platform's access tokens), CSV datasets and their
 * analytics. Migrations are numbered per feature: accounts 01xx, datasets 02xx, analytics 03xx.
 */
export const axiModule: ServiceModule = {
  name: 'axi',
  description: 'Accounts and auth; CSV datasets: upload, typed storage, profiles, correlations, cohorts',
  migrations: { ...accountsMigrations, ...datasetsMigrations, ...analyticsMigrations },
  create({ db, outbox, cache, config, clock, log }) {
    const accounts = createAccounts({ db, outbox, cache, config, clock, log });
    const analytics = createAnalytics({
      db,
      outbox,
      clock,
      log,
      datasets: {
        findReadable: async () => {
          throw new Error('datasets are not wired yet');
        },
      },
    });
    return {
      routes: async (app) => {
        await app.register(accounts.wellKnownRoutes);
        await app.register(accounts.routes, { prefix: '/api/v1' });
        await app.register(analytics.routes, { prefix: '/api/v1' });
      },
      consumers: [],
      start: accounts.start,
      tokenKeys: accounts.tokenKeys,
    };
  },
};

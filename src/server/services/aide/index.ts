import type { ServiceModule } from '../service-module.js';
import { createNl2SqlService, nl2sqlMigrations, nl2sqlRoutes } from './nl2sql/index.js';

/**
 * AIDE: natural-language questions about AXI datasets, answered with read-only SQL (insights,
 * LLM providers, the answer cache and rate limits come next). It reads AXI's documented read
 * model (`axi.datasets`, `axi.dataset_profiles`, `axi_data`) from its own database handle: one
 * database in all-in-one mode; in split mode AIDE_DATABASE_URL must point at AXI's database.
 * Migrations are numbered per feature: nl2sql 01xx.
 */
export const aideModule: ServiceModule = {
  name: 'aide',
  description: 'Natural-language questions about datasets answered with read-only SQL; grounded insights',
  migrations: { ...nl2sqlMigrations },
  create({ db, outbox, clock, log, audit }) {
    const nl2sql = createNl2SqlService({ db, outbox, clock, log, audit });
    return {
      routes: async (app) => {
        await app.register(nl2sqlRoutes, { prefix: '/api/aide', nl2sql });
      },
      consumers: [
        {
          name: 'dataset-cleanup',
          patterns: ['dataset.deleted'],
          handle: (tx, event) => nl2sql.forgetDataset(tx, event.payload),
        },
      ],
    };
  },
};

import type { ServiceModule } from '../service-module.js';
import { createInsightsService, insightsRoutes } from './insights/index.js';
import { createNl2SqlService, nl2sqlMigrations, nl2sqlRoutes } from './nl2sql/index.js';
import { createSqlProviders } from './providers/index.js';

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
  create({ config, db, outbox, clock, log, audit }) {
    // Chosen once: LLM_PROVIDER (with its timeout, retries and breaker) or the built-in engine.
    const providers = createSqlProviders(config.llm);
    const nl2sql = createNl2SqlService({ db, outbox, clock, log, audit, providers });
    return {
      stop: async () => providers.shutdown(),
      routes: async (app) => {
        await app.register(nl2sqlRoutes, { prefix: '/api/aide', nl2sql });
        await app.register(insightsRoutes, {
          prefix: '/api/aide',
          insights: createInsightsService({ db, outbox, clock }),
        });
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

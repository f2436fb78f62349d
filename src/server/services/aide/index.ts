import type { ServiceModule } from '../service-module.js';
import { createAideMetrics } from './aide-metrics.js';
import { createAnswerCache } from './answer-cache.js';
import { createInsightsService, insightsRoutes } from './insights/index.js';
import { createNl2SqlService, nl2sqlMigrations, nl2sqlRoutes } from './nl2sql/index.js';
import { createSqlProviders } from './providers/index.js';
import { createRateLimits } from './rate-limits.js';
import { createUsageService, usageMigrations, usageRoutes } from './usage/index.js';

/**
 * AIDE: natural-language questions about AXI datasets answered with read-only SQL, and grounded
 * insights; an LLM provider when configured, else the built-in engine; answers cached per
 * dataset version, token buckets per user and per provider, and a usage ledger. It reads AXI's
 * documented read model (`axi.datasets`, `axi.dataset_profiles`, `axi_data`) from its own
 * database handle: one database in all-in-one mode; in split mode AIDE_DATABASE_URL must point
 * at AXI's database. Migrations are numbered per feature: nl2sql 010x, usage 011x.
 */
export const aideModule: ServiceModule = {
  name: 'aide',
  description: 'Natural-language questions about datasets answered with read-only SQL; grounded insights',
  migrations: { ...nl2sqlMigrations, ...usageMigrations },
  create({ config, db, outbox, clock, log, audit, cache, metrics: registry }) {
    // Chosen once: LLM_PROVIDER (with its timeout, retries and breaker) or the built-in engine.
    const providers = createSqlProviders(config.llm);
    const metrics = createAideMetrics(registry);
    const limits = createRateLimits({
      cache,
      log,
      metrics,
      userRate: config.aide.userRate,
      providerRate: config.llm.rate,
    });
    const answers = createAnswerCache({ cache, log, metrics, ttlMs: config.aide.cacheTtlMs });
    const usage = createUsageService({ db, clock, metrics, price: config.llm.price });
    const nl2sql = createNl2SqlService({ db, outbox, clock, log, audit, providers, limits, answers, usage });
    return {
      stop: async () => providers.shutdown(),
      routes: async (app) => {
        await app.register(nl2sqlRoutes, { prefix: '/api/aide', nl2sql });
        await app.register(usageRoutes, { prefix: '/api/aide', usage });
        await app.register(insightsRoutes, {
          prefix: '/api/aide',
          insights: createInsightsService({
            db,
            outbox,
            clock,
            rephraser: providers.rephraser,
            limits,
            answers,
            usage,
          }),
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

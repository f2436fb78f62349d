import type { ServiceModule } from '../service-module.js';
import { portfolioMigrations } from './migrations.js';
import { visitsRoutes } from './visits/visits.routes.js';
import { createVisitsService } from './visits/visits.service.js';

export const portfolioModule: ServiceModule = {
  name: 'portfolio',
  description: 'Public CV site: content, contact messages, visitor analytics',
  migrations: portfolioMigrations,
  create({ db, outbox, clock }) {
    const visits = createVisitsService({ db, outbox, clock });
    return {
      routes: async (app) => {
        await app.register(visitsRoutes, { prefix: '/api/portfolio', visits });
      },
      consumers: [],
    };
  },
};

import type { ServiceModule } from '../service-module.js';
import { eventStoreRoutes } from './event-store/event-store.routes.js';
import { createEventStoreService } from './event-store/event-store.service.js';
import { echoMigrations } from './migrations.js';

export const echoModule: ServiceModule = {
  name: 'echo',
  description: 'Event backbone: event store, routing, notifications, reports, dead letters, replay',
  migrations: echoMigrations,
  create({ db }) {
    const eventStore = createEventStoreService({ db });
    return {
      routes: async (app) => {
        await app.register(eventStoreRoutes, { prefix: '/api/echo', eventStore });
      },
      consumers: [
        { name: 'event-store', patterns: ['#'], handle: (tx, event) => eventStore.record(tx, event) },
      ],
    };
  },
};

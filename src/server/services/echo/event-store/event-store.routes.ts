import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Problem } from '../../../../contracts/http/problem.js';
import { EventPage, ListEventsQuery } from './event-store.schemas.js';
import type { EventStoreService } from './event-store.service.js';

export const eventStoreRoutes: FastifyPluginAsyncZod<{ eventStore: EventStoreService }> = async (
  app,
  { eventStore },
) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['echo'],
        summary: 'Events received by the event store, newest first (admin, analyst)',
        security: [{ bearerAuth: [] }],
        querystring: ListEventsQuery,
        response: { 200: EventPage, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    (req) => eventStore.list(req.ctx, req.query),
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Problem } from '../../../../contracts/http/problem.js';
import { TrackedVisit, TrackVisitBody, VisitSummary, VisitSummaryQuery } from './visits.schemas.js';
import type { VisitsService } from './visits.service.js';

export const visitsRoutes: FastifyPluginAsyncZod<{ visits: VisitsService }> = async (app, { visits }) => {
  app.post(
    '/visits',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Record a page view of the public site',
        body: TrackVisitBody,
        response: { 202: TrackedVisit, 400: Problem },
      },
    },
    async (req, reply) => reply.status(202).send(await visits.track(req.ctx, req.body)),
  );
  app.get(
    '/visits/summary',
    {
      schema: {
        tags: ['portfolio'],
        summary: 'Page views per path over the last days (admin)',
        security: [{ bearerAuth: [] }],
        querystring: VisitSummaryQuery,
        response: { 200: VisitSummary, 401: Problem, 403: Problem },
      },
    },
    (req) => visits.summary(req.ctx, req.query.days),
  );
};

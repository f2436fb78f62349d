import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { UsageQuery, UsageResponse } from '../../../../contracts/aide/usage.js';
import { Problem } from '../../../../contracts/http/problem.js';
import type { UsageService } from './usage.service.js';

export const usageRoutes: FastifyPluginAsyncZod<{ usage: UsageService }> = async (app, { usage }) => {
  app.get(
    '/usage',
    {
      schema: {
        tags: ['aide: usage'],
        security: [{ bearerAuth: [] }],
        summary: 'Requests, LLM tokens and cost per user, provider, model and feature over a window',
        description:
          'Needs the analyst or admin role, or an API key with the `analytics:run` scope. Callers see their own ' +
          'usage; an admin sees every user (or one, with `userId`). The window defaults to the last 30 days. ' +
          'Cost is in USD at the prices configured when each request ran (LLM_PRICE_*); cached answers cost nothing.',
        querystring: UsageQuery,
        response: { 200: UsageResponse, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    (request) => usage.summary(request.ctx, request.query),
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { History, HistoryQuery, Nl2SqlBody, Nl2SqlResponse } from '../../../../contracts/aide/nl2sql.js';
import { Problem } from '../../../../contracts/http/problem.js';
import type { Nl2SqlService } from './nl2sql.service.js';

const tags = ['aide: nl2sql'];
const auth = [{ bearerAuth: [] }];

export const nl2sqlRoutes: FastifyPluginAsyncZod<{ nl2sql: Nl2SqlService }> = async (app, { nl2sql }) => {
  app.post(
    '/nl2sql',
    {
      schema: {
        tags,
        security: auth,
        summary: 'Answer a question about a dataset in plain words with read-only SQL',
        description:
          'Needs the analyst or admin role, or an API key with the `analytics:run` scope. The SQL runs in a ' +
          'read-only sandbox over the dataset alone; at most 1,000 rows are returned. A question the engine ' +
          'does not understand is answered with `understood: false` and questions it does answer.',
        body: Nl2SqlBody,
        response: {
          200: Nl2SqlResponse,
          400: Problem,
          401: Problem,
          403: Problem,
          404: Problem,
          422: Problem,
        },
      },
    },
    (request) => nl2sql.ask(request.ctx, request.body),
  );

  app.get(
    '/history',
    {
      schema: {
        tags,
        security: auth,
        summary: "The caller's recent questions about a dataset, newest first",
        querystring: HistoryQuery,
        response: { 200: History, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    (request) => nl2sql.history(request.ctx, request.query),
  );
};

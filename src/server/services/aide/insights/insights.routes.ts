import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AnalyzeDatasetBody,
  AnalyzeDatasetResponse,
  InsightsParams,
  InsightsResponse,
} from '../../../../contracts/aide/insights.js';
import { Problem } from '../../../../contracts/http/problem.js';
import type { InsightsService } from './insights.service.js';

const tags = ['aide: insights'];
const security = [{ bearerAuth: [] }];
const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export const insightsRoutes: FastifyPluginAsyncZod<{ insights: InsightsService }> = async (
  app,
  { insights },
) => {
  app.post(
    '/insights/:dataset_id',
    {
      schema: {
        tags,
        security,
        summary: 'Up to 4 insights computed from a dataset, each with its numbers and a chart',
        description:
          'Needs the analyst or admin role, or an API key with the `analytics:run` scope. Chosen among ' +
          'correlations, outliers, growth over time, concentration in few categories and data quality, ' +
          'strongest first; fewer when little is notable. Every number in a title or explanation is in its ' +
          '`facts`. With an LLM configured, it rephrases the texts; a rephrasing with any number not in ' +
          'the facts is rejected and that insight keeps its template text (`rephrased: false`); when the ' +
          'LLM fails, every template stays and `fallback` says why.',
        params: InsightsParams,
        response: { 200: InsightsResponse, ...problems },
      },
    },
    (request) => insights.generate(request.ctx, request.params.dataset_id),
  );

  app.post(
    '/analyze-dataset',
    {
      schema: {
        tags,
        security,
        summary: 'The statistical summary of a dataset, each column explained in plain words',
        body: AnalyzeDatasetBody,
        response: { 200: AnalyzeDatasetResponse, ...problems },
      },
    },
    (request) => insights.analyze(request.ctx, request.body),
  );
};

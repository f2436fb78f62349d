import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CohortReport,
  CohortRequest,
  CorrelationReport,
  CorrelationRequest,
  DatasetIdParams,
  DatasetProfile,
  Report,
  ReportIdParams,
  ReportList,
  ReportListQuery,
} from '../../../../contracts/axi/analytics.js';
import { Problem } from '../../../../contracts/http/problem.js';
import { requireRole } from '../../../platform/http/request-context.js';
import type { AnalyticsService } from './analytics.service.js';

const tags = ['axi: analytics'];
const security = [{ bearerAuth: [] }];

export const analyticsRoutes: FastifyPluginAsyncZod<{ analytics: AnalyticsService }> = async (
  app,
  { analytics },
) => {
  app.get(
    '/datasets/:id/summary',
    {
      onRequest: requireRole(),
      schema: {
        tags,
        security,
        summary:
          'Profile of a dataset: per column counts, nulls, distinct, statistics, histogram or top values',
        params: DatasetIdParams,
        response: { 200: DatasetProfile, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    (req) => analytics.summary(req.ctx, req.params.id),
  );

  app.post(
    '/analytics/correlations',
    {
      onRequest: requireRole('analyst', 'admin'),
      schema: {
        tags,
        security,
        summary:
          'Correlation matrix (Pearson or Spearman) with n, p-values, 95% CIs and BH-adjusted p-values',
        description: 'Stored as a report; emits correlation.calculated. Needs role analyst or admin.',
        body: CorrelationRequest,
        response: { 201: CorrelationReport, 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => reply.status(201).send(await analytics.correlations(req.ctx, req.body)),
  );

  app.post(
    '/analytics/cohorts',
    {
      onRequest: requireRole('analyst', 'admin'),
      schema: {
        tags,
        security,
        summary:
          'Cohort retention matrix: cohort by first period, active entities and rates per period offset',
        description: 'Stored as a report; emits cohort.calculated. Needs role analyst or admin.',
        body: CohortRequest,
        response: { 201: CohortReport, 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem },
      },
    },
    async (req, reply) => reply.status(201).send(await analytics.cohorts(req.ctx, req.body)),
  );

  app.get(
    '/analytics/reports',
    {
      onRequest: requireRole(),
      schema: {
        tags,
        security,
        summary: "The caller's stored analysis results, newest first",
        querystring: ReportListQuery,
        response: { 200: ReportList, 400: Problem, 401: Problem },
      },
    },
    (req) => analytics.listReports(req.ctx, req.query),
  );

  app.get(
    '/analytics/reports/:id',
    {
      onRequest: requireRole(),
      schema: {
        tags,
        security,
        summary: 'One stored analysis result with its full result',
        params: ReportIdParams,
        response: { 200: Report, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    (req) => analytics.getReport(req.ctx, req.params.id),
  );
};

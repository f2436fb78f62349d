import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Problem } from '../../../../contracts/http/problem.js';
import {
  AggregateBody,
  AggregateResult,
  EventsPage,
  EventsQuery,
  ServiceAnalytics,
  ServiceAnalyticsParams,
  ServiceAnalyticsQuery,
  Timeline,
  TimelineQuery,
} from '../../../../contracts/mlog/query.js';
import type { QueryService } from './query.service.js';

const tags = ['mlog: query'];
const security = [{ bearerAuth: [] }];
const errors = { 400: Problem, 401: Problem, 403: Problem };

export const queryRoutes: FastifyPluginAsyncZod<{ query: QueryService }> = async (app, { query }) => {
  app.get(
    '/analytics/:service',
    {
      schema: {
        tags,
        security,
        summary:
          'Counts by action for one service over a window (default last 24 h); with users=true also distinct users',
        params: ServiceAnalyticsParams,
        querystring: ServiceAnalyticsQuery,
        response: { 200: ServiceAnalytics, ...errors },
      },
    },
    (req) => query.serviceAnalytics(req.ctx, req.params.service, req.query),
  );
  app.get(
    '/metrics/timeline',
    {
      schema: {
        tags,
        security,
        summary: 'Event counts per minute, hour or day, with filters',
        querystring: TimelineQuery,
        response: { 200: Timeline, ...errors },
      },
    },
    (req) => query.timeline(req.ctx, req.query),
  );
  app.get(
    '/events',
    {
      schema: {
        tags,
        security,
        summary: 'Events newest first, filtered, with cursor pagination',
        querystring: EventsQuery,
        response: { 200: EventsPage, ...errors },
      },
    },
    (req) => query.events(req.ctx, req.query),
  );
  app.post(
    '/aggregate',
    {
      schema: {
        tags,
        security,
        summary: 'Run a MongoDB-style aggregation pipeline (a subset) over the events',
        body: AggregateBody,
        response: { 200: AggregateResult, ...errors },
      },
    },
    (req) => query.aggregate(req.ctx, req.body.pipeline),
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Problem } from '../../../../contracts/http/problem.js';
import {
  Anomalies,
  AnomaliesQuery,
  DailyMetrics,
  DailyMetricsQuery,
  RetentionRun,
  SessionsQuery,
  UserSessions,
} from '../../../../contracts/mlog/lifecycle.js';
import { requireActor } from '../../../platform/http/request-context.js';
import type { AnomalyDetector } from './anomalies.service.js';
import type { Rollups } from './rollups.service.js';

const guarded = { 400: Problem, 401: Problem, 403: Problem };

export const lifecycleRoutes: FastifyPluginAsyncZod<{
  rollups: Rollups;
  anomalies: AnomalyDetector;
  runRetention: () => Promise<RetentionRun>;
}> = async (app, { rollups, anomalies, runRetention }) => {
  app.get(
    '/metrics/daily',
    {
      schema: {
        tags: ['mlog'],
        summary: 'Events and distinct users per UTC day, service and action (admin, analyst)',
        security: [{ bearerAuth: [] }],
        querystring: DailyMetricsQuery,
        response: { 200: DailyMetrics, ...guarded },
      },
    },
    (req) => rollups.dailyMetrics(req.ctx, req.query),
  );
  app.get(
    '/sessions',
    {
      schema: {
        tags: ['mlog'],
        summary: "A user's sessions, newest first (admin, analyst)",
        security: [{ bearerAuth: [] }],
        querystring: SessionsQuery,
        response: { 200: UserSessions, ...guarded },
      },
    },
    (req) => rollups.sessions(req.ctx, req.query),
  );
  app.get(
    '/anomalies',
    {
      schema: {
        tags: ['mlog'],
        summary: 'Recent anomaly detections, newest first (admin, analyst)',
        security: [{ bearerAuth: [] }],
        querystring: AnomaliesQuery,
        response: { 200: Anomalies, ...guarded },
      },
    },
    (req) => anomalies.list(req.ctx, req.query),
  );
  app.post(
    '/retention/run',
    {
      schema: {
        tags: ['mlog'],
        summary: 'Apply retention now: archive and drop expired partitions, delete expired rows (admin)',
        security: [{ bearerAuth: [] }],
        response: { 200: RetentionRun, 401: Problem, 403: Problem },
      },
    },
    async (req) => {
      requireActor(req.ctx, 'admin');
      return runRetention();
    },
  );
};

import type { FastifyPluginAsync } from 'fastify';
import { createWebhookSender } from '../../../platform/http/webhooks.js';
import type { ServiceDeps } from '../../service-module.js';
import type { RecordQuery } from '../query-audit.js';
import { createAnomalies } from './anomalies.service.js';
import { createJobTimer } from './job-timer.js';
import { lifecycleRoutes } from './lifecycle.routes.js';
import { createRetention } from './retention.service.js';
import { createRollups } from './rollups.service.js';

export { lifecycleMigrations } from './lifecycle.migrations.js';

const MINUTE_MS = 60_000;

/**
 * MLOG lifecycle: rollups (every 5 minutes), anomaly detection (every minute) and retention
 * (every hour; a partition expires once a day, the rerun is cheap). `jobs` runs each now, for
 * tests and the admin endpoint.
 */
export function createLifecycle({
  db,
  outbox,
  config,
  clock,
  log,
  recordQuery,
}: Pick<ServiceDeps, 'db' | 'outbox' | 'config' | 'clock' | 'log'> & { recordQuery: RecordQuery }) {
  const mlog = config.mlog;
  let webhooks: ReturnType<typeof createWebhookSender> | undefined;
  if (mlog.webhookUrls.length > 0) {
    if (mlog.webhookSecret) {
      webhooks = createWebhookSender('mlog.webhooks', {
        secret: mlog.webhookSecret,
        allowPrivate: mlog.webhookAllowPrivate,
        clock,
      });
    } else {
      // Never send unsigned: a receiver could not tell our alerts from anyone else's.
      log.warn('MLOG_WEBHOOK_URLS is set without MLOG_WEBHOOK_SECRET: anomaly webhooks are off');
    }
  }
  const rollups = createRollups({ db, clock, log, recordQuery });
  const anomalies = createAnomalies({ db, outbox, mlog, clock, log, webhooks, recordQuery });
  const retention = createRetention({ db, mlog, clock, log });

  const timers = {
    rollups: createJobTimer('rollups', 5 * MINUTE_MS, rollups.refresh, log),
    anomalies: createJobTimer('anomalies', MINUTE_MS, anomalies.detect, log),
    retention: createJobTimer('retention', 60 * MINUTE_MS, retention.run, log),
  };

  const routes: FastifyPluginAsync = async (app) => {
    await app.register(lifecycleRoutes, { rollups, anomalies, runRetention: timers.retention.runNow });
  };

  return {
    routes,
    jobs: {
      refreshRollups: timers.rollups.runNow,
      detectAnomalies: timers.anomalies.runNow,
      runRetention: timers.retention.runNow,
    },
    start: async () => {
      for (const t of Object.values(timers)) t.start();
    },
    stop: async () => {
      await Promise.all(Object.values(timers).map((t) => t.stop()));
      webhooks?.shutdown();
    },
  };
}

// PLACEHOLDER: replaced by the lifecycle feature (rollups, sessions, retention, anomalies, webhooks).
import type { FastifyPluginAsync } from 'fastify';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { ServiceDeps } from '../../service-module.js';

export const lifecycleMigrations: MigrationSet = {};

export function createLifecycle(_deps: Pick<ServiceDeps, 'db' | 'outbox' | 'config' | 'clock' | 'log'>) {
  const routes: FastifyPluginAsync = async () => {};
  return { routes, start: async () => {}, stop: async () => {} };
}

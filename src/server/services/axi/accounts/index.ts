// PLACEHOLDER: replaced by the accounts feature (users, auth, tokens, 2FA, roles, API keys).
import type { FastifyPluginAsync } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type { MigrationSet } from '../../../platform/db/migrate.js';
import type { ServiceDeps } from '../../service-module.js';

export const accountsMigrations: MigrationSet = {};

export function createAccounts(_deps: Pick<ServiceDeps, 'db' | 'outbox' | 'cache' | 'config' | 'clock' | 'log'>) {
  const routes: FastifyPluginAsync = async () => {};
  const wellKnownRoutes: FastifyPluginAsync = async () => {};
  return {
    routes,
    wellKnownRoutes,
    start: async () => {},
    tokenKeys: (): JSONWebKeySet | undefined => undefined,
  };
}

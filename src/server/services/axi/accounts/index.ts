import type { FastifyPluginAsync } from 'fastify';
import type { JSONWebKeySet } from 'jose';
import type { ServiceDeps } from '../../service-module.js';
import { adminRoutes } from './admin/admin.routes.js';
import { createAdminService } from './admin/admin.service.js';
import { apiKeysRoutes } from './api-keys/api-keys.routes.js';
import { createApiKeysService } from './api-keys/api-keys.service.js';
import { authRoutes } from './auth/auth.routes.js';
import { createAuthService } from './auth/auth.service.js';
import { createTokenIssuer } from './tokens/signing-keys.js';
import { wellKnownRoutes } from './tokens/well-known.routes.js';
import { createTwoFactorService } from './two-factor/two-factor.service.js';
import { usersRoutes } from './users/users.routes.js';
import { createUsersService } from './users/users.service.js';

export { accountsMigrations } from './accounts.migrations.js';

/**
 * AXI's accounts: registration, sign-in with lockout and optional TOTP, refresh-token rotation,
 * profiles, administration, API keys; and the ES256 key that signs the platform's access tokens.
 */
export function createAccounts(
  deps: Pick<ServiceDeps, 'db' | 'outbox' | 'cache' | 'config' | 'clock' | 'log' | 'audit'>,
) {
  const { db, cache, config, clock, log, audit } = deps;
  const issuer = createTokenIssuer({
    db,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
    signingKeyPem: config.auth.signingKeyPem,
    clock,
  });
  const auth = createAuthService({
    db,
    cache,
    clock,
    log,
    audit,
    issuer,
    adminEmails: config.axi.adminEmails,
    refreshTokenTtlDays: config.auth.refreshTokenTtlDays,
  });
  const users = createUsersService({ db, clock });
  const twoFactor = createTwoFactorService({ db, clock });
  const admin = createAdminService({ db, clock });
  const apiKeys = createApiKeysService({ db, clock });

  const routes: FastifyPluginAsync = async (app) => {
    await app.register(authRoutes, { auth });
    await app.register(usersRoutes, { users, twoFactor });
    await app.register(adminRoutes, { admin });
    await app.register(apiKeysRoutes, { apiKeys });
  };
  const wellKnown: FastifyPluginAsync = async (app) => {
    await app.register(wellKnownRoutes, { issuer });
  };

  return {
    routes,
    wellKnownRoutes: wellKnown,
    /** After migrations: the signing key (loaded, or created once per database) and the dummy hash. */
    start: async () => {
      await issuer.start();
      await auth.start();
    },
    tokenKeys: (): JSONWebKeySet | undefined => issuer.jwks(),
    /** For the platform: `X-API-Key` callers become Actors with the key's scopes. */
    apiKeys: apiKeys.resolver,
  };
}

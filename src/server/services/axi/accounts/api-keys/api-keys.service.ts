import { randomUUID } from 'node:crypto';
import {
  type ApiKey,
  type ApiKeyIntrospection,
  type ApiKeyList,
  type ApiKeyScope,
  apiKeyMaxLength,
  type CreateApiKeyBody,
  type CreatedApiKey,
} from '../../../../../contracts/axi/auth.js';
import type { ApiKeyResolver } from '../../../../platform/auth/api-key-resolver.js';
import type { Role } from '../../../../platform/auth/token-verifier.js';
import type { Db } from '../../../../platform/db/database.js';
import { NotFound, ValidationFailed } from '../../../../platform/http/errors.js';
import type { RequestContext } from '../../../../platform/http/request-context.js';
import { randomSecret, sha256 } from '../secrets.js';
import { loadCallingUser } from '../users/user-views.js';
import { UnknownApiKey } from './api-keys.errors.js';
import {
  type ApiKeyRow,
  findUsableApiKey,
  insertApiKey,
  listActiveApiKeys,
  revokeApiKey,
  touchApiKey,
} from './api-keys.repository.js';

/** Recognisable in logs and secret scanners; the rest is 256 random bits. */
export const apiKeyPrefix = 'axi_';
const shownPrefixLength = apiKeyPrefix.length + 8;
const lastUsedResolutionMs = 60_000;

/** The least role each scope needs. Admin is never reachable through a key. */
const roleForScope: Record<ApiKeyScope, Exclude<Role, 'admin'>> = {
  'datasets:read': 'viewer',
  'datasets:write': 'analyst',
  'analytics:run': 'analyst',
  'events:read': 'analyst',
  'audit:write': 'analyst',
  'audit:read': 'analyst',
};

function rolesHeldBy(roles: readonly Role[]): Set<Role> {
  const held = new Set<Role>(roles);
  if (held.has('admin')) held.add('analyst');
  if (held.has('analyst')) held.add('viewer');
  return held;
}

/**
 * What a key may do right now: its scopes that its owner's current roles still allow, and the
 * one role those need. A demoted owner's keys shrink with them.
 */
export function keyAuthority(scopes: readonly string[], ownerRoles: readonly Role[]) {
  const held = rolesHeldBy(ownerRoles);
  const allowed = scopes.filter(
    (s): s is ApiKeyScope => s in roleForScope && held.has(roleForScope[s as ApiKeyScope]),
  );
  const roles: Role[] = allowed.some((s) => roleForScope[s] === 'analyst')
    ? ['analyst']
    : allowed.length > 0
      ? ['viewer']
      : [];
  return { scopes: allowed, roles };
}

function toView(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as ApiKeyScope[],
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** API keys for machines: created by a signed-in user, scoped, stored as a hash, revocable. */
export function createApiKeysService({ db, clock }: { db: Db; clock: () => Date }) {
  const resolver: ApiKeyResolver = {
    async resolve(key) {
      if (!key.startsWith(apiKeyPrefix) || key.length > apiKeyMaxLength) return undefined;
      const now = clock();
      const found = await findUsableApiKey(db, sha256(key), now);
      if (!found) return undefined;
      const authority = keyAuthority(found.scopes, found.roles);
      if (authority.scopes.length === 0) return undefined;
      await touchApiKey(db, found.id, now, lastUsedResolutionMs);
      return { id: found.userId, roles: authority.roles, scopes: authority.scopes };
    },
  };

  return {
    resolver,

    /**
     * For services without AXI in their process (split mode): who a key acts as. Holding the key
     * is the only credential needed, since whoever holds it can already act as its owner.
     */
    async introspect(_ctx: RequestContext, key: string): Promise<ApiKeyIntrospection> {
      const actor = await resolver.resolve(key);
      if (!actor) throw new UnknownApiKey();
      return { userId: actor.id, roles: actor.roles, scopes: [...(actor.scopes ?? [])] };
    },

    async create(ctx: RequestContext, input: CreateApiKeyBody): Promise<CreatedApiKey> {
      const user = await loadCallingUser(db, ctx, { session: true });
      const held = rolesHeldBy(user.roles);
      const refused = input.scopes.filter((s) => !held.has(roleForScope[s]));
      if (refused.length > 0) {
        throw new ValidationFailed(
          refused.map((s) => ({ field: 'body.scopes', message: `${s} needs the role ${roleForScope[s]}` })),
          'You cannot give a key more than your own roles allow.',
        );
      }
      const key = `${apiKeyPrefix}${randomSecret(32)}`;
      const now = clock();
      const row: ApiKeyRow = {
        id: randomUUID(),
        userId: user.id,
        name: input.name,
        prefix: key.slice(0, shownPrefixLength),
        keyHash: sha256(key),
        scopes: input.scopes,
        createdAt: now,
        expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
        lastUsedAt: null,
        revokedAt: null,
      };
      await insertApiKey(db, row);
      ctx.log.info({ apiKeyId: row.id, scopes: row.scopes }, 'API key created');
      return { ...toView(row), key };
    },

    async list(ctx: RequestContext): Promise<ApiKeyList> {
      const user = await loadCallingUser(db, ctx, { session: true });
      return { items: (await listActiveApiKeys(db, user.id, clock())).map(toView) };
    },

    async revoke(ctx: RequestContext, id: string): Promise<void> {
      const user = await loadCallingUser(db, ctx, { session: true });
      // Another user's key is "not found", not "forbidden": ids of others' keys stay unconfirmed.
      if (!(await revokeApiKey(db, user.id, id, clock()))) throw new NotFound('No such API key.');
      ctx.log.info({ apiKeyId: id }, 'API key revoked');
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;

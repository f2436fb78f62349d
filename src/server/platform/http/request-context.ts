import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyResolver } from '../auth/api-key-resolver.js';
import { type Actor, InvalidToken, type Role, type TokenVerifier } from '../auth/token-verifier.js';
import { Forbidden, Unauthenticated } from './errors.js';

/** What every service function receives first: who is asking, and how to trace it. */
export interface RequestContext {
  actor: Actor | undefined;
  correlationId: string;
  log: FastifyBaseLogger;
}

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestContext;
  }
}

const correlationIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify `genReqId`: keep a well-formed incoming X-Correlation-ID, else mint one. */
export function correlationIdFrom(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-correlation-id'];
  return typeof given === 'string' && correlationIdPattern.test(given) ? given : randomUUID();
}

/**
 * Puts a RequestContext on every request and echoes the correlation id. A bearer token (or an
 * X-API-Key, when an issuer in this process resolves keys), when present, must be valid: a bad
 * one is a 401 even on a public route, so a client never silently acts as anonymous.
 */
export function registerRequestContext(
  app: FastifyInstance,
  verifier: TokenVerifier,
  apiKeys?: ApiKeyResolver,
) {
  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    request.ctx = { actor: undefined, correlationId: String(request.id), log: request.log };
    const header = request.headers.authorization;
    const apiKey = request.headers['x-api-key'];
    if (apiKey !== undefined) {
      if (header) throw new Unauthenticated('Send either a bearer token or an X-API-Key, not both.');
      const actor = typeof apiKey === 'string' && apiKeys ? await apiKeys.resolve(apiKey) : undefined;
      if (!actor) throw new Unauthenticated('The API key is unknown, revoked or expired.');
      request.ctx.actor = actor;
      request.ctx.log = request.log = request.log.child({ user: actor.id, via: 'api-key' });
      return;
    }
    if (!header) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new Unauthenticated('The Authorization header must be "Bearer <token>".');
    try {
      const actor = await verifier.verify(match[1]!);
      request.ctx.actor = actor;
      request.ctx.log = request.log = request.log.child({
        user: actor.id,
        ...(actor.tenant ? { tenant: actor.tenant } : {}),
      });
    } catch (err) {
      if (err instanceof InvalidToken)
        throw new Unauthenticated(`The bearer token was refused: ${err.reason}.`);
      throw err;
    }
  });
}

/** The caller, or a 401; with roles given, one of them is required (else 403). */
export function requireActor(ctx: RequestContext, ...anyOf: Role[]): Actor {
  if (!ctx.actor) throw new Unauthenticated();
  if (anyOf.length > 0 && !ctx.actor.roles.some((r) => anyOf.includes(r))) {
    throw new Forbidden(`This needs one of the roles: ${anyOf.join(', ')}.`);
  }
  return ctx.actor;
}

/**
 * For what an API key must be explicitly allowed to do: an API-key caller needs the scope; a
 * user's own token acts with all of the user's roles.
 */
export function requireScope(ctx: RequestContext, scope: string, ...anyOf: Role[]): Actor {
  const actor = requireActor(ctx, ...anyOf);
  if (actor.scopes && !actor.scopes.includes(scope)) {
    throw new Forbidden(`This API key lacks the scope ${scope}.`);
  }
  return actor;
}

/** Route `preHandler` form of requireActor, so the OpenAPI-visible route states its guard. */
export function requireRole(...anyOf: Role[]) {
  return async (request: FastifyRequest) => {
    requireActor(request.ctx, ...anyOf);
  };
}

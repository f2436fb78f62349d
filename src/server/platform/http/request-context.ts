import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
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
 * Puts a RequestContext on every request and echoes the correlation id. A bearer token, when
 * present, must be valid: a bad token is a 401 even on a public route, so a client never
 * silently acts as anonymous.
 */
export function registerRequestContext(app: FastifyInstance, verifier: TokenVerifier) {
  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
    request.ctx = { actor: undefined, correlationId: String(request.id), log: request.log };
    const header = request.headers.authorization;
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

/** Route `preHandler` form of requireActor, so the OpenAPI-visible route states its guard. */
export function requireRole(...anyOf: Role[]) {
  return async (request: FastifyRequest) => {
    requireActor(request.ctx, ...anyOf);
  };
}

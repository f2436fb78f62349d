import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiKeyIdParams,
  ApiKeyIntrospection,
  ApiKeyList,
  apiKeyScopes,
  CreateApiKeyBody,
  CreatedApiKey,
  IntrospectApiKeyBody,
} from '../../../../../contracts/axi/auth.js';
import { Problem } from '../../../../../contracts/http/problem.js';
import type { ApiKeysService } from './api-keys.service.js';

const security = [{ bearerAuth: [] }];
const scopeList = Object.entries(apiKeyScopes)
  .map(([scope, what]) => `\`${scope}\`: ${what}`)
  .join('; ');

/**
 * Introspection per calling IP, in its own bucket. Far above sign-in's 20 a minute: the callers are
 * service processes answering many clients (each caches an answer 30 s, a refusal 5 s), and
 * guessing a 256-bit key is hopeless at any rate; the limit only stops one caller flooding AXI.
 */
const introspectionLimit = {
  rateLimit: {
    max: 600,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => `api-key-introspect:${request.ip}`,
  },
};

export const apiKeysRoutes: FastifyPluginAsyncZod<{ apiKeys: ApiKeysService }> = async (app, { apiKeys }) => {
  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['axi: api keys'],
        summary: 'Create an API key for a machine; the secret is in this answer only',
        description: `Send it as \`X-API-Key\`. Scopes: ${scopeList}. A key acts with the least role its scopes need, never admin.`,
        security,
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKey, 400: Problem, 401: Problem, 403: Problem },
      },
    },
    async (req, reply) => reply.status(201).send(await apiKeys.create(req.ctx, req.body)),
  );

  app.get(
    '/api-keys',
    {
      schema: {
        tags: ['axi: api keys'],
        summary: 'Your usable API keys (no secrets), with when each was last used',
        security,
        response: { 200: ApiKeyList, 401: Problem, 403: Problem },
      },
    },
    (req) => apiKeys.list(req.ctx),
  );

  app.post(
    '/api-keys/introspect',
    {
      config: introspectionLimit,
      schema: {
        tags: ['axi: api keys'],
        summary: 'Who an API key acts as: for services that run without AXI in their process',
        description:
          'Send the key in the body (never as X-API-Key here). 200 with the owner, roles and scopes of a ' +
          `usable key; 404 \`unknown-api-key\` when it is unknown, revoked, expired or its owner is disabled. ` +
          'Needs no other credential: only a holder of the key learns anything. 600 requests per minute per IP.',
        body: IntrospectApiKeyBody,
        response: { 200: ApiKeyIntrospection, 400: Problem, 404: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      // An answer about a secret: no shared cache may keep it.
      reply.header('cache-control', 'no-store');
      return apiKeys.introspect(req.ctx, req.body.key);
    },
  );

  app.delete(
    '/api-keys/:id',
    {
      schema: {
        tags: ['axi: api keys'],
        summary: 'Revoke one of your API keys',
        security,
        params: ApiKeyIdParams,
        response: { 204: z.null(), 400: Problem, 401: Problem, 403: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      await apiKeys.revoke(req.ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};

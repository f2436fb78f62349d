import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ApiKeyIdParams,
  ApiKeyList,
  apiKeyScopes,
  CreateApiKeyBody,
  CreatedApiKey,
} from '../../../../../contracts/axi/auth.js';
import { Problem } from '../../../../../contracts/http/problem.js';
import type { ApiKeysService } from './api-keys.service.js';

const security = [{ bearerAuth: [] }];
const scopeList = Object.entries(apiKeyScopes)
  .map(([scope, what]) => `\`${scope}\`: ${what}`)
  .join('; ');

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

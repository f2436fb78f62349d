import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Jwks } from '../../../../../contracts/axi/auth.js';
import type { TokenIssuer } from './signing-keys.js';

/** AXI's public signing keys, so any service verifies access tokens without a shared secret. */
export const wellKnownRoutes: FastifyPluginAsyncZod<{ issuer: TokenIssuer }> = async (app, { issuer }) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['axi: auth'],
        summary: 'Public keys that verify access tokens (JWKS)',
        response: { 200: Jwks },
      },
    },
    async (_req, reply) => {
      // Short enough that a new key is picked up soon, long enough to spare us every verification.
      reply.header('cache-control', 'public, max-age=300');
      return { keys: issuer.jwks()?.keys ?? [] } as Jwks;
    },
  );
};

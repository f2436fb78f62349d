import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import {
  createJsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { ApiKeyResolver } from './platform/auth/api-key-resolver.js';
import type { TokenVerifier } from './platform/auth/token-verifier.js';
import type { Cache } from './platform/cache/cache.js';
import { createRateLimitStore } from './platform/cache/cache-rate-limit-store.js';
import type { Config, Listener } from './platform/config/load-config.js';
import { AppError } from './platform/http/errors.js';
import { registerProblemHandler, sendProblem } from './platform/http/problem-handler.js';
import { correlationIdFrom, registerRequestContext } from './platform/http/request-context.js';
import { type HealthCheck, registerHealthRoutes } from './platform/observability/health.js';
import type { Metrics } from './platform/observability/metrics.js';
import type { ServiceInstance, ServiceModule } from './services/service-module.js';

export interface AppDeps {
  config: Config;
  listener: Listener;
  log: Logger;
  metrics: Metrics;
  cache: Cache;
  verifier: TokenVerifier;
  /** Resolves X-API-Key callers when the key issuer (AXI) runs in this process. */
  apiKeys?: ApiKeyResolver;
  healthChecks: HealthCheck[];
  services: { module: ServiceModule; instance: ServiceInstance }[];
}

/**
 * The composition root of one HTTP listener: platform plumbing first (errors, context,
 * security, limits, docs, health), then each service's routes in a visible order, then the
 * web app. Nothing is autoloaded.
 */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, listener, metrics } = deps;
  const app = Fastify({
    loggerInstance: deps.log.child({ listener: listener.name }) as FastifyBaseLogger,
    // Our onResponse hook writes the one line per request; Fastify's own two are off.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'correlationId' }),
    genReqId: correlationIdFrom,
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API takes JSON only: Fastify's default text/plain parser would turn a wrong content type
  // into a confusing 400 ("expected object") instead of 415.
  app.removeContentTypeParser('text/plain');
  registerProblemHandler(app);

  // While closing, answers ask the client to drop the connection: a keep-alive socket that goes
  // idle after close() began would otherwise hold the server open until its timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // One log line and one histogram sample per request.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    metrics.httpDuration.observe(
      { listener: listener.name, method: request.method, route, status_code: String(reply.statusCode) },
      ms / 1000,
    );
    request.log.info(
      {
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(ms * 10) / 10,
      },
      'request',
    );
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        // TLS is terminated in front of us in production; on a plain-HTTP LAN address this
        // directive would send the browser to https for every asset.
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(cors, {
    // Same-origin needs no CORS; other origins only when listed.
    origin: (origin, cb) => cb(null, !origin ? false : config.http.corsOrigins.includes(origin)),
    credentials: true,
    exposedHeaders: ['x-correlation-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining'],
  });

  registerRequestContext(app, deps.verifier, deps.apiKeys);

  const { windowMs, perIp, perUser } = config.http.rateLimit;
  await app.register(rateLimit, {
    global: true,
    // If Redis is unreachable the API stays up unthrottled rather than failing every request;
    // /health/ready reports Redis down meanwhile.
    skipOnError: true,
    store: createRateLimitStore(deps.cache),
    timeWindow: windowMs,
    keyGenerator: (request) => (request.ctx?.actor ? `user:${request.ctx.actor.id}` : `ip:${request.ip}`),
    max: async (_request, key) => (key.startsWith('user:') ? perUser : perIp),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate-limited',
        429,
        'Too many requests',
        `Rate limit exceeded; retry in ${context.after}.`,
      ),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Analytics platform API',
        version: '0.1.0',
        description: `Services on this listener: ${deps.services.map((s) => s.module.name).join(', ') || 'none'}.`,
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: createJsonSchemaTransform({ skipList: ['/docs', '/docs/*', '/openapi.json'] }),
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Swagger UI inserts an inline <style>; and the page must work over plain HTTP on a LAN.
    transformStaticCSP: (header) =>
      header
        .replace("style-src 'self' https:", "style-src 'self' https: 'unsafe-inline'")
        .replace(/\s*upgrade-insecure-requests;/, ''),
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { rateLimit: false } }, async () =>
    app.swagger(),
  );

  registerHealthRoutes(app, { checks: deps.healthChecks, metrics });

  for (const { instance } of deps.services) {
    await app.register(instance.routes);
  }

  await registerWebApp(app, resolve(config.webDistDir));
  return app;
}

/**
 * Serves the built web app. Paths outside /api that match no file get index.html, so the
 * client-side router owns them; API paths keep their problem+json 404.
 */
async function registerWebApp(app: FastifyInstance, root: string) {
  const indexFile = resolve(root, 'index.html');
  const hasWeb = existsSync(indexFile);
  if (hasWeb) {
    await app.register(fastifyStatic, { root, wildcard: false, index: 'index.html' });
  }
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, (request, reply) => {
    const isPage =
      hasWeb &&
      (request.method === 'GET' || request.method === 'HEAD') &&
      !/^\/(api|health|docs|metrics)(\/|$)/.test(request.url) &&
      (request.headers.accept ?? '').includes('text/html');
    if (isPage) return reply.sendFile('index.html');
    return sendProblem(request, reply, {
      code: 'not-found',
      status: 404,
      title: 'Not found',
      detail: `No route for ${request.method} ${request.url.split('?')[0]}`,
    });
  });
}

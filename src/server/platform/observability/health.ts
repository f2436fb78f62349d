import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from './metrics.js';

export interface HealthCheck {
  /** What is checked, as an operator would name it: `database`, `redis`, `rabbitmq`. */
  name: string;
  check(): Promise<void>;
}

const CheckResult = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});
const Readiness = z.object({
  status: z.enum(['ok', 'down']),
  down: z.array(z.string()).describe('Names of the components that failed their check'),
  checks: z.record(z.string(), CheckResult),
});

async function runCheck(c: HealthCheck, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up' as const, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      status: 'down' as const,
      latencyMs: Math.round(performance.now() - started),
      error: (err as Error).message || String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** `/health/live` (the process answers), `/health/ready` (its components answer), `/metrics`. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { checks: HealthCheck[]; metrics: Metrics; timeoutMs?: number },
) {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const timeoutMs = deps.timeoutMs ?? 3_000;
  typed.get(
    '/health/live',
    {
      config: { rateLimit: false },
      schema: { tags: ['platform'], response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/health/ready',
    {
      config: { rateLimit: false },
      schema: { tags: ['platform'], response: { 200: Readiness, 503: Readiness } },
    },
    async (request, reply) => {
      const results = await Promise.all(
        deps.checks.map(async (c) => [c.name, await runCheck(c, timeoutMs)] as const),
      );
      const down = results.filter(([, r]) => r.status === 'down').map(([name]) => name);
      if (down.length > 0) request.log.warn({ down }, 'not ready');
      return reply.status(down.length > 0 ? 503 : 200).send({
        status: down.length > 0 ? 'down' : 'ok',
        down,
        checks: Object.fromEntries(results),
      });
    },
  );
  app.get('/metrics', { config: { rateLimit: false }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}

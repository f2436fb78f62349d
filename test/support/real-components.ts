import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { deleteAmqpTopology } from './amqp.js';
import { createPostgresDatabase } from './databases.js';
import type { ServerProcess } from './server-process.js';

export interface RealComponentUrls {
  db: string;
  amqp: string;
  redis: string;
}

/**
 * The real PostgreSQL, RabbitMQ and Redis of this run as one entry when all three TEST_* URLs
 * are set (always in CI), else none: `describe.each(realComponents())` then declares nothing.
 */
export function realComponents(): RealComponentUrls[] {
  const { TEST_DATABASE_URL: db, TEST_AMQP_URL: amqp, TEST_REDIS_URL: redis } = process.env;
  return db && amqp && redis ? [{ db, amqp, redis }] : [];
}

/**
 * For a describe block that starts server processes: the processes pushed to `running` are
 * killed, then `cleanups` run (in reverse order), after its tests, whatever they did.
 */
export function processesToCleanUp() {
  const running: ServerProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const p of running) p.kill();
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });
  /**
   * A fresh database, exchange and cache prefix on the real components: the environment split
   * processes share. `consumerQueues` are the durable queues they will declare (removed after).
   */
  async function freshSplitEnv(urls: RealComponentUrls, consumerQueues: string[]) {
    const database = await createPostgresDatabase(urls.db);
    cleanups.push(database.drop);
    const exchange = `test.${randomUUID()}`;
    cleanups.push(() => deleteAmqpTopology(urls.amqp, exchange, consumerQueues));
    return {
      DATABASE_URL: database.url,
      AMQP_URL: urls.amqp,
      AMQP_EXCHANGE: exchange,
      REDIS_URL: urls.redis,
      CACHE_KEY_PREFIX: `test:${randomUUID()}:`,
    };
  }
  return { running, cleanups, freshSplitEnv };
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../../src/contracts/events/index.js';
import { openEmbeddedDatabase } from '../../src/server/platform/db/database.js';
import { createEvent } from '../../src/server/platform/events/outbox.js';
import type { ServiceModule } from '../../src/server/services/service-module.js';
import { startTestRuntime } from '../support/test-runtime.js';

const slowDone = defineEvent({
  type: 'slow.done',
  version: 1,
  source: 'grasp',
  description: 'test event written by a slow request',
  payload: z.object({ n: z.number() }),
});

/** A stand-in service with one slow route that writes an event, to watch shutdown drain both. */
const slowModule: ServiceModule = {
  name: 'grasp',
  description: 'test service',
  migrations: {},
  create({ db, outbox }) {
    return {
      routes: async (app) => {
        app.post('/api/slow', async () => {
          await sleep(400);
          await db
            .transaction()
            .execute((tx) => outbox.add(tx, createEvent(slowDone, { correlationId: 'slow' }, { n: 1 })));
          return { done: true };
        });
      },
      consumers: [],
    };
  },
};

describe('graceful shutdown', () => {
  it('finishes in-flight requests, refuses new ones, and relays their events before closing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'shutdown-'));
    // A poll interval far longer than the test: only the relay's final pass can publish the event.
    const runtime = await startTestRuntime(
      { DATA_DIR: dataDir, OUTBOX_POLL_INTERVAL_MS: '600000' },
      { modules: [slowModule] },
    );
    const url = runtime.apps[0]!.url;
    const inFlight = fetch(`${url}/api/slow`, { method: 'POST' });
    await sleep(100);

    const closing = runtime.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    await closing;

    const reopened = await openEmbeddedDatabase({ dataDir });
    try {
      const { rows } = await sql<{
        type: string;
        status: string;
      }>`select type, status from grasp.outbox`.execute(reopened.db);
      expect(rows).toEqual([{ type: 'slow.done', status: 'published' }]);
    } finally {
      await reopened.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { Db } from '../../src/server/platform/db/database.js';
import type { Runtime } from '../../src/server/runtime.js';
import { testPassword } from './axi-accounts.js';
import { startTestRuntime } from './test-runtime.js';
import { createTestIssuer } from './tokens.js';
import { waitFor } from './wait-for.js';

/** Asserts a problem+json answer of `status` and `type`; returns its body. */
export function expectProblem(res: LightMyRequestResponse, status: number, type: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.type).toBe(type);
  return body as { detail?: string; errors?: { field: string; message: string }[] };
}

export interface AideTestApp {
  runtime: Runtime;
  app: FastifyInstance;
  /** AIDE's database (AXI's tables are in it too). */
  db: Db;
  /** Bearer headers: alice (analyst, a real AXI user), aliceViewer, bob (analyst), admin. */
  headers: Record<'alice' | 'aliceViewer' | 'bob' | 'admin', Record<string, string>>;
  aliceId: string;
  /** Uploads a CSV through AXI as alice; returns the dataset id. */
  upload(name: string, csv: string): Promise<string>;
  /**
   * Waits until AXI has stored the dataset's profile. What AIDE shows a provider about a dataset
   * (and so its cache version) changes once when the profile lands after an upload.
   */
  profiled(datasetId: string): Promise<void>;
}

/**
 * The whole platform in-process on `env` (a runtime target's), trusting a test issuer's tokens,
 * with alice registered on AXI (API keys and datasets need a real user).
 */
export async function startAideTestApp(env: Record<string, string>): Promise<AideTestApp> {
  const issuer = await createTestIssuer();
  // These tests ask far more questions a minute than a person would; the per-user token bucket
  // has its own test (aide-around.http.test.ts), which sets its own small limit.
  const runtime = await startTestRuntime(
    { AIDE_RATE_BURST: '100000', ...env },
    { tokenKeys: () => issuer.jwks },
  );
  const app = runtime.apps[0]!.app;
  const registered = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: `alice.${randomUUID()}@example.com`, password: testPassword },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const aliceId = registered.json().id as string;
  const bearer = async (sub: string, role: 'admin' | 'analyst' | 'viewer') => ({
    authorization: `Bearer ${await issuer.token({ sub, roles: [role] })}`,
  });
  const headers = {
    alice: await bearer(aliceId, 'analyst'),
    aliceViewer: await bearer(aliceId, 'viewer'),
    bob: await bearer(randomUUID(), 'analyst'),
    admin: await bearer(randomUUID(), 'admin'),
  };
  return {
    runtime,
    app,
    db: runtime.databases.get('aide')!.db,
    headers,
    aliceId,
    async upload(name, csv) {
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/datasets/upload?name=${encodeURIComponent(name)}`,
        headers: { ...headers.alice, 'content-type': 'text/csv' },
        payload: csv,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().dataset.id as string;
    },
    async profiled(datasetId) {
      const aide = runtime.databases.get('aide')!.db;
      await waitFor(
        async () =>
          (await aide
            .selectFrom('axi.datasetProfiles')
            .select('datasetId')
            .where('datasetId', '=', datasetId)
            .executeTakeFirst()) !== undefined,
        { what: `the profile of dataset ${datasetId}` },
      );
    },
  };
}

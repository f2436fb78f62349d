import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { signUpOnAxi } from '../support/axi-accounts.js';
import { processesToCleanUp, realComponents } from '../support/real-components.js';
import { freePorts, startServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait-for.js';

const regions = ['North', 'South', 'East'];
const rows = 24;
const csv = `Region,Amount\n${Array.from({ length: rows }, (_, i) => `${regions[i % 3]},${5 + i}`).join('\n')}\n`;

describe.each(realComponents())(
  'split: AIDE replicas share their cache and token buckets through Redis, and forget a deleted dataset',
  (urls) => {
    const { running, cleanups, freshSplitEnv } = processesToCleanUp();

    it('a question answered on one replica is a cache hit on the other; the per-user bucket is one bucket', async () => {
      const [axiPort, aidePort, replicaPort] = await freePorts(3);
      const axiUrl = `http://127.0.0.1:${axiPort}`;
      const env = {
        ...(await freshSplitEnv(urls, ['aide.dataset-cleanup'])),
        AUTH_JWKS_URL: `${axiUrl}/.well-known/jwks.json`,
        AUTH_API_KEY_INTROSPECTION_URL: `${axiUrl}/api/v1/api-keys/introspect`,
        OUTBOX_POLL_INTERVAL_MS: '100',
        AIDE_RATE_BURST: '4',
        AIDE_RATE_PER_MINUTE: '1',
      };
      const [axi, aide, replica] = await Promise.all([
        startServerProcess({ args: ['--service', 'axi'], env: { ...env, AXI_PORT: String(axiPort) } }),
        startServerProcess({ args: ['--service', 'aide'], env: { ...env, AIDE_PORT: String(aidePort) } }),
        startServerProcess({ args: ['--service', 'aide'], env: { ...env, AIDE_PORT: String(replicaPort) } }),
      ]);
      running.push(axi, aide, replica);

      const user = await signUpOnAxi(axiUrl);
      const bearer = { authorization: `Bearer ${user.accessToken}` };
      const uploaded = await fetch(`${axiUrl}/api/v1/datasets/upload?name=sales`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'text/csv' },
        body: csv,
      });
      expect(uploaded.status, await uploaded.clone().text()).toBe(201);
      const datasetId = ((await uploaded.json()) as { dataset: { id: string } }).dataset.id;
      // What AIDE shows of a dataset (its cache version) changes once, when AXI stores the profile.
      const db = new pg.Client({ connectionString: env.DATABASE_URL });
      await db.connect();
      cleanups.push(() => db.end());
      await waitFor(
        async () =>
          (await db.query('select 1 from axi.dataset_profiles where dataset_id = $1', [datasetId]))
            .rowCount === 1,
        { what: 'AXI to store the profile' },
      );

      const ask = (url: string, question: string) =>
        fetch(`${url}/api/aide/nl2sql`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ datasetId, question }),
        });
      const answer = async (url: string, question: string) => {
        const res = await ask(url, question);
        expect(res.status, await res.clone().text()).toBe(200);
        return (await res.json()) as { cached: boolean; rows: Record<string, unknown>[] };
      };

      const first = await answer(aide.url, 'how many rows');
      expect(first).toMatchObject({ cached: false, rows: [{ count: String(rows) }] });
      const second = await answer(replica.url, 'How many rows?');
      expect(second).toMatchObject({ cached: true, rows: [{ count: String(rows) }] });
      await answer(replica.url, 'total amount by region');
      await answer(aide.url, 'total amount by region');
      // Four requests over two processes used up the one bucket of four.
      const refused = await ask(replica.url, 'average amount');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

      const usage = await fetch(`${aide.url}/api/aide/usage`, { headers: bearer });
      const ledger = (await usage.json()) as { totals: { requests: number; cachedRequests: number } };
      expect(ledger.totals).toMatchObject({ requests: 4, cachedRequests: 2 });

      // Deleting the dataset on AXI reaches AIDE over RabbitMQ: its cached answers and its reader
      // role are dropped.
      const redis = new Redis(urls.redis);
      cleanups.push(async () => void redis.disconnect());
      const cachedKeys = async () => {
        const found: string[] = [];
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(
            cursor,
            'MATCH',
            `${env.CACHE_KEY_PREFIX}aide:answers:${datasetId}:*`,
          );
          cursor = next;
          found.push(...keys);
        } while (cursor !== '0');
        return found.length;
      };
      expect(await cachedKeys()).toBe(2);
      const { rows: reader } = await db.query<{ name: string }>(
        'select table_name as name from aide.reader_tables where dataset_id = $1',
        [datasetId],
      );
      const role = `aide_r_${reader[0]!.name.replace(/^ds_/, '')}`;
      const roles = async () =>
        (await db.query('select 1 from pg_roles where rolname = $1', [role])).rowCount;
      expect(await roles()).toBe(1);
      const deleted = await fetch(`${axiUrl}/api/v1/datasets/${datasetId}`, {
        method: 'DELETE',
        headers: bearer,
      });
      expect(deleted.status).toBe(204);
      await waitFor(async () => (await cachedKeys()) === 0, {
        timeoutMs: 15_000,
        what: "AIDE to drop the dataset's cache",
      });
      await waitFor(async () => (await roles()) === 0, {
        timeoutMs: 15_000,
        what: 'AIDE to drop the reader role',
      });

      for (const p of running) expect((await p.stop('SIGTERM')).code).toBe(0);
    });
  },
);

import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { revokeApiKeyOnAxi, signUpOnAxi, testPassword } from '../support/axi-accounts.js';
import { processesToCleanUp, realComponents } from '../support/real-components.js';
import { freePorts, type ServerProcess, startServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait-for.js';

describe.each(realComponents())(
  'split: API keys checked by AXI over HTTP, audit events sent to MLOG over HTTP',
  (urls) => {
    const { running, freshSplitEnv } = processesToCleanUp();

    it('a key made on AXI works on MLOG and ECHO, and an AXI replica without MLOG audits into MLOG', async () => {
      const [axiPort, mlogPort, echoPort, replicaPort] = await freePorts(4);
      const axiUrl = `http://127.0.0.1:${axiPort}`;
      const mlogUrl = `http://127.0.0.1:${mlogPort}`;
      const env = {
        ...(await freshSplitEnv(urls, ['echo.event-store'])),
        AUTH_JWKS_URL: `${axiUrl}/.well-known/jwks.json`,
        AUTH_API_KEY_INTROSPECTION_URL: `${axiUrl}/api/v1/api-keys/introspect`,
      };
      const start = (service: string, port: number, extra: Record<string, string> = {}) =>
        startServerProcess({
          args: ['--service', service],
          env: { ...env, [`${service.toUpperCase()}_PORT`]: String(port), ...extra },
        });

      const [axi, mlog] = await Promise.all([start('axi', axiPort!), start('mlog', mlogPort!)]);
      running.push(axi, mlog);
      // The key the AXI replica sends its audit events with; it reads the event store too.
      const owner = await signUpOnAxi(axiUrl, { scopes: ['audit:write', 'events:read'] });
      const key = owner.apiKey!.key;

      const [echo, replica] = await Promise.all([
        start('echo', echoPort!),
        // Another AXI process on the same database: it has no MLOG, so it sends over HTTP.
        start('axi', replicaPort!, { AUDIT_MLOG_URL: mlogUrl, AUDIT_API_KEY: key }),
      ]);
      running.push(echo, replica);
      const started = (p: ServerProcess) => p.logEntries().find((e) => e.msg === 'platform started')!;
      expect(started(mlog)).toMatchObject({ apiKeys: 'remote', audit: 'in-process' });
      expect(started(echo)).toMatchObject({ apiKeys: 'remote', audit: 'none' });
      expect(started(replica)).toMatchObject({ apiKeys: 'in-process', audit: `${mlogUrl}/` });

      // An X-API-Key is accepted by services that do not issue keys, as AXI says.
      const ingest = (apiKey: string) =>
        fetch(`${mlogUrl}/api/mlog/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
          body: JSON.stringify({
            timestamp: new Date().toISOString(),
            service: 'billing',
            action: 'invoice.sent',
          }),
        });
      expect((await ingest(key)).status).toBe(202);
      expect((await ingest(`axi_${randomUUID()}`)).status).toBe(401);
      const echoEvents = await fetch(`${echo.url}/api/echo/events`, { headers: { 'x-api-key': key } });
      expect(echoEvents.status, await echoEvents.clone().text()).toBe(200);

      // Actions on the replica become audit events in MLOG, read back with a token from AXI.
      const login = await fetch(`${replica.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': `split-${randomUUID()}` },
        body: JSON.stringify({ email: owner.email, password: testPassword }),
      });
      expect(login.status).toBe(200);
      const correlationId = login.headers.get('x-correlation-id');
      const bearer = { authorization: `Bearer ${owner.accessToken}` };
      const audited = await waitFor(
        async () => {
          const res = await fetch(`${mlogUrl}/api/mlog/events?service=axi&user_id=${owner.userId}`, {
            headers: bearer,
          });
          const page = (await res.json()) as { items: { action: string; correlationId: string | null }[] };
          return page.items.find((e) => e.action === 'login' && e.correlationId === correlationId);
        },
        { timeoutMs: 10_000, what: "the replica's login event to reach MLOG" },
      );
      expect(audited).toBeDefined();
      const sent = await waitFor(
        async () =>
          /^audit_events_sent_total (\d+)/m.exec(await (await fetch(`${replica.url}/metrics`)).text())?.[1],
        { what: "the replica's audit_events_sent_total" },
      );
      expect(Number(sent)).toBeGreaterThanOrEqual(1);
      const billing = await fetch(`${mlogUrl}/api/mlog/events?service=billing`, { headers: bearer });
      expect(((await billing.json()) as { items: unknown[] }).items).toHaveLength(1);

      // A revoked key that ECHO has not seen is refused at once (one it has seen, once its cached
      // answer expires: at most 30 s later).
      const other = await signUpOnAxi(axiUrl, { scopes: ['events:read'] });
      await revokeApiKeyOnAxi(axiUrl, other.accessToken, other.apiKey!.id);
      expect(
        (await fetch(`${echo.url}/api/echo/events`, { headers: { 'x-api-key': other.apiKey!.key } })).status,
      ).toBe(401);

      for (const p of running) expect((await p.stop('SIGTERM')).code).toBe(0);
    });
  },
);

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { processesToCleanUp, realComponents } from '../support/real-components.js';
import {
  freePort,
  repoRoot,
  type ServerProcess,
  serverEntry,
  startServerProcess,
} from '../support/server-process.js';
import { createTestIssuer } from '../support/tokens.js';
import { waitFor } from '../support/wait-for.js';

/** Runs the server and expects it to stop by itself; returns its exit code and output. */
function runToExit(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [serverEntry, ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        ...env,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('start-up failures stop the process with a message naming the cause', () => {
  it('a bad variable', async () => {
    const { code, output } = await runToExit([], { PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(code).toBe(1);
    expect(output).toMatch(/PORT: expected a port number/);
    expect(output).toMatch(/DATABASE_URL: expected a postgres:\/\/ URL/);
  });

  it('an unreachable database', async () => {
    const port = await freePort();
    const { code, output } = await runToExit([], {
      DATABASE_URL: `postgres://app:pw-not-logged@127.0.0.1:${port}/nowhere`,
      DB_CONNECTION_TIMEOUT_MS: '2000',
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /cannot reach the database at postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/nowhere \(DATABASE_URL/,
    );
    expect(output).not.toContain('pw-not-logged');
  });

  it('a service this build does not have', async () => {
    const { code, output } = await runToExit(['--service', 'mint'], {
      DATABASE_URL: 'postgres://127.0.0.1/x',
      AMQP_URL: 'amqp://127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1',
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /SERVICES: mint is not part of this build yet; available: axi, aide, echo, mlog, portfolio/,
    );
  });
});

describe('npm run migrate (main.js migrate)', () => {
  it('applies every schema once and exits 0; a second run has nothing to do', async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'migrate-')) };
    const first = await runToExit(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(
      /"schema":"echo","applied":\["0000_create_event_tables","0001_create_event_store"\]/,
    );
    expect(first.output).not.toMatch(/Server listening/);
    const second = await runToExit(['migrate'], env);
    expect(second.code).toBe(0);
    expect(second.output).toMatch(/"schema":"portfolio","applied":\[\],"msg":"schema up to date"/);
  });
});

describe('all-in-one on embedded defaults', () => {
  const running: ServerProcess[] = [];
  afterAll(() => {
    for (const p of running) p.kill();
  });

  it('keeps its data and its signing key across a restart and exits cleanly on SIGTERM', async () => {
    const env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'restart-')), AXI_ADMIN_EMAILS: 'root@example.com' };
    const first = await startServerProcess({ env });
    running.push(first);
    const account = { email: 'root@example.com', password: 'restart-Proof-lantern-31' };
    const registered = await fetch(`${first.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(registered.status).toBe(201);
    const login = await fetch(`${first.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    // A token issued before the restart must still verify after it: the key is stored.
    const admin = { authorization: `Bearer ${(await login.json()).accessToken}` };
    const posted = await fetch(`${first.url}/api/portfolio/visits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/projects' }),
    });
    expect(posted.status).toBe(202);
    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(first.logEntries().some((e) => e.msg === 'shutdown complete')).toBe(true);

    const second = await startServerProcess({ env });
    running.push(second);
    const summary = await fetch(`${second.url}/api/portfolio/visits/summary`, { headers: admin });
    expect(await summary.json()).toMatchObject({ total: 1, byPath: [{ path: '/projects', visits: 1 }] });
    const events = await fetch(`${second.url}/api/echo/events?type=visit.tracked`, { headers: admin });
    expect((await events.json()).items).toHaveLength(1);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  });
});

describe.each(realComponents())(
  'split: services in separate processes on real PostgreSQL, RabbitMQ and Redis',
  (urls) => {
    const { running, cleanups, freshSplitEnv } = processesToCleanUp();

    it('migrates once when processes start together, and an event from one service reaches the other', async () => {
      const splitEnv = await freshSplitEnv(urls, ['echo.event-store']);
      const issuer = await createTestIssuer();
      const jwks = await issuer.serve();
      cleanups.push(jwks.close);
      const [echoPort, portfolioPort, secondEchoPort] = [
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      const env = {
        ...splitEnv,
        AUTH_JWKS_URL: jwks.url,
        OUTBOX_POLL_INTERVAL_MS: '100',
      };

      // Three processes race to migrate the same database: two ECHO replicas and PORTFOLIO.
      const [echo, portfolio, echoReplica] = await Promise.all([
        startServerProcess({ args: ['--service', 'echo'], env: { ...env, ECHO_PORT: String(echoPort) } }),
        startServerProcess({
          args: ['--service', 'portfolio'],
          env: { ...env, PORTFOLIO_PORT: String(portfolioPort) },
        }),
        startServerProcess({
          args: ['--service', 'echo'],
          env: { ...env, ECHO_PORT: String(secondEchoPort) },
        }),
      ]);
      running.push(echo, portfolio, echoReplica);
      expect(Object.keys(echo.listeners)).toEqual(['echo']);
      expect(Object.keys(portfolio.listeners)).toEqual(['portfolio']);

      const client = new pg.Client({ connectionString: splitEnv.DATABASE_URL });
      await client.connect();
      const applied = await client.query(
        `select 'echo' as s, name from echo.schema_migrations union all select 'portfolio', name from portfolio.schema_migrations order by 1, 2`,
      );
      await client.end();
      expect(applied.rows).toEqual([
        { s: 'echo', name: '0000_create_event_tables' },
        { s: 'echo', name: '0001_create_event_store' },
        { s: 'portfolio', name: '0000_create_event_tables' },
        { s: 'portfolio', name: '0001_create_visits' },
      ]);

      const ready = await (await fetch(`${echo.url}/health/ready`)).json();
      expect(ready).toMatchObject({
        status: 'ok',
        checks: { database: { status: 'up' }, redis: { status: 'up' }, rabbitmq: { status: 'up' } },
      });
      // Each process serves only its own service.
      expect((await fetch(`${echo.url}/api/portfolio/visits`, { method: 'POST' })).status).toBe(404);

      const correlationId = `split-${randomUUID()}`;
      const posted = await fetch(`${portfolio.url}/api/portfolio/visits`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
        body: JSON.stringify({ path: '/split' }),
      });
      expect(posted.status).toBe(202);
      const { id } = (await posted.json()) as { id: string };

      const admin = { authorization: `Bearer ${await issuer.token({ sub: 'admin-1', roles: ['admin'] })}` };
      const event = await waitFor(
        async () => {
          const res = await fetch(`${echo.url}/api/echo/events?correlationId=${correlationId}`, {
            headers: admin,
          });
          const body = (await res.json()) as {
            items: { type: string; source: string; payload: { visitId: string } }[];
          };
          return body.items[0];
        },
        { timeoutMs: 15_000, what: 'visit.tracked to reach ECHO' },
      );
      expect(event).toMatchObject({ type: 'visit.tracked', source: 'portfolio', payload: { visitId: id } });

      for (const p of running) expect((await p.stop('SIGTERM')).code).toBe(0);
    });
  },
);

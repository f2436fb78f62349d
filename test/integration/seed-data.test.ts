import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoAccount } from '../../scripts/demo-account.js';
import { repoRoot, type ServerProcess, startServerProcess } from '../support/server-process.js';

const run = promisify(execFile);

/** `npm run seed-data` against a freshly started server, twice (the second run adds nothing). */
describe('npm run seed-data', () => {
  let server: ServerProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'seed-test-'));

  beforeAll(async () => {
    server = await startServerProcess({ env: { DATA_DIR: dataDir }, startTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const seed = () =>
    run(process.execPath, ['--import', 'tsx', 'scripts/seed-data.ts', '--base-url', server.url], {
      cwd: repoRoot,
      timeout: 60_000,
    });

  it('creates the demo account and its datasets once, typed as a person would expect', async () => {
    const first = await seed();
    expect(first.stdout).toContain(`created demo account ${demoAccount.email}`);
    const second = await seed();
    expect(second.stdout).toContain('found demo account');
    expect(second.stdout).toContain('already there');

    const login = await fetch(`${server.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: demoAccount.email, password: demoAccount.password }),
    });
    expect(login.status).toBe(200);
    const auth = { authorization: `Bearer ${(await login.json()).accessToken}` };
    const list = await (await fetch(`${server.url}/api/v1/datasets?sort=name`, { headers: auth })).json();
    expect(list.total).toBe(3);

    const staffId = list.items.find((d: { name: string }) => d.name.includes('staff')).id;
    const staff = await (await fetch(`${server.url}/api/v1/datasets/${staffId}`, { headers: auth })).json();
    expect(staff).toMatchObject({ encoding: 'windows-1252', delimiter: ';', rowCount: 5 });
    const types = Object.fromEntries(
      staff.columns.map((c: { originalName: string; type: string }) => [c.originalName, c.type]),
    );
    expect(types).toEqual({
      Name: 'text',
      Département: 'text',
      'Start date': 'date',
      'Salary (€)': 'integer',
      Remote: 'text',
    });
    const rows = await (
      await fetch(`${server.url}/api/v1/datasets/${staffId}/rows?limit=1`, { headers: auth })
    ).json();
    expect(rows.rows[0]).toEqual(['Zoë Müller', 'Ventes', '2019-03-15', 52000, 'Oui']);
  });
});

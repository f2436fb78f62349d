import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshotDir } from './browser.js';
import { repoRoot, type ServerProcess, serverEntry, startServerProcess } from './server-process.js';

/**
 * The web build the browser tests serve: `dist/web` (as `npm test` builds it) unless
 * E2E_WEB_DIST_DIR names another, e.g. `npx vite build --outDir /tmp/e2e-web` while other work
 * has `dist/web` in flux.
 */
export const e2eWebDist = resolve(repoRoot, process.env.E2E_WEB_DIST_DIR ?? 'dist/web');

export interface E2eApp {
  server: ServerProcess;
  browser: Browser;
  /** Light colour scheme, 1280 x 900. */
  context: BrowserContext;
  /** JSON (or, for a string body, CSV) request to the server; the answer's status and JSON body. */
  api(
    path: string,
    init?: { method?: string; body?: unknown; token?: string },
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Registers and signs in through the API (the e-mail is the admin one); returns the token. */
  signUp(email: string, password: string): Promise<string>;
  /** Uploads a CSV through the API as the token's user; returns the dataset id. */
  uploadCsv(name: string, csv: string, token: string): Promise<string>;
  /** Signs in through the page's form and waits for the hub. */
  signInOnPage(page: Page, email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

/** The built server in its own process on a fresh data directory, and a Chromium. */
export async function startE2eApp({
  adminEmail,
  name,
}: {
  adminEmail: string;
  name: string;
}): Promise<E2eApp> {
  if (!existsSync(serverEntry) || !existsSync(join(e2eWebDist, 'index.html'))) {
    throw new Error(
      `dist/server/main.js or ${e2eWebDist}/index.html is missing: run \`npm run build\` first`,
    );
  }
  await mkdir(screenshotDir, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), `${name}-e2e-`));
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServerProcess({
      env: { DATA_DIR: dataDir, AXI_ADMIN_EMAILS: adminEmail, WEB_DIST_DIR: e2eWebDist },
    });
    browser = await launchChromium();
  } catch (err) {
    await browser?.close();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  const base = server.url;

  const api: E2eApp['api'] = async (path, init = {}) => {
    const csv = typeof init.body === 'string';
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined ? { 'content-type': csv ? 'text/csv' : 'application/json' } : {}),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body !== undefined ? { body: csv ? (init.body as string) : JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  return {
    server,
    browser,
    context,
    api,
    async signUp(email, password) {
      const registered = await api('/api/v1/auth/register', { method: 'POST', body: { email, password } });
      if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
      const login = await api('/api/v1/auth/token', { method: 'POST', body: { email, password } });
      const token = login.body.accessToken;
      if (typeof token !== 'string') throw new Error(`sign-in answered ${login.status}`);
      return token;
    },
    async uploadCsv(name, csv, token) {
      const upload = await api(`/api/v1/datasets/upload?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: csv,
        token,
      });
      if (upload.status !== 201)
        throw new Error(`upload answered ${upload.status}: ${JSON.stringify(upload.body)}`);
      return (upload.body.dataset as { id: string }).id;
    },
    async signInOnPage(page, email, password) {
      await page.goto(`${base}/app/sign-in`);
      await page.getByLabel('E-mail').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor();
    },
    async close() {
      await browser.close();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

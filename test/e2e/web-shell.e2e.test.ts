import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, noProblems, openPage as openPageIn, screenshotDir } from '../support/browser.js';
import { repoRoot, type ServerProcess, serverEntry, startServerProcess } from '../support/server-process.js';

/**
 * The built artefact end to end: `node dist/server/main.js` on embedded defaults, driven by a real
 * Chromium. Checks that the web shell renders under the production CSP, that /docs serves the
 * Swagger UI, some accessibility basics, and a clean SIGTERM shutdown.
 */

let server: ServerProcess | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let dataDir: string | undefined;
const openPage = () => openPageIn(context!);

describe('web shell in Chromium against the built server', () => {
  beforeAll(async () => {
    if (!existsSync(serverEntry) || !existsSync(resolve(repoRoot, 'dist/web/index.html'))) {
      throw new Error('dist/server/main.js or dist/web/index.html is missing: run `npm run build` first');
    }
    await mkdir(screenshotDir, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'web-shell-e2e-'));
    server = await startServerProcess({ env: { APP_ENV: 'local', DATA_DIR: dataDir } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1024, height: 768 }, colorScheme: 'light' });
  });

  afterEach(async () => {
    // Close this test's pages even when it failed half-way.
    for (const page of context?.pages() ?? []) await page.close();
  });

  afterAll(async () => {
    await browser?.close();
    server?.kill();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('renders the shell with the platform status, without console errors or CSP violations', async () => {
    const { page, problems } = await openPage();
    const response = await page.goto(`${server!.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");

    await expect(page.title()).resolves.toBe('Analytics platform');
    await page.getByRole('heading', { level: 1, name: 'NEXUS' }).waitFor();
    await page.getByText('All components are up', { exact: true }).waitFor();
    await page
      .getByRole('listitem')
      .filter({ hasText: /^\s*database: up \(\d+ ms\)$/ })
      .waitFor();
    await expect(page.getByRole('link', { name: 'API documentation' }).getAttribute('href')).resolves.toBe(
      '/docs',
    );

    await page.screenshot({ path: join(screenshotDir, 'web-shell.png'), fullPage: true });
    expect(await problems()).toEqual(noProblems);
  });

  test('meets basic accessibility expectations', async () => {
    const { page } = await openPage();
    await page.goto(`${server!.url}/`);
    await page.getByText('All components are up').waitFor();

    const facts = await page.evaluate(() => {
      const accessibleName = (el: Element) =>
        (el.getAttribute('aria-label') ?? el.textContent ?? el.getAttribute('title') ?? '').trim();
      return {
        lang: document.documentElement.lang,
        title: document.title,
        viewport: document.querySelector('meta[name="viewport"]')?.getAttribute('content') ?? '',
        headingLevels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) =>
          Number(h.tagName[1]),
        ),
        unnamedControls: [...document.querySelectorAll('a[href], button, input, select, textarea')]
          .filter((el) => accessibleName(el) === '')
          .map((el) => el.outerHTML),
        imagesWithoutAlt: [...document.querySelectorAll('img:not([alt])')].map((el) => el.outerHTML),
        duplicateIds: [...document.querySelectorAll('[id]')]
          .map((el) => el.id)
          .filter((id, i, all) => all.indexOf(id) !== i),
      };
    });
    expect(facts.lang).toMatch(/^[a-z]{2}(-[A-Za-z]+)?$/);
    expect(facts.title.trim()).not.toBe('');
    expect(facts.viewport).toContain('width=device-width');
    expect(facts.headingLevels[0], 'the first heading is an h1').toBe(1);
    expect(
      facts.headingLevels.filter((l) => l === 1),
      'exactly one h1',
    ).toHaveLength(1);
    for (let i = 1; i < facts.headingLevels.length; i++) {
      expect(
        facts.headingLevels[i]! - facts.headingLevels[i - 1]!,
        'heading levels do not skip',
      ).toBeLessThanOrEqual(1);
    }
    expect(facts.unnamedControls).toEqual([]);
    expect(facts.imagesWithoutAlt).toEqual([]);
    expect(facts.duplicateIds).toEqual([]);

    // Landmarks, as assistive technology sees them.
    await expect(page.getByRole('main').count()).resolves.toBe(1);
    await expect(page.getByRole('banner').count()).resolves.toBe(1);
    await expect(page.getByRole('navigation', { name: 'Developer links' }).count()).resolves.toBe(1);
    await expect(page.getByRole('region', { name: 'Platform status' }).count()).resolves.toBe(1);
    const tree = await page.locator('body').ariaSnapshot();
    expect(tree).toContain('- banner:');
    expect(tree).toContain('- heading "NEXUS" [level=1]');
    expect(tree).toContain('- main:');
    expect(tree).toContain('- heading "Platform status" [level=2]');

    // The links are reachable with the keyboard, in reading order.
    for (const name of ['Open the hub', 'Create an account', 'API documentation', 'Metrics']) {
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(name);
    }
  });

  test('the /docs link leads to the Swagger UI', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${server!.url}/`);
    await page.getByRole('link', { name: 'API documentation' }).click();
    await page.waitForURL(/\/docs/);
    await page.getByRole('heading', { name: /Analytics platform API/ }).waitFor();
    // The spec was loaded and rendered: at least one operation of a service is listed.
    await page.locator('.opblock').first().waitFor();

    await page.screenshot({ path: join(screenshotDir, 'docs.png'), fullPage: false });
    expect(await problems()).toEqual(noProblems);
  });

  test('stops cleanly on SIGTERM (exit code 0)', async () => {
    const result = await server!.stop('SIGTERM');
    expect(result, server!.logs().join('\n')).toEqual({ code: 0, signal: null });
    expect(server!.logEntries().some((e) => e.msg === 'shutdown complete')).toBe(true);
  });
});

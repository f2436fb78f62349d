import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  noProblems,
  openPage,
  realProblems,
  screenshotDir,
  seriousAxeViolations,
} from '../support/browser.js';
import { type E2eApp, startE2eApp } from '../support/e2e-app.js';

/**
 * An admin's "AI usage" page in a real Chromium against the built server: two questions (the
 * second the same as the first, so it is answered from the cache) and one insights run go
 * through the API, then the page's tiles say 3 requests, 1 from the cache, none by the built-in
 * engine instead of an LLM, and $0.00 (the built-in engine costs nothing); the table names the
 * user by e-mail, the window picker goes into the address. axe finds no serious or critical
 * violations in light and dark and at a phone's width, where the page does not scroll sideways.
 *
 * The web build is `dist/web` unless E2E_WEB_DIST_DIR names another, e.g.
 * `npx vite build --outDir /tmp/e2e-web-usage` while other work has `dist/web` in flux.
 */

const email = 'usage-admin@example.com';
const password = 'correct-Horse-battery-77';

function salesCsv() {
  const lines = ['month,region,revenue,units'];
  for (let i = 0; i < 48; i++) {
    const month = `2025-${String(1 + (i % 12)).padStart(2, '0')}-01`;
    lines.push(`${month},${['North', 'South', 'East'][i % 3]},${100 + i * 13 + (i % 5) * 40},${3 + (i % 7)}`);
  }
  return `${lines.join('\n')}\n`;
}

let app: E2eApp | undefined;

/** Screenshot (into test-results and /tmp/aide-usage-<name>.png) and axe scan of the page. */
async function checkScreen(page: Page, name: string) {
  await page.screenshot({ path: join(screenshotDir, `aide-usage-${name}.png`), fullPage: true });
  await page.screenshot({ path: `/tmp/aide-usage-${name}.png`, fullPage: true });
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
}

const tile = (page: Page, key: string) => page.getByTestId(`usage-${key}-value`).textContent();

describe('AIDE usage page in Chromium', () => {
  beforeAll(async () => {
    app = await startE2eApp({ adminEmail: email, name: 'aide-usage' });
  });

  afterAll(async () => {
    await app?.close();
  });

  test('counts questions, a cached answer and insights; light, dark and phone', async () => {
    const token = await app!.signUp(email, password);
    const datasetId = await app!.uploadCsv('Sales', salesCsv(), token);

    // The same question until it comes from the cache: the first answer is computed, and so is
    // one asked just after AXI stores the profile (what AIDE shows of the dataset, so its cache
    // version, changes then).
    let asked = 0;
    let cached = false;
    while (!cached && asked < 5) {
      const answer = await app!.api('/api/aide/nl2sql', {
        method: 'POST',
        body: { datasetId, question: 'total revenue by region' },
        token,
      });
      expect(answer.status).toBe(200);
      asked++;
      cached = Boolean(answer.body.cached);
      if (!cached) await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(cached, 'an answer from the cache').toBe(true);
    const insights = await app!.api(`/api/aide/insights/${datasetId}`, { method: 'POST', token });
    expect(insights.status).toBe(200);

    const { page, problems } = await openPage(app!.context);
    await app!.signInOnPage(page, email, password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI usage' }).click();
    await page.getByRole('heading', { level: 1, name: 'AI usage' }).waitFor();
    await page.getByTestId('usage-requests-value').waitFor({ timeout: 15_000 });

    await expect(tile(page, 'requests')).resolves.toBe(String(asked + 1));
    await expect(tile(page, 'cached')).resolves.toBe('1');
    await expect(tile(page, 'fallback')).resolves.toBe('0');
    await expect(tile(page, 'cost')).resolves.toBe('$0.00');
    await expect(page.getByTestId('usage-cost-note').count()).resolves.toBe(0);

    // One row per feature, both the admin's own, named by e-mail once the user list is in.
    const table = page.getByRole('table', { name: /Usage by user, provider, model and feature/ });
    const questions = table.getByRole('row', { name: new RegExp(`^${email} Questions Built-in engine`) });
    await questions.waitFor();
    expect(await questions.getByRole('cell').allTextContents()).toEqual([
      'Questions',
      'Built-in engine',
      '—',
      String(asked),
      '1',
      '0',
      '0',
      '0',
      '$0.00',
    ]);
    await table
      .getByRole('row', { name: new RegExp(`^${email} Insights Built-in engine — 1 0 0`) })
      .waitFor();
    await page.getByLabel('User', { exact: true }).selectOption({ label: email });
    await page.waitForURL(/\/app\/ai-usage\?user=/);
    await checkScreen(page, 'light');

    // Another window goes into the address and is asked for.
    const usageRequest = page.waitForRequest((r) => r.url().includes('/api/aide/usage?'));
    await page.getByLabel('Window', { exact: true }).selectOption('7d');
    const params = new URL((await usageRequest).url()).searchParams;
    expect((Date.parse(params.get('to')!) - Date.parse(params.get('from')!)) / 86_400_000).toBe(7);
    await page.waitForURL(/range=7d/);
    await expect(tile(page, 'requests')).resolves.toBe(String(asked + 1));

    await page.getByLabel('Theme').selectOption('dark');
    await checkScreen(page, 'dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await checkScreen(page, 'phone-dark');
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, 'the page scrolls sideways at a phone width').toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Theme').selectOption('light');

    expect(realProblems(await problems())).toEqual(noProblems);
  });
});

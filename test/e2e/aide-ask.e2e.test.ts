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
 * An analyst asks questions of a dataset on its NEXUS page in a real Chromium against the built
 * server: a count equals the rows uploaded, a grouped total shows its table (each group's total
 * checked against the CSV) and a chart, nonsense gets "I did not understand" with suggestions
 * and a suggestion is then answered, the SQL is copied, the history asks a question again, and
 * each answered question is the context of the next until a new conversation starts. axe finds
 * no serious or critical violations, in light and dark and at a phone's width.
 *
 * The web build is `dist/web` unless E2E_WEB_DIST_DIR names another, e.g.
 * `npx vite build --outDir /tmp/e2e-web-aide` while other work has `dist/web` in flux.
 */

const email = 'asker@example.com';
const password = 'correct-Horse-battery-77';
const regions = ['North', 'South', 'East'];
const rowCount = 60;

/** Orders over three regions with unequal totals, so the grouped answer can be checked. */
function ordersCsv() {
  const lines = ['customer,order_date,amount,items,region'];
  const totals = new Map<string, number>();
  for (let i = 0; i < rowCount; i++) {
    const region = regions[[0, 0, 0, 1, 1, 2][i % 6]!]!;
    const amount = 10 + ((i * 7) % 23);
    totals.set(region, (totals.get(region) ?? 0) + amount);
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`c${(i % 9) + 1},2025-0${1 + (i % 6)}-${day},${amount},${1 + (i % 4)},${region}`);
  }
  return { csv: `${lines.join('\n')}\n`, totals };
}

let app: E2eApp | undefined;

/** Screenshots of the panel (into test-results and /tmp/aide-<name>.png) and an axe scan of the page. */
async function checkScreen(page: Page, name: string) {
  const panel = page.locator('#ask');
  await panel.screenshot({ path: join(screenshotDir, `aide-${name}.png`) });
  await panel.screenshot({ path: `/tmp/aide-${name}.png` });
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
}

describe('AIDE "Ask a question" on the dataset page in Chromium', () => {
  beforeAll(async () => {
    app = await startE2eApp({ adminEmail: email, name: 'aide' });
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.server.url });
  });

  afterAll(async () => {
    await app?.close();
  });

  test('count, grouped total with chart, not understood and a suggestion, copy, history', async () => {
    const token = await app!.signUp(email, password);
    const { csv, totals } = ordersCsv();
    const datasetId = await app!.uploadCsv('Orders', csv, token);

    const { page, problems } = await openPage(app!.context);
    await app!.signInOnPage(page, email, password);
    await page.goto(`${app!.server.url}/app/datasets/${datasetId}`);
    const panel = page.locator('#ask');
    const box = panel.getByRole('textbox', { name: 'Question' });
    await box.waitFor({ timeout: 20_000 });

    // A count: the number equals the rows uploaded.
    await box.fill('how many rows');
    await box.press('Enter');
    const number = panel.getByTestId('answer-number');
    await number.waitFor({ timeout: 15_000 });
    await expect(number.textContent()).resolves.toBe(String(rowCount));
    await checkScreen(page, 'count-light');

    // The next question is a follow-up: the panel says to what, and sends it as context.
    await expect(panel.getByTestId('follow-up').textContent()).resolves.toBe('Follow-up to: “how many rows”');
    const sent = page.waitForRequest((r) => r.url().endsWith('/api/aide/nl2sql'));

    // A grouped total: each region's total as the CSV says, a bar chart, the SQL copied.
    await box.fill('total amount by region');
    await box.press('Enter');
    expect((await sent).postDataJSON()).toMatchObject({
      question: 'total amount by region',
      context: ['how many rows'],
    });
    const rows = panel.getByRole('table', { name: 'Rows of the answer' });
    for (const [region, total] of totals) {
      await rows.getByRole('row', { name: new RegExp(`^${region} ${total}$`) }).waitFor({ timeout: 15_000 });
    }
    await panel.getByRole('img', { name: /chart of .* by region/ }).waitFor();
    const painted = await panel.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
      return opaque;
    });
    expect(painted).toBeGreaterThan(1000);
    const sql = await panel.locator('pre code').textContent();
    expect(sql).toMatch(/^SELECT/i);
    await panel.getByRole('button', { name: 'Copy SQL' }).click();
    await panel.getByRole('button', { name: 'Copied' }).waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(sql);
    await checkScreen(page, 'grouped-light');

    // Nonsense: "I did not understand" with suggestions; a suggestion is answered.
    await box.fill('what is the airspeed velocity of an unladen swallow');
    await box.press('Enter');
    await panel
      .getByText(/^I did not understand/)
      .last()
      .waitFor({ timeout: 15_000 });
    const suggestions = panel.getByRole('listitem').getByRole('button', { name: /^(?!Ask again)/ });
    expect(await suggestions.count()).toBeGreaterThan(0);
    await checkScreen(page, 'not-understood-light');
    const suggestion = (await suggestions.first().textContent())!;
    await suggestions.first().click();
    await panel.getByRole('table', { name: 'Rows of the answer' }).or(number).first().waitFor();
    await expect(box.inputValue()).resolves.toBe(suggestion);
    await expect(panel.getByText(/^I did not understand/).count()).resolves.toBe(0);

    // The history asks a question again.
    await panel.getByRole('button', { name: 'Ask again: how many rows' }).click();
    await expect(box.inputValue()).resolves.toBe('how many rows');
    await number.waitFor();
    await expect(number.textContent()).resolves.toBe(String(rowCount));

    // A new conversation forgets the earlier questions.
    await panel.getByRole('button', { name: 'New conversation' }).click();
    await panel.getByTestId('follow-up').waitFor({ state: 'detached' });
    await expect(box.inputValue()).resolves.toBe('');

    // Dark mode and a phone's width, with the grouped answer and its chart.
    await page.getByLabel('Theme').selectOption('dark');
    await panel.getByRole('button', { name: 'Ask again: total amount by region' }).click();
    await panel.getByRole('img', { name: /chart of .* by region/ }).waitFor();
    await checkScreen(page, 'grouped-dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await checkScreen(page, 'grouped-phone-dark');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Theme').selectOption('light');

    expect(realProblems(await problems())).toEqual(noProblems);
  });
});

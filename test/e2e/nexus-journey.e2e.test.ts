import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  launchChromium,
  noProblems,
  openPage,
  type PageProblems,
  screenshotDir,
  seriousAxeViolations,
} from '../support/browser.js';
import { repoRoot, type ServerProcess, serverEntry, startServerProcess } from '../support/server-process.js';

/**
 * An analyst's first visit to NEXUS in a real Chromium against the built server: sign up, upload
 * a CSV and watch it finish, read the column cards and the correlation heatmap (numbers checked
 * against an independent computation), see a malformed file refused with its line, sign out.
 * Every screen is scanned with axe-core (no serious or critical violations) and screenshotted.
 */

const rows = 240;
/** Orders of 40 customers over six months; items and amount move together. */
function ordersCsv() {
  const lines = ['customer,order_date,amount,items,region'];
  const amounts: number[] = [];
  const items: number[] = [];
  for (let i = 0; i < rows; i++) {
    const n = 1 + ((i * 7) % 5);
    const amount = Math.round((n * 12.5 + ((i * 13) % 17)) * 100) / 100;
    const month = 1 + ((i * 5) % 6);
    const day = 1 + ((i * 11) % 27);
    amounts.push(amount);
    items.push(n);
    lines.push(
      `c${(i % 40) + 1},2025-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')},${amount},${n},${['North', 'South', 'East'][i % 3]}`,
    );
  }
  return { csv: `${lines.join('\n')}\n`, amounts, items };
}

function pearson(x: number[], y: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

let server: ServerProcess | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let dataDir: string | undefined;
const figures: Record<string, string> = {};

/** Screenshot, axe scan and page problems of one screen, in light and dark. */
async function checkScreen(page: Page, name: string) {
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
}

describe('NEXUS in Chromium: the analyst journey', () => {
  beforeAll(async () => {
    if (!existsSync(serverEntry) || !existsSync(resolve(repoRoot, 'dist/web/index.html'))) {
      throw new Error('dist/server/main.js or dist/web/index.html is missing: run `npm run build` first');
    }
    await mkdir(screenshotDir, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'nexus-e2e-'));
    server = await startServerProcess({ env: { DATA_DIR: dataDir, AXI_ADMIN_EMAILS: 'ada@example.com' } });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (Object.keys(figures).length > 0) console.log('NEXUS E2E figures:', figures);
  });

  test('sign up, upload, profile and heatmap, a refused file, sign out', async () => {
    const { page, problems } = await openPage(context!);
    const { csv, amounts, items } = ordersCsv();
    const fixture = join(dataDir!, 'orders.csv');
    await writeFile(fixture, csv);
    const malformed = join(dataDir!, 'broken.csv');
    await writeFile(malformed, 'a,b\n1,2\n3\n4,5\n');

    // The landing page leads into the hub; without a session the hub asks to sign in.
    await page.goto(`${server!.url}/`);
    await checkScreen(page, 'landing');
    await page.getByRole('link', { name: 'Open the hub' }).click();
    await page.waitForURL(/\/app\/sign-in/);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await checkScreen(page, 'sign-in');

    // Sign up.
    await page.getByRole('link', { name: /create an account|sign up/i }).click();
    await page.waitForURL(/\/app\/sign-up/);
    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct-Horse-battery-77');
    await checkScreen(page, 'sign-up');
    await page.getByRole('button', { name: /create account|sign up/i }).click();
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor();
    await checkScreen(page, 'datasets-empty');

    // Upload: the progress bar runs to the end and the new dataset is offered.
    await page.locator('input[type=file]').setInputFiles(fixture);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page.getByRole('progressbar').first().waitFor();
    const datasetLink = page.getByRole('link', { name: 'Open “orders”' });
    await page.getByText('Done.').waitFor({ timeout: 30_000 });
    await checkScreen(page, 'datasets-uploaded');

    // The dataset page: time to interactive measured from navigation to the column cards.
    const started = Date.now();
    await datasetLink.click();
    await page.waitForURL(/\/app\/datasets\//);
    await page.getByRole('heading', { level: 3, name: 'amount' }).waitFor({ timeout: 20_000 });
    await page.getByRole('img', { name: /histogram of amount/i }).waitFor({ timeout: 20_000 });
    figures.datasetPageInteractiveMs = String(Date.now() - started);
    const datasetUrl = page.url();
    // The card shows the mean as computed here (at the 4 significant digits the card uses).
    const mean = amounts.reduce((a, b) => a + b, 0) / amounts.length;
    const shownMean = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 }).format(mean);
    const amountCard = page.getByRole('region', { name: 'amount' });
    await expect(amountCard.getByText(shownMean, { exact: true }).count()).resolves.toBeGreaterThan(0);
    await checkScreen(page, 'dataset');

    // Correlation heatmap, then its table: Pearson r(amount, items) as computed here.
    const r = pearson(amounts, items);
    await page.getByRole('button', { name: 'Run correlation' }).click();
    await page.getByRole('img', { name: /correlation heatmap/i }).waitFor({ timeout: 20_000 });
    await checkScreen(page, 'dataset-correlations');
    await page
      .getByRole('group', { name: 'Show the correlations as' })
      .getByRole('button', { name: 'Table' })
      .click();
    await page
      .getByRole('cell', { name: r.toFixed(3), exact: true })
      .first()
      .waitFor();

    // A malformed file is refused with its line.
    await page.getByRole('link', { name: 'Datasets' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor();
    await page.locator('input[type=file]').setInputFiles(malformed);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await page
      .getByText(/line 3/i)
      .first()
      .waitFor({ timeout: 20_000 });
    await checkScreen(page, 'upload-rejected');

    // Dark mode and a phone's width still work.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByLabel('Theme').selectOption('dark');
    await checkScreen(page, 'datasets-phone-dark');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Theme').selectOption('light');

    // Ada registered with an AXI_ADMIN_EMAILS address, so she manages users.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('cell', { name: 'ada@example.com' }).first().waitFor();
    await checkScreen(page, 'admin-users');

    // A session that is gone (the refresh cookie expired) sends the user to sign in, and back to
    // the page they were on afterwards.
    await page.goto(datasetUrl);
    await page.getByRole('heading', { level: 1, name: 'orders' }).waitFor();
    await context!.clearCookies();
    await page.reload();
    await page.waitForURL(/\/app\/sign-in\?from=/);
    await page.getByLabel('E-mail').fill('ada@example.com');
    await page.getByLabel('Password', { exact: true }).fill('correct-Horse-battery-77');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(datasetUrl);
    await page.getByRole('heading', { level: 1, name: 'orders' }).waitFor();

    // Profile, then sign out: the hub asks to sign in again.
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await checkScreen(page, 'profile');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/app\/sign-in/);
    await page.goto(`${server!.url}/app`);
    await page.waitForURL(/\/app\/sign-in/);

    // The failures this journey causes on purpose, and nothing else: the refused upload (422), the
    // refresh without its cookie (401), and requests the test's own navigations (goto, reload) cut
    // short (net::ERR_ABORTED is the browser cancelling, not a failure).
    const expected = [
      (line: string) => line.includes('/api/v1/datasets/upload') && /\b422\b/.test(line),
      (line: string) => line.includes('/api/v1/auth/refresh') && /\b401\b/.test(line),
    ];
    const unexpected = (line: string) => !expected.some((matches) => matches(line));
    const seen: PageProblems = await problems();
    expect({
      ...seen,
      consoleErrors: seen.consoleErrors.filter(unexpected),
      failedRequests: seen.failedRequests.filter(
        (line) => unexpected(line) && !line.endsWith(': net::ERR_ABORTED'),
      ),
    }).toEqual(noProblems);
  });
});

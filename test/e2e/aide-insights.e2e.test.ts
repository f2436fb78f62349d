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
 * An analyst opens a dataset's NEXUS page in a real Chromium against the built server and reads
 * its insights: the correlation of two columns that move together shows the Pearson r computed
 * here from the CSV, with its scatter chart painted; the region holding most of the revenue is
 * named with the share computed here; the column summary counts the rows uploaded. axe finds no
 * serious or critical violations in light and dark and at a phone's width, where the page does
 * not scroll sideways.
 *
 * The web build is `dist/web` unless E2E_WEB_DIST_DIR names another, e.g.
 * `npx vite build --outDir /tmp/e2e-web-insights` while other work has `dist/web` in flux.
 */

const email = 'insights@example.com';
const password = 'correct-Horse-battery-77';
const rowCount = 120;
/** North gets 11 of every 20 rows and Central 6: the top 3 of the 5 regions hold 90% of the rows. */
const regionCycle = ['North', 'North', 'South', 'North', 'East', 'North', 'North', 'West', 'North', 'North'];
const regionOf = (i: number) => (i % 20 < 10 ? regionCycle[i % 10]! : i % 20 < 14 ? 'North' : 'Central');

interface Sale {
  region: string;
  units: number;
  revenue: number;
}

/** Sales whose revenue follows the units sold (with some noise), over five regions. */
function salesCsv() {
  const sales: Sale[] = [];
  for (let i = 0; i < rowCount; i++) {
    const units = 1 + ((i * 7) % 20);
    sales.push({ region: regionOf(i), units, revenue: units * 12 + (((i * 37) % 17) - 8) });
  }
  const lines = ['Region,Units,Revenue', ...sales.map((s) => `${s.region},${s.units},${s.revenue}`)];
  return { csv: `${lines.join('\n')}\n`, sales };
}

function pearson(xs: number[], ys: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
}

/** Share (in percent, 1 decimal) the 3 largest groups hold of a total, as the server words it. */
function topThreeSharePct(sales: Sale[], measure: (s: Sale) => number): number {
  const totals = new Map<string, number>();
  for (const s of sales) totals.set(s.region, (totals.get(s.region) ?? 0) + measure(s));
  const sorted = [...totals.values()].sort((a, b) => b - a);
  const all = sorted.reduce((sum, v) => sum + v, 0);
  return Math.round((sorted.slice(0, 3).reduce((sum, v) => sum + v, 0) / all) * 1000) / 10;
}

/** A number as the insight cards show a fact: rounded to 3 places, separators, no trailing zeros. */
const asShown = (value: number, decimals: number) =>
  Number(value.toFixed(decimals)).toLocaleString('en-US', { maximumFractionDigits: decimals });

let app: E2eApp | undefined;

/** Screenshots of the panel (into test-results and /tmp/aide-insights-<name>.png) and an axe scan. */
async function checkScreen(page: Page, name: string) {
  const panel = page.locator('#insights');
  await panel.screenshot({ path: join(screenshotDir, `aide-insights-${name}.png`) });
  await panel.screenshot({ path: `/tmp/aide-insights-${name}.png` });
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
}

describe('AIDE insights on the dataset page in Chromium', () => {
  beforeAll(async () => {
    app = await startE2eApp({ adminEmail: email, name: 'aide-insights' });
  });

  afterAll(async () => {
    await app?.close();
  });

  test('correlation with its r and chart, concentration, column summary; light, dark, phone', async () => {
    const token = await app!.signUp(email, password);
    const { csv, sales } = salesCsv();
    const datasetId = await app!.uploadCsv('Sales', csv, token);

    const { page, problems } = await openPage(app!.context);
    await app!.signInOnPage(page, email, password);
    await page.goto(`${app!.server.url}/app/datasets/${datasetId}`);
    const panel = page.locator('#insights');
    await panel.getByRole('heading', { level: 2, name: 'Insights' }).waitFor({ timeout: 20_000 });

    // The correlation: r as computed here from the CSV, over every row, and its scatter painted.
    const correlation = panel.getByRole('article', { name: 'Revenue rises with Units' });
    await correlation.waitFor({ timeout: 30_000 });
    const r = pearson(
      sales.map((s) => s.units),
      sales.map((s) => s.revenue),
    );
    expect(r).toBeGreaterThan(0.9);
    await expect(correlation.locator('dd[data-fact="r"]').textContent()).resolves.toBe(asShown(r, 3));
    await expect(correlation.locator('dd[data-fact="n"]').textContent()).resolves.toBe(String(rowCount));
    await expect(correlation.textContent()).resolves.toContain(`Pearson r = ${asShown(r, 3)}`);
    await correlation.getByRole('img', { name: /^Scatter chart of Revenue against Units/ }).waitFor();
    const painted = await correlation.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
      return opaque;
    });
    expect(painted).toBeGreaterThan(1000);

    // The concentration: the share the top 3 regions hold of the rows or of a numeric total,
    // whichever stands out most from an even split (with the same 5 regions: the largest share).
    const [measure, share] = (
      [
        ['rows', topThreeSharePct(sales, () => 1)],
        ['Units', topThreeSharePct(sales, (s) => s.units)],
        ['Revenue', topThreeSharePct(sales, (s) => s.revenue)],
      ] as const
    ).reduce((best, next) => (next[1] > best[1] ? next : best));
    const concentration = panel.getByRole('article', { name: /^3 Region values hold/ });
    await expect(concentration.locator('dd[data-fact="sharePct"]').textContent()).resolves.toBe(
      `${asShown(share, 1)}%`,
    );
    await expect(concentration.locator('dd[data-fact="measure"]').textContent()).resolves.toBe(measure);
    await expect(concentration.locator('dd[data-fact="top1"]').textContent()).resolves.toBe('North');

    // The column summary opens from the keyboard and counts the rows uploaded.
    await panel.getByText('Column summary', { exact: true }).focus();
    await page.keyboard.press('Enter');
    const rows = panel.getByTestId('summary-rows');
    await rows.waitFor({ timeout: 15_000 });
    await expect(rows.textContent()).resolves.toBe(String(rowCount));
    await panel.getByRole('heading', { level: 4, name: 'Units' }).waitFor();
    await checkScreen(page, 'light');

    await page.getByLabel('Theme').selectOption('dark');
    await correlation.locator('canvas').waitFor();
    await checkScreen(page, 'dark');

    await page.setViewportSize({ width: 390, height: 844 });
    // chart.js redraws its canvases on a ResizeObserver tick, so the width settles a moment later.
    const fits = await page
      .waitForFunction(
        () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
        undefined,
        { timeout: 5_000 },
      )
      .then(() => true)
      .catch(() => false);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(fits, `horizontal overflow at a phone width: ${overflow}px`).toBe(true);
    await checkScreen(page, 'phone-dark');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Theme').selectOption('light');

    expect(realProblems(await problems())).toEqual(noProblems);
  }, 120_000);
});

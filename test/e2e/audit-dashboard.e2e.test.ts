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
 * An admin's look at the MLOG audit dashboard in a real Chromium against the built server: a few
 * hundred events over several services, actions and users are sent through the API; the page's
 * timeline total and per-service counts are checked against what was sent, a filter changes
 * them, an event's drawer shows its metadata, the live tail picks up an event posted while it
 * runs, and every screen passes axe (no serious or critical violations) in light and dark.
 *
 * The web build is `dist/web` (as `npm test` builds it) unless E2E_WEB_DIST_DIR names another,
 * e.g. `npx vite build --outDir /tmp/e2e-web-audit` while other work has `dist/web` in flux.
 */

const email = 'auditor@example.com';
const password = 'correct-Horse-battery-77';
const services = ['billing', 'search', 'storage', 'reports'];
const actions = ['login', 'upload', 'query', 'error', 'report.exported'];
const eventCount = 360;

/**
 * Events spread from 20 hours ago to 2 hours ago, so a custom window around them holds exactly
 * these (the sign-up and the page's own audited reads happen "now", outside it).
 */
function auditEvents(now: number) {
  const start = now - 20 * 3600_000;
  const span = 18 * 3600_000;
  return Array.from({ length: eventCount }, (_, i) => ({
    timestamp: new Date(start + Math.floor((i * span) / eventCount) + ((i * 7919) % 60_000)).toISOString(),
    // Unequal shares: 4 in 10 billing, 3 search, 2 storage, 1 reports.
    service: services[[0, 0, 0, 0, 1, 1, 1, 2, 2, 3][(i * 7) % 10]!]!,
    action: actions[(i * 3 + Math.floor(i / 11)) % actions.length]!,
    user_id: `user-${(i * 5) % 17}`,
    session_id: `s-${i % 23}`,
    correlation_id: `c-${i}`,
    metadata: { seq: i, ip: `10.0.0.${i % 250}`, ok: i % 9 !== 0 },
  }));
}

let app: E2eApp | undefined;
const api: E2eApp['api'] = (path, init) => app!.api(path, init);

/** Screenshot (into test-results and /tmp/audit-<name>.png) and axe scan of the page as it is. */
async function checkScreen(page: Page, name: string) {
  await page.screenshot({ path: join(screenshotDir, `audit-${name}.png`), fullPage: true });
  await page.screenshot({ path: `/tmp/audit-${name}.png`, fullPage: true });
  expect(await seriousAxeViolations(page), `axe on ${name}`).toEqual([]);
}

const total = (page: Page) => page.getByTestId('timeline-total');

describe('MLOG audit dashboard in Chromium', () => {
  beforeAll(async () => {
    app = await startE2eApp({ adminEmail: email, name: 'audit' });
  });

  afterAll(async () => {
    await app?.close();
  });

  test('timeline, per-service counts, filter, drawer, live tail, in light and dark', async () => {
    // An admin (AXI_ADMIN_EMAILS) and their token for the API.
    const token = await app!.signUp(email, password);

    const now = Date.now();
    const events = auditEvents(now);
    for (let i = 0; i < events.length; i += 120) {
      const sent = await api('/api/mlog/events', { method: 'POST', body: events.slice(i, i + 120), token });
      expect(sent).toMatchObject({
        status: 202,
        body: { accepted: Math.min(120, events.length - i), rejected: 0 },
      });
    }
    const countOf = (service: string) => events.filter((e) => e.service === service).length;
    const from = new Date(now - 22 * 3600_000).toISOString();
    const to = new Date(now - 3600_000).toISOString();

    const { page, problems } = await openPage(app!.context);
    await app!.signInOnPage(page, email, password);

    // The nav leads to the dashboard; then the window around the sent events, from the address.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.goto(`${app!.server.url}/app/audit?range=custom&from=${from}&to=${to}`);
    await page
      .getByRole('img', { name: `Events per hour: ${eventCount} in total` })
      .waitFor({ timeout: 20_000 });
    await expect(total(page).textContent()).resolves.toBe(String(eventCount));
    // The chart drew on its canvas (not a blank box).
    const painted = await page.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) opaque++;
      return { width: canvas.width, opaque };
    });
    expect(painted.width).toBeGreaterThan(300);
    expect(painted.opaque).toBeGreaterThan(1000);
    // Events per service: each count as sent.
    const perService = page.getByRole('region', { name: 'Events per service' });
    for (const service of services) {
      await perService.getByRole('row', { name: new RegExp(`^${service} ${countOf(service)}\\b`) }).waitFor();
    }
    await page
      .getByRole('button', { name: / at .*: details$/ })
      .first()
      .waitFor();
    await checkScreen(page, 'light');

    // Filter by service: the total, the table and the address follow.
    await page.getByLabel('Service', { exact: true }).selectOption('billing');
    await page.waitForURL(/service=billing/);
    await page.getByRole('img', { name: `Events per hour: ${countOf('billing')} in total` }).waitFor();
    await expect(total(page).textContent()).resolves.toBe(String(countOf('billing')));
    const detail = page.getByRole('region', { name: 'billing by action' });
    await expect(detail.getByTestId('service-total').textContent()).resolves.toBe(String(countOf('billing')));
    const billingLogins = events.filter((e) => e.service === 'billing' && e.action === 'login').length;
    await detail.getByRole('row', { name: new RegExp(`^login ${billingLogins}\\b`) }).waitFor();
    const rows = page.getByRole('button', { name: / at .*: details$/ });
    await expect(rows.first().getAttribute('aria-label')).resolves.toMatch(/ in billing at /);

    // The newest billing event in the window, in the drawer with its metadata.
    const newest = events.filter((e) => e.service === 'billing').at(-1)!;
    await rows.first().click();
    const drawer = page.getByRole('dialog');
    await drawer.waitFor();
    await drawer.getByText(`"seq": ${newest.metadata.seq}`).waitFor();
    await drawer.getByText(newest.correlation_id, { exact: true }).waitFor();
    await checkScreen(page, 'drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await expect(rows.first().evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    // Live tail: an event posted now appears at the top without a reload.
    await page.getByRole('button', { name: 'Start live tail' }).click();
    await expect(page.getByTestId('live-state').textContent()).resolves.toBe('Live');
    const posted = await api('/api/mlog/events', {
      method: 'POST',
      token,
      body: {
        timestamp: new Date().toISOString(),
        service: 'billing',
        action: 'invoice.paid',
        user_id: 'user-live',
        metadata: { amount: 42 },
      },
    });
    expect(posted.status).toBe(202);
    const liveRow = page.getByRole('button', { name: /^invoice\.paid in billing at / });
    await liveRow.waitFor({ timeout: 10_000 });
    await expect(rows.first().getAttribute('aria-label')).resolves.toMatch(/^invoice\.paid in billing/);
    await checkScreen(page, 'live');

    // Dark mode, and a phone's width.
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByRole('img', { name: /Events per hour/ }).waitFor();
    await checkScreen(page, 'dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await checkScreen(page, 'phone-dark');
    await page.getByRole('button', { name: 'Stop live tail' }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Theme').selectOption('light');

    expect(realProblems(await problems())).toEqual(noProblems);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { repoRoot } from './server-process.js';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotDir = resolve(repoRoot, 'test-results/screenshots');

/** Debian's Chromium, headless, without the background traffic this closed network refuses. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `no Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  cspViolations: string[];
  failedRequests: string[];
}

export const noProblems: PageProblems = {
  consoleErrors: [],
  pageErrors: [],
  cspViolations: [],
  failedRequests: [],
};

/**
 * What a page ran into, less requests the browser itself cancelled (`net::ERR_ABORTED`: a
 * navigation or a lazy chunk superseded), which are not failures. Compare with `noProblems`.
 */
export function realProblems(seen: PageProblems): PageProblems {
  return {
    ...seen,
    failedRequests: seen.failedRequests.filter((line) => !line.endsWith(': net::ERR_ABORTED')),
  };
}

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/** A fresh page that records console errors, uncaught exceptions, CSP violations and failed requests. */
export async function openPage(
  context: BrowserContext,
): Promise<{ page: Page; problems: () => Promise<PageProblems> }> {
  const page = await context.newPage();
  // Fail a step with Playwright's own message instead of running into the test's timeout.
  page.setDefaultTimeout(10_000);
  const recorded = {
    consoleErrors: [] as string[],
    pageErrors: [] as string[],
    failedRequests: [] as string[],
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') recorded.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => recorded.pageErrors.push(err.message));
  page.on('requestfailed', (req) =>
    recorded.failedRequests.push(`${req.url()}: ${req.failure()?.errorText}`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) recorded.failedRequests.push(`${res.url()}: HTTP ${res.status()}`);
  });
  // Runs before any page script (and is not itself subject to the page's CSP).
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations!.push(
        `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`,
      );
    });
  });
  const problems = async () => ({
    ...recorded,
    cspViolations: await page.evaluate(() => window.__cspViolations ?? []).catch(() => []),
  });
  return { page, problems };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and returns the serious
 * and critical violations. axe is evaluated through the DevTools protocol, so the page's CSP
 * (no inline scripts) neither blocks it nor has to be loosened for it.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations as {
      id: string;
      impact: string | null;
      help: string;
      nodes: { target: string[] }[];
    }[];
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
}

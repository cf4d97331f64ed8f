// The built package served to Debian's Chromium (/usr/bin/chromium, which test/global-setup.ts
// installs when it can), driven by playwright-core: the browser, bundler and threads-runtimes tests.
import { afterAll, beforeAll, inject, it, type TestFunction } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM } from '../../scripts/ensure-chromium.mjs';
import { ensureBuilt, ROOT } from './built-package.js';
import { startStaticServer, type StaticServer } from './static-server.js';

/** Why Chromium is missing (the global setup printed it once), or null. */
export const chromiumMissing = inject('chromiumMissing');

/** A test that needs Chromium: skipped when it is missing. The global setup counts these by name. */
export function itInChromium(name: string, fn: TestFunction, timeout?: number): void {
  it.skipIf(chromiumMissing !== null)(name, fn, timeout);
}

/** Headless, no sandbox, no GPU, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export interface OpenedPage {
  page: Page;
  /** Page errors and console errors (and failed requests, when asked for) as they happen. */
  problems: string[];
}

export interface ChromiumSession {
  /** Serves the repository root (dist/, wasm/, examples/, test/) cross-origin isolated. */
  server: StaticServer;
  /** Undefined when Chromium is missing. */
  browser: Browser | undefined;
  /** A new page at `path` on the server (only in itInChromium tests). */
  openPage(path: string, opts?: { failedRequests?: boolean }): Promise<OpenedPage>;
  close(): Promise<void>;
}

/**
 * Builds dist/ when stale, serves the repository root and launches Chromium when it is there (the
 * tests of the same file that need no browser run either way).
 */
export async function serveToChromium(): Promise<ChromiumSession> {
  ensureBuilt();
  const server = await startStaticServer({ root: ROOT });
  let browser: Browser | undefined;
  try {
    browser = chromiumMissing === null ? await launchChromium() : undefined;
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    browser,
    async openPage(path, opts = {}) {
      if (!browser) throw new Error(`${chromiumMissing}: declare this test with itInChromium`);
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
      if (opts.failedRequests) page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      await page.goto(`${server.url}${path}`);
      return { page, problems };
    },
    async close() {
      await browser?.close();
      await server.close();
    },
  };
}

/** One session for the test file calling this: served and launched before its tests, closed after. */
export function chromiumSessionForFile(): () => ChromiumSession {
  let session: ChromiumSession | undefined;
  beforeAll(async () => {
    session = await serveToChromium();
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });
  return () => session!;
}

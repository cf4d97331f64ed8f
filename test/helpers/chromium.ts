// The built package served to Debian's Chromium (/usr/bin/chromium; `apt-get install -y chromium`,
// .ci/run installs it), driven by playwright-core: the browser and threads-runtimes tests.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureBuilt, ROOT } from './built-package.js';
import { startStaticServer, type StaticServer } from './static-server.js';

export const CHROMIUM = '/usr/bin/chromium';

const missingChromium = () => new Error(`${CHROMIUM} is missing: this test needs Debian's Chromium (apt-get install -y chromium)`);

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
  /** Undefined when Chromium is not installed and it was optional. */
  browser: Browser | undefined;
  /** A new page at `path` on the server; throws when Chromium is not installed. */
  openPage(path: string, opts?: { failedRequests?: boolean }): Promise<OpenedPage>;
  close(): Promise<void>;
}

/**
 * Builds dist/ when stale, serves the repository root and launches Chromium. A missing Chromium
 * throws here when `chromium` is 'required'; when 'optional', only openPage throws (so the tests
 * of the same file that need no browser still run).
 */
export async function serveToChromium(chromiumNeeded: 'required' | 'optional'): Promise<ChromiumSession> {
  const installed = existsSync(CHROMIUM);
  if (!installed && chromiumNeeded === 'required') throw missingChromium();
  ensureBuilt();
  const server = await startStaticServer({ root: ROOT });
  let browser: Browser | undefined;
  try {
    browser = installed ? await launchChromium() : undefined;
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    browser,
    async openPage(path, opts = {}) {
      if (!browser) throw missingChromium();
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

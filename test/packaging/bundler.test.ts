// The package through a bundler: Vite builds a page that imports 'lstm-wasm' (the built dist/), emits
// the .wasm files as assets, and the page trains in Chromium on simd.
import { expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { ensureBuilt, ROOT } from '../helpers/built-package.js';
import { chromiumMissing, itInChromium, launchChromium } from '../helpers/chromium.js';
import { startStaticServer, type StaticServer } from '../helpers/static-server.js';

const app = fileURLToPath(new URL('../bundler-app', import.meta.url));
let outDir: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (chromiumMissing) return; // its one test is skipped
  ensureBuilt();
  outDir = mkdtempSync(join(tmpdir(), 'lw-vite-'));
  await build({
    root: app,
    logLevel: 'error',
    configFile: false,
    resolve: { alias: { 'lstm-wasm': join(ROOT, 'dist/index.js') } },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  server = await startStaticServer({ root: outDir, home: null });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

itInChromium('a Vite bundle ships the three wasm flavours and trains on simd in Chromium', async () => {
  const assets = readdirSync(join(outDir, 'assets'));
  for (const f of ['simd', 'scalar', 'simd-threads']) {
    expect(assets.some((a) => new RegExp(`^kernels-${f}-[\\w-]+\\.wasm$`).test(a)), `asset for ${f}`).toBe(true);
  }
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 }).catch((e) => { throw new Error(`${e}; page said: ${errors.join(' | ')}`); });
  const r = await page.evaluate(() => (window as unknown as { __result: { backend?: string; first?: number; last?: number; error?: string } }).__result);
  expect(r.error).toBeUndefined();
  expect(errors).toEqual([]);
  expect(r.backend).toBe('simd');
  expect(r.last!).toBeLessThan(r.first! * 0.5);
}, 120_000);

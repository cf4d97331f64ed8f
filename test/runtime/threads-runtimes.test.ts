// The thread pool of the BUILT package in Deno (Deno workers) and in Chromium (Web Workers), on a
// cross-origin-isolated page's main thread (the leader spins: it may not Atomics.wait) and inside a
// module Web Worker (the leader blocks). Same check everywhere: test/helpers/runtimes/threads-check.mjs.
// Chromium: Debian's /usr/bin/chromium, as test/packaging/browser.test.ts (skipped when it is missing).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/built-package.js';
import { itInChromium, chromiumSessionForFile, type OpenedPage } from '../helpers/chromium.js';

const PAGE = '/test/helpers/runtimes/threads.html';
const EXPECTED = { threads: [1, 2], jobs: true, sameC: true, sameLoss: true, error: { name: 'LwError', code: 'WORKER_FAILED', worker: 1 } };

const session = chromiumSessionForFile();

it('Deno: workers from Blob URLs, same results on 1 and 2 threads, a killed worker is an LwError', () => {
  const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
  const out = execFileSync(deno, ['run', '--allow-read', '--import-map', 'test/helpers/runtimes/deno-import-map.json', 'test/helpers/runtimes/threads-smoke.mjs'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  });
  expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(EXPECTED);
}, 70_000);

it('Node: a process whose pool is still open exits by itself', () => {
  const script = `import * as lw from './dist/index.js';
    await lw.ready({ threads: 2 });
    const ones = (r, c) => lw.tensor(new Float32Array(r * c).fill(1), [r, c]);
    console.log(lw.getThreads(), Array.from(lw.ops.gemm(ones(300, 200), ones(200, 250)).dataSync()).every((v) => v === 200));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  expect(out.trim()).toBe('2 true');
}, 30_000);

describe('Chromium, cross-origin isolated', () => {
  async function openPage(): Promise<OpenedPage> {
    const opened = await session().openPage(PAGE);
    expect(await opened.page.evaluate(() => crossOriginIsolated)).toBe(true);
    return opened;
  }

  itInChromium('on the page itself (the leader spins while the workers run)', async () => {
    const { page, problems } = await openPage();
    // A string, so the test runner does not rewrite the page's dynamic imports.
    const result = await page.evaluate(`(async () => {
      const lw = await import('/dist/index.js');
      const internals = { ...(await import('/dist/kernels.js')), getThreads: lw.getThreads };
      const { threadsCheck } = await import('/test/helpers/runtimes/threads-check.mjs');
      return threadsCheck(lw, internals);
    })()`);
    await page.close();
    expect(problems).toEqual([]);
    expect(result).toEqual(EXPECTED);
  }, 60_000);

  itInChromium('inside a module Web Worker (nested workers; the leader blocks in Atomics.wait)', async () => {
    const { page, problems } = await openPage();
    const result = await page.evaluate(async () => {
      const code = `
        const origin = ${JSON.stringify(location.origin)};
        const lw = await import(origin + '/dist/index.js');
        const internals = { ...(await import(origin + '/dist/kernels.js')), getThreads: lw.getThreads };
        const { threadsCheck } = await import(origin + '/test/helpers/runtimes/threads-check.mjs');
        postMessage(await threadsCheck(lw, internals));`;
      const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })), { type: 'module' });
      return new Promise((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      });
    });
    await page.close();
    expect(problems).toEqual([]);
    expect(result).toEqual(EXPECTED);
  }, 60_000);
});

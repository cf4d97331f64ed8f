// The browser example (examples/browser) in a real Chromium: the built package trains an LSTM inside a
// module Web Worker on the simd backend, the loss falls, the page stays responsive.
// Needs Debian's Chromium at /usr/bin/chromium (test/global-setup.ts installs it, or skips the test).
import { describe, it, expect } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/built-package.js';
import { itInChromium, chromiumSessionForFile } from '../helpers/chromium.js';
import { EXAMPLE_PATH } from '../helpers/static-server.js';

/** What examples/browser/main.js publishes as window.__trainState. */
interface TrainState {
  backend: string | null;
  inWorker: boolean | null;
  crossOriginIsolated: boolean;
  batchLosses: number[];
  losses: number[];
  frames: number;
  framesAtStart: number | null;
  framesAtEnd: number | null;
  longestFrameGapMs: number;
  trainMs: number | null;
  testMse: number | null;
  predictMse: number | null;
  naiveMse: number | null;
  done: boolean;
  error: string | null;
}

const session = chromiumSessionForFile();

describe('the static server', () => {
  it('serves .js and .wasm with their MIME types, cross-origin isolated, and nothing outside the root', async () => {
    const js = await fetch(`${session().server.url}/dist/index.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const wasm = await fetch(`${session().server.url}/wasm/kernels-simd.wasm`);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);
    expect(wasm.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(wasm.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await fetch(`${session().server.url}/no/such/file.js`)).status).toBe(404);
    expect((await fetch(`${session().server.url}/..%2f..%2f..%2fetc%2fpasswd`)).status).toBe(403);
  });
});

describe('examples/browser in Chromium', () => {
  itInChromium('trains an LSTM in a Web Worker on simd while the page keeps drawing frames', async () => {
    const { page, problems } = await session().openPage(EXAMPLE_PATH, { failedRequests: true });

    // Mid-training: losses have reached the page while the worker is still busy.
    await page.waitForFunction(() => {
      const s = (window as unknown as { __trainState?: TrainState }).__trainState;
      return !!s && (s.done || s.batchLosses.length >= 20);
    }, null, { timeout: 60_000 });
    const mid = await page.evaluate(() => (window as unknown as { __trainState: TrainState }).__trainState);
    expect(mid.error).toBeNull();
    expect(mid.done, 'training finished before the page saw 20 batches: it is too short to show live progress').toBe(false);

    await page.waitForFunction(() => (window as unknown as { __trainState: TrainState }).__trainState.done, null, { timeout: 60_000 });
    const s = await page.evaluate(() => (window as unknown as { __trainState: TrainState }).__trainState);
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-output/browser-example.png'), fullPage: true });
    await page.close();

    expect(s.error).toBeNull();
    expect(problems).toEqual([]);
    expect(s.inWorker).toBe(true);
    expect(s.backend).toBe('simd');
    expect(s.crossOriginIsolated).toBe(true);

    // It learned: the last epoch's loss is well under the first's, and the held-out error beats
    // the naive forecast (repeat the last value); predict() agrees with evaluate().
    expect(s.losses.length).toBeGreaterThanOrEqual(2);
    expect(s.losses.every(Number.isFinite)).toBe(true);
    expect(s.losses[s.losses.length - 1]).toBeLessThan(0.5 * s.losses[0]);
    expect(s.testMse!).toBeLessThan(0.5 * s.naiveMse!);
    expect(Math.abs(s.predictMse! - s.testMse!)).toBeLessThanOrEqual(1e-4 * s.naiveMse!);

    // Responsive: animation frames kept coming while the worker trained, with no long stall.
    expect(s.frames).toBeGreaterThan(mid.frames);
    expect(s.framesAtEnd! - s.framesAtStart!).toBeGreaterThanOrEqual(10);
    expect(s.longestFrameGapMs).toBeLessThan(500);
    console.log(
      `browser: ${s.backend} in a worker, ${s.losses.length} epochs in ${(s.trainMs! / 1000).toFixed(1)} s, ` +
        `loss ${s.losses[0].toExponential(2)} -> ${s.losses[s.losses.length - 1].toExponential(2)}, ` +
        `${s.framesAtEnd! - s.framesAtStart!} frames while training, longest gap ${s.longestFrameGapMs.toFixed(0)} ms`,
    );
  }, 90_000);
});

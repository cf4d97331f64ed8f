// examples/deno/train.ts under Deno (the binary from the `deno` npm package): the built package, reached
// through an import map, trains an LSTM classifier on simd with read access to wasm/ only.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../helpers/built-package.js';

const DENO = join(ROOT, 'node_modules/.bin/deno');

beforeAll(() => {
  if (!existsSync(DENO)) throw new Error(`${DENO} is missing: run \`npm install\` (deno is a devDependency)`);
  ensureBuilt();
}, 120_000);

describe('examples/deno/train.ts', () => {
  it('trains and predicts with the built package on simd', () => {
    const started = Date.now();
    const out = execFileSync(
      DENO,
      ['run', '--allow-read=wasm', '--import-map', 'examples/deno/import_map.json', 'examples/deno/train.ts'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      runtime: string; backend: string; losses: number[]; testLoss: number; accuracy: number; predictions: number[]; trainMs: number;
    };
    expect(r.runtime).toBe('deno');
    expect(r.backend).toBe('simd');
    expect(r.losses.length).toBe(20);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.losses[r.losses.length - 1]).toBeLessThan(0.5 * r.losses[0]);
    // Held out: chance is 50%.
    expect(r.accuracy).toBeGreaterThan(0.85);
    // The probes: positive sum, negative sum, positive only through the last steps.
    expect(r.predictions.length).toBe(3);
    expect(r.predictions[0]).toBeGreaterThan(0.5);
    expect(r.predictions[1]).toBeLessThan(0.5);
    expect(r.predictions[2]).toBeGreaterThan(0.5);
    console.log(`deno: ${r.backend}, loss ${r.losses[0].toFixed(3)} -> ${r.losses[r.losses.length - 1].toFixed(3)}, ` +
      `held-out accuracy ${(100 * r.accuracy).toFixed(1)}%, training ${r.trainMs} ms, process ${Date.now() - started} ms`);
  });
});

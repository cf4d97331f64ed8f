// examples/deno/train.ts under Deno (the binary from the `deno` npm package): the built package, reached
// through an import map, trains an LSTM classifier on simd with read access to wasm/ only.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

  it('examples/deno/load-keras.ts loads a Keras 3 .keras and a Keras 2 .h5 file and predicts as Node does', async () => {
    const lw = await import('../../ts/index.js');
    await lw.ready();
    for (const fixture of ['k3_sequential_deflate.keras', 'k2_1_6_sequential_embedding_lstm.h5']) {
      const file = join(ROOT, 'test/fixtures/keras', fixture);
      const out = execFileSync(
        DENO,
        ['run', `--allow-read=wasm,${file}`, '--import-map', 'examples/deno/import_map.json', 'examples/deno/load-keras.ts', file],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
      );
      const r = JSON.parse(out.trim().split('\n').pop()!) as { runtime: string; params: number; prediction: number[] };
      const model = await lw.loadModel(new Uint8Array(readFileSync(file)));
      const shape = model.inputs[0].shape.map((d, i) => (i === 0 ? 1 : d ?? 4));
      const y = model.predict(lw.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
      expect(r.params).toBe(model.countParams());
      const want = Array.from((Array.isArray(y) ? y[0] : y).dataSync());
      r.prediction.forEach((v, i) => expect(Math.abs(v - want[i]), fixture).toBeLessThan(1e-6));
    }
  });
});

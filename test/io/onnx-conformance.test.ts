// ONNX's own operator conformance cases (onnx/backend/test/case/node/{lstm,gru,rnn}.py, written by
// scripts/onnx_conformance_fixtures.py): each model's weights are graph inputs, bound at load with
// loadModel's { inputs }; X is the data. Passing means ONNX's tolerances (rtol, atol of each case).
// The cases' weights are mostly constant (0.1 everywhere), which no gate order can get wrong, so each
// model also runs with random weights, peepholes and X in onnxruntime-node, to 1e-5.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as lw from '../../ts/index.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx/conformance');
const CASES = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)).sort();

interface NamedArray { name: string; dtype: string; shape: number[]; data: number[] }
interface Case { inputs: NamedArray[]; outputs: NamedArray[]; rtol: number; atol: number }

/** [T, B, ...] → [B, T, ...] (lstm-wasm's models take batch first). */
function swap01(a: NamedArray): lw.Tensor {
  const [T, B] = a.shape, F = a.shape.slice(2).reduce((x, y) => x * y, 1);
  const out = new Float32Array(a.data.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 0; k < F; k++) out[(b * T + t) * F + k] = a.data[(t * B + b) * F + k];
  return lw.tensor(out, [B, T, ...a.shape.slice(2)]);
}

/** ONNX's Y [T, 1, B, H] in lstm-wasm's order [B, T, H]; Y_h [1, B, H] and the batchwise [B, T, 1, H], [B, 1, H] keep their order. */
function expected(o: NamedArray, batchwise: boolean): number[] {
  if (batchwise || o.shape.length === 3) return o.data;
  const [T, , B, H] = o.shape, out: number[] = new Array(o.data.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) out[(b * T + t) * H + h] = o.data[(t * B + b) * H + h];
  return out;
}

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

describe('ONNX conformance cases: LSTM, GRU, RNN', () => {
  it('has the twelve cases', () => expect(CASES.length).toBe(12));

  for (const name of CASES) {
    it(name, async () => {
      const c: Case = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
      const [x, ...weights] = c.inputs;
      const inputs = Object.fromEntries(weights.map((w) => [w.name, { values: w.data, shape: w.shape, dtype: w.dtype === 'float32' ? 'float32' as const : 'int32' as const }]));
      const model = await lw.loadModel(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))), { inputs });
      const batchwise = name.endsWith('batchwise');
      const got = model.predict(batchwise ? lw.tensor(Float32Array.from(x.data), x.shape) : swap01(x));
      const outs = Array.isArray(got) ? got : [got];
      expect(outs.length).toBe(c.outputs.length);
      c.outputs.forEach((o, i) => {
        const want = expected(o, batchwise), have = outs[i].dataSync();
        expect(have.length).toBe(want.length);
        for (let k = 0; k < want.length; k++) expect(Math.abs(have[k] - want[k])).toBeLessThanOrEqual(c.atol + c.rtol * Math.abs(want[k]));
      });
      model.dispose();
    });
  }
});

describe('ONNX conformance models with random weights: as onnxruntime-node', () => {
  // onnxruntime refuses layout = 1 ("Batchwise recurrent operations are not supported"): those only above.
  for (const name of CASES.filter((n) => !n.endsWith('batchwise'))) {
    it(name, async () => {
      const c: Case = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
      const rng = new lw.Random(CASES.indexOf(name) + 1);
      // Every float input random (X included); sequence_lens and zero initial states as the case has them.
      const random = c.inputs.map((a) => (a.dtype !== 'float32' || a.name.startsWith('initial_') ? a : { ...a, data: a.data.map(() => rng.uniform(-1, 1)) }));
      const [x, ...weights] = random;
      const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
      const session = await ort.InferenceSession.create(bytes);
      const feeds = Object.fromEntries(random.map((a) => [a.name, a.dtype === 'float32' ? new ort.Tensor('float32', Float32Array.from(a.data), a.shape) : new ort.Tensor('int32', Int32Array.from(a.data), a.shape)]));
      const want = await session.run(feeds);
      await session.release();
      const inputs = Object.fromEntries(weights.map((w) => [w.name, { values: w.data, shape: w.shape, dtype: w.dtype === 'float32' ? 'float32' as const : 'int32' as const }]));
      const model = await lw.loadModel(bytes, { inputs });
      const batchwise = name.endsWith('batchwise');
      const got = model.predict(batchwise ? lw.tensor(Float32Array.from(x.data), x.shape) : swap01(x));
      const outs = Array.isArray(got) ? got : [got];
      c.outputs.forEach((o, i) => {
        const ref = expected({ ...o, data: Array.from(want[o.name].data as Float32Array) }, batchwise), have = outs[i].dataSync();
        expect(have.length).toBe(ref.length);
        let diff = 0;
        for (let k = 0; k < ref.length; k++) diff = Math.max(diff, Math.abs(have[k] - ref[k]));
        expect(diff).toBeLessThan(1e-5);
      });
      model.dispose();
    });
  }
});

// lw.loadModel of ONNX files torch.onnx.export wrote (scripts/onnx_torch_fixtures.py): each loads as
// lstm-wasm layers, predicts what PyTorch (float64) and onnxruntime-node compute on the same file to
// 1e-5, and trains further (compile + one fit step changes the weights and the loss is finite).
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as lw from '../../ts/index.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx/torch');
const NAMES = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)).sort();

interface Fixture {
  input: { name: string; dtype: 'int64' | 'float32'; shape: number[]; data: number[] };
  output: { shape: number[]; data: number[] };
}

const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
/** The ONNX input fed batch first (lstm-wasm's models take [batch, ...]): a time-first [T, B, ...] input swapped. */
function batchFirst(f: Fixture, timeFirst: boolean): lw.Tensor {
  const { shape, data, dtype } = f.input;
  let values = data, dims = shape;
  if (timeFirst) {
    const [T, B] = shape, F = shape.slice(2).reduce((a, b) => a * b, 1);
    values = new Array(data.length);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 0; k < F; k++) values[(b * T + t) * F + k] = data[(t * B + b) * F + k];
    dims = [B, T, ...shape.slice(2)];
  }
  return dtype === 'int64' ? lw.tensor(Int32Array.from(values), dims, 'int32') : lw.tensor(Float32Array.from(values), dims);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function onnxruntime(bytes: Uint8Array, f: Fixture): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const x = f.input.dtype === 'int64'
    ? new ort.Tensor('int64', BigInt64Array.from(f.input.data.map(BigInt)), f.input.shape)
    : new ort.Tensor('float32', Float32Array.from(f.input.data), f.input.shape);
  const out = await session.run({ [f.input.name]: x });
  const y = out[session.outputNames[0]].data as Float32Array;
  await session.release();
  return y;
}

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

describe('ONNX files from torch.onnx.export', () => {
  it('has the fixtures', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of NAMES) {
    it(`${name}: predicts as PyTorch and onnxruntime-node, and trains`, async () => {
      const f = fixture(name);
      const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));
      const model = await lw.loadModel(pathToFileURL(join(DIR, `${name}.onnx`)).href);
      const x = batchFirst(f, name.includes('time_major'));
      const y = model.predict(x) as lw.Tensor;
      expect([...y.shape]).toEqual(f.output.shape);
      expect(maxDiff(y.dataSync(), f.output.data)).toBeLessThan(1e-5);
      expect(maxDiff(y.dataSync(), await onnxruntime(bytes, f))).toBeLessThan(1e-5);

      // The same bytes load too; then one training step moves the weights.
      const again = await lw.loadModel(bytes);
      again.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const before = again.getWeights().map((w) => w.dataSync().slice());
      const history = await again.fit(x, lw.tensor(new Float32Array(f.output.data.length).fill(0.25), f.output.shape), { epochs: 1, batchSize: f.output.shape[0], verbose: 0 });
      expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
      const after = again.getWeights().map((w) => w.dataSync());
      expect(after.some((w, i) => maxDiff(w, before[i]) > 0)).toBe(true);
      model.dispose();
      again.dispose();
    });
  }
});

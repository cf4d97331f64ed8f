// lw.loadModel of ONNX files torch.onnx.export wrote (scripts/onnx_torch_fixtures.py): each loads as
// lstm-wasm layers, predicts what PyTorch (float64) and onnxruntime-node compute on the same file to
// 1e-5, trains further (compile + one fit step changes the weights and the loss is finite), and exports
// back to ONNX (lw.export.onnx) as a graph onnxruntime runs to the same values.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as lw from '../../ts/index.js';
import { isOnnxModelBytes } from '../../ts/io/onnx/detect.js';

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

      // Out again: lstm-wasm's own export of the loaded layers runs in onnxruntime to the same values.
      const exported = await ort.InferenceSession.create(await lw.export.onnx(model));
      const feed = x.dtype === 'int32' ? new ort.Tensor('int32', x.dataSync() as Int32Array, [...x.shape]) : new ort.Tensor('float32', x.dataSync() as Float32Array, [...x.shape]);
      const back = await exported.run({ [exported.inputNames[0]]: feed });
      expect(maxDiff(back[exported.outputNames[0]].data as Float32Array, y.dataSync())).toBeLessThan(1e-5);
      await exported.release();

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

describe('ONNX files from torch.onnx.export on the float64 oracle (js backend)', () => {
  beforeAll(async () => {
    await lw.ready({ backend: 'js' });
  });

  for (const name of NAMES) {
    it(`${name}: predicts as PyTorch (float64) to 1e-5`, async () => {
      const f = fixture(name);
      const model = await lw.loadModel(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`))));
      const y = model.predict(batchFirst(f, name.includes('time_major'))) as lw.Tensor;
      expect(maxDiff(y.dataSync(), f.output.data)).toBeLessThan(1e-5);
      model.dispose();
    });
  }
});

describe('telling ONNX from other model files', () => {
  const KERAS = join(import.meta.dirname, '../fixtures/keras');

  it('every ONNX fixture walks as a ModelProto; no Keras file, JSON or random bytes does', () => {
    for (const name of NAMES) expect(isOnnxModelBytes(new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)))), name).toBe(true);
    const keras = readdirSync(KERAS).filter((f) => /\.(keras|h5)$/.test(f));
    expect(keras.length).toBeGreaterThan(0);
    for (const f of keras) expect(isOnnxModelBytes(new Uint8Array(readFileSync(join(KERAS, f)))), f).toBe(false);
    expect(isOnnxModelBytes(new TextEncoder().encode('{"modelTopology": {}}'))).toBe(false);
    expect(isOnnxModelBytes(new Uint8Array(0))).toBe(false);
    expect(isOnnxModelBytes(Uint8Array.of(0x08, 0x08))).toBe(false); // ir_version alone: no graph
  });

  it('a truncated ONNX file is BAD_MODEL_FILE saying it starts like ONNX', async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${NAMES[0]}.onnx`)));
    const e = await lw.loadModel(bytes.slice(0, bytes.length - 7)).catch((x) => x);
    expect(e).toBeInstanceOf(lw.LwError);
    expect(e.code).toBe('BAD_MODEL_FILE');
    expect(e.message).toMatch(/starts like ONNX/);
  });

  it('loadModel\'s inputs must name graph inputs and hold what their shape says', async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, `${NAMES[0]}.onnx`)));
    const unknown = await lw.loadModel(bytes, { inputs: { nope: { values: [1], shape: [1] } } }).catch((x) => x);
    expect(unknown.code).toBe('BAD_ARGUMENT');
    expect(unknown.message).toContain('"nope"');
    const short = await lw.loadModel(bytes, { inputs: { x: { values: [1, 2], shape: [3] } } }).catch((x) => x);
    expect(short.code).toBe('BAD_ARGUMENT');
  });
});

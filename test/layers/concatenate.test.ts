// Concatenate: shapes and errors, values against a manual join, masks, finite-difference input
// gradients (js float64), simd vs js, and a two-branch LSTM model that trains.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { Concatenate, concatenate } from '../../ts/layers/concatenate.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, predictOnBoth, probedInput } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Reference join of row-major arrays along `axis` (non-negative). */
function join(parts: { data: ArrayLike<number>; shape: number[] }[], axis: number): number[] {
  const outer = parts[0].shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let r = 0; r < outer; r++) {
    for (const p of parts) {
      const w = p.shape.slice(axis).reduce((a, b) => a * b, 1);
      for (let i = 0; i < w; i++) out.push(p.data[r * w + i]);
    }
  }
  return out;
}

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('concatenate shapes', () => {
  it('joins along the last axis by default and along any other non-batch axis', () => {
    const a = lw.input({ shape: [3, 2] });
    const b = lw.input({ shape: [3, 5] });
    expect((concatenate([a, b]) as SymbolicTensor).shape).toEqual([null, 3, 7]);
    expect((concatenate().apply([a, b]) as SymbolicTensor).shape).toEqual([null, 3, 7]);
    const c = lw.input({ shape: [4, 2] });
    expect((concatenate({ axis: 1 }).apply([a, c]) as SymbolicTensor).shape).toEqual([null, 7, 2]);
    expect((concatenate({ axis: -2 }).apply([a, c, a]) as SymbolicTensor).shape).toEqual([null, 10, 2]);
    const t = lw.input({ shape: [null, 2] });
    expect((concatenate({ axis: 1 }).apply([a, t]) as SymbolicTensor).shape).toEqual([null, null, 2]);
  });

  it('shape errors name the layer', () => {
    const a = lw.input({ shape: [3, 2] });
    const b = lw.input({ shape: [4, 5] });
    const layer = new Concatenate({ name: 'join_me' });
    expect(() => layer.apply([a, b])).toThrow(/join_me.*Concatenate.*must match/);
    expect(() => new Concatenate({ name: 'one_input' }).apply([a])).toThrow(/one_input.*at least 2 inputs/);
    expect(() => new Concatenate({ name: 'batch_axis', axis: 0 }).apply([a, a])).toThrow(/batch_axis.*axis 0/);
    expect(() => new Concatenate({ name: 'far_axis', axis: 3 }).apply([a, a])).toThrow(/far_axis.*axis 3/);
    expect(() => new Concatenate({ axis: 1.5 })).toThrow(/whole number/);
  });

  it('getConfig is the Keras form', () => {
    const c = new Concatenate({ name: 'cat', axis: 1 }).getConfig();
    expect(c).toMatchObject({ name: 'cat', trainable: true, dtype: 'float32', axis: 1 });
  });
});

describe('concatenate values and gradients', () => {
  it.each([
    { axis: -1, shapes: [[2, 3, 2], [2, 3, 1], [2, 3, 3]] },
    { axis: 1, shapes: [[3, 1, 4], [3, 2, 4]] },
    { axis: 1, shapes: [[1, 2], [1, 5]] },
    { axis: 2, shapes: [[2, 2, 3, 2], [2, 2, 1, 2]] },
  ])('forward equals a manual join (axis $axis, $shapes)', ({ axis, shapes }) => {
    const ins = shapes.map((s) => lw.input({ shape: s.slice(1) }));
    const m = lw.model({ inputs: ins, outputs: concatenate({ axis }).apply(ins) as SymbolicTensor });
    const xs = shapes.map((s, i) => rand(s, 10 + i));
    const y = m.predict(xs) as lw.Tensor;
    const a = axis < 0 ? shapes[0].length + axis : axis;
    expect(y.shape[a]).toBe(shapes.reduce((s, x) => s + x[a], 0));
    expect(Array.from(y.dataSync())).toEqual(join(xs.map((t) => ({ data: t.dataSync(), shape: [...t.shape] })), a));
  });

  it.each([
    { axis: -1, a: [2, 3, 2], b: [2, 3, 3] },
    { axis: 1, a: [2, 2, 3], b: [2, 1, 3] },
  ])('input gradients match finite differences (axis $axis)', ({ axis, a, b }) => {
    const [inA, pa, za] = probedInput(a, 1);
    const [inB, pb, zb] = probedInput(b, 2);
    const joined = concatenate({ axis }).apply([pa, pb]) as SymbolicTensor;
    const out = lw.layers.dense({ units: 2, activation: 'tanh' }).apply(joined) as SymbolicTensor;
    const m = lw.model({ inputs: [inA, inB], outputs: out });
    const y = rand([...(out.shape.slice(0, -1) as number[]).map((d, i) => (i === 0 ? a[0] : d)), 2], 3);
    expect(checkModelGradients(m, [za, zb], y)).toBeGreaterThan(20);
  });

  it('masks (Keras 3): joined in time along axis 1, kept where any input keeps along features', () => {
    const [B, Ta, Tb, F] = [2, 3, 2, 2];
    const t = (shape: number[]) => lw.tensor(new Float32Array(shape.reduce((x, y) => x * y, 1)), shape);
    const m = (values: number[], T: number) => lw.tensor(values, [B, T]);
    const values = (mask: unknown) => Array.from((mask as lw.Tensor).dataSync());
    const a = t([B, Ta, F]);
    const aMask = m([1, 0, 1, 0, 1, 1], Ta);
    const byTime = new Concatenate({ axis: 1 });
    // The unmasked input keeps all of its steps.
    expect(values(byTime.computeMask([a, t([B, Tb, F])], [aMask, null]))).toEqual([1, 0, 1, 1, 1, 0, 1, 1, 1, 1]);
    const byFeature = new Concatenate({ axis: -1 });
    const c = t([B, Ta, 1]);
    expect(values(byFeature.computeMask([a, c], [aMask, m([0, 0, 0, 1, 0, 0], Ta)]))).toEqual([1, 0, 1, 1, 1, 1]);
    expect(values(byFeature.computeMask([a, c], [aMask, null]))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(byFeature.computeMask([a, c], [null, null])).toBeNull();
    expect(byFeature.computeMask([a, c])).toBeNull();
  });
});

describe('concatenate in models', () => {
  it('simd predictions agree with js', async () => {
    const a = lw.input({ shape: [5, 3] });
    const b = lw.input({ shape: [5, 2] });
    const joined = concatenate([a, b]);
    const out = lw.layers.dense({ units: 4, activation: 'sigmoid' }).apply(joined) as SymbolicTensor;
    const m = lw.model({ inputs: [a, b], outputs: out });
    const xs = [rand([7, 5, 3], 4), rand([7, 5, 2], 5)];
    const { js, simd } = await predictOnBoth(m, xs);
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, 'concatenate model');
  });

  it('two LSTM branches joined by concatenate train (loss falls)', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(7);
    const x = lw.input({ shape: [6, 2] });
    const left = lw.layers.lstm({ units: 4 }).apply(x) as SymbolicTensor;
    const right = lw.layers.lstm({ units: 3, goBackwards: true }).apply(x) as SymbolicTensor;
    const out = lw.layers.dense({ units: 1 }).apply(concatenate([left, right])) as SymbolicTensor;
    const m = lw.model({ inputs: x, outputs: out });
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    const n = 32;
    const xs = rand([n, 6, 2], 6);
    // Target: a signal that needs both ends of the sequence.
    const d = xs.dataSync();
    const ys = lw.tensor(Array.from({ length: n }, (_, i) => d[i * 12] - d[i * 12 + 11]), [n, 1]);
    const before = m.evaluate(xs, ys) as number;
    await m.fit(xs, ys, { epochs: 30, batchSize: 8, verbose: 0 });
    const after = m.evaluate(xs, ys) as number;
    expect(after).toBeLessThan(0.1 * before);
    await lw.ready({ backend: 'js' });
  });
});

// Dot: output shapes and values of every rank-2/rank-3 axes combination against a direct
// batch_dot written here (with and without normalize), finite-difference gradients of both inputs
// (js float64), simd vs js, errors, masks, Keras config, save → load, and an attention model.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { Dot, dot } from '../../ts/layers/dot.js';
import { layerFromJson } from '../../ts/layers/registry.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { checkModelGradients, predictOnBoth, probedInput, withCtx } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

interface Arr { data: ArrayLike<number>; shape: number[] }
const strides = (shape: number[]) => shape.map((_d, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
const at = (a: Arr, idx: number[]) => idx.reduce((s, v, i) => s + v * strides(a.shape)[i], 0);

/** Every index tuple of `dims`. */
function tuples(dims: number[]): number[][] {
  return dims.reduce<number[][]>((acc, d) => acc.flatMap((t) => Array.from({ length: d }, (_v, i) => [...t, i])), [[]]);
}

/** a / max(‖a‖, 1e-7) along `axis` (Keras 3 normalize). */
function l2(a: Arr, axis: number): Arr {
  const out = Array.from(a.data);
  const others = a.shape.map((d, i) => (i === axis ? 1 : d));
  for (const t of tuples(others)) {
    const idx = (k: number) => at(a, t.map((v, i) => (i === axis ? k : v)));
    let sq = 0;
    for (let k = 0; k < a.shape[axis]; k++) sq += a.data[idx(k)] ** 2;
    const s = Math.min(1 / Math.sqrt(sq), 1e7);
    for (let k = 0; k < a.shape[axis]; k++) out[idx(k)] = a.data[idx(k)] * s;
  }
  return { data: out, shape: a.shape };
}

/** Keras batch_dot by definition: out[b, x's other axes..., y's other axes...] = Σ_k x[.., k ..] y[.., k ..]. */
function batchDot(x: Arr, y: Arr, [a1, a2]: [number, number], normalize: boolean): number[] {
  if (normalize) [x, y] = [l2(x, a1), l2(y, a2)];
  const xRest = x.shape.map((_d, i) => i).filter((i) => i !== 0 && i !== a1);
  const yRest = y.shape.map((_d, i) => i).filter((i) => i !== 0 && i !== a2);
  const out: number[] = [];
  for (let b = 0; b < x.shape[0]; b++) {
    for (const xt of tuples(xRest.map((i) => x.shape[i]))) {
      for (const yt of tuples(yRest.map((i) => y.shape[i]))) {
        let s = 0;
        for (let k = 0; k < x.shape[a1]; k++) {
          const xi = x.shape.map((_d, i) => (i === 0 ? b : i === a1 ? k : xt[xRest.indexOf(i)]));
          const yi = y.shape.map((_d, i) => (i === 0 ? b : i === a2 ? k : yt[yRest.indexOf(i)]));
          s += x.data[at(x, xi)] * y.data[at(y, yi)];
        }
        out.push(s);
      }
    }
  }
  return out;
}

/** [x shape, y shape, axes, output shape] with the batch; Keras' output shapes. */
const CASES: [number[], number[], number | [number, number], number[]][] = [
  [[2, 3, 4], [2, 5, 4], 2, [2, 3, 5]], // attention scores
  [[2, 3, 5], [2, 5, 4], [2, 1], [2, 3, 4]], // weights · values
  [[3, 4], [3, 4], 1, [3, 1]],
  [[2, 3, 4], [2, 4], [2, 1], [2, 3]],
  [[2, 4], [2, 3, 4], [1, 2], [2, 3]],
  [[2, 3, 4], [2, 3, 2], 1, [2, 4, 2]],
  [[2, 3, 4], [2, 5, 3], [1, 2], [2, 4, 5]],
  [[2, 4], [2, 4, 3], [1, 1], [2, 3]],
  [[2, 3, 4], [2, 3], [1, 1], [2, 4]],
  [[2, 3, 4], [2, 5, 4], -1, [2, 3, 5]],
  [[2, 3, 4], [2, 3, 2], [-2, 1], [2, 4, 2]],
];
const positive = (axes: number | [number, number], x: number[], y: number[]): [number, number] => {
  const [p, q] = Array.isArray(axes) ? axes : [axes, axes];
  return [p < 0 ? p + x.length : p, q < 0 ? q + y.length : q];
};

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('dot values', () => {
  it.each(CASES)('%j · %j, axes %j → %j, with and without normalize', (xs, ys, axes, outShape) => {
    const [x, y] = [rand(xs, 1), rand(ys, 2)];
    for (const normalize of [false, true]) {
      const [a, b] = [lw.input({ shape: xs.slice(1) }), lw.input({ shape: ys.slice(1) })];
      const out = dot({ axes, normalize }).apply([a, b]) as SymbolicTensor;
      expect(out.shape).toEqual([null, ...outShape.slice(1)]);
      const got = lw.model({ inputs: [a, b], outputs: out }).predict([x, y]) as lw.Tensor;
      expect(got.shape).toEqual(outShape);
      const want = batchDot({ data: x.dataSync(), shape: xs }, { data: y.dataSync(), shape: ys }, positive(axes, xs, ys), normalize);
      expectClose(got.dataSync(), want, 1e-7, 1e-6, `normalize ${normalize}`);
      if (normalize) expect(Array.from(got.dataSync()).every((v) => Math.abs(v) <= 1 + 1e-6), 'cosines').toBe(true);
    }
  });

  it('normalize keeps an all-zero vector at zero (no NaN: Keras clamps the norm at 1e-7)', () => {
    const [a, b] = [lw.input({ shape: [3] }), lw.input({ shape: [3] })];
    const m = lw.model({ inputs: [a, b], outputs: dot({ axes: 1, normalize: true }).apply([a, b]) as SymbolicTensor });
    const got = (m.predict([lw.tensor([[0, 0, 0], [1, 2, 2]]), lw.tensor([[1, 1, 1], [2, -1, 2]])]) as lw.Tensor).dataSync();
    expect(got[0]).toBe(0);
    expect(got[1]).toBeCloseTo(4 / 9, 6);
  });
});

describe('dot gradients', () => {
  it.each(CASES)('%j · %j, axes %j: both inputs\' gradients match finite differences, with and without normalize', (xs, ys, axes, outShape) => {
    for (const normalize of [false, true]) {
      const [inA, pa, za] = probedInput(xs, 3);
      const [inB, pb, zb] = probedInput(ys, 4);
      const out = dot({ axes, normalize }).apply([pa, pb]) as SymbolicTensor;
      const m = lw.model({ inputs: [inA, inB], outputs: out });
      const n = checkModelGradients(m, [za, zb], rand(outShape, 5));
      expect(n).toBe(xs.reduce((p, q) => p * q, 1) + ys.reduce((p, q) => p * q, 1));
    }
  });

  it('the same tensor on both sides (self-attention scores) gets both gradients', () => {
    const [inp, p, z] = probedInput([2, 3, 4], 6);
    const m = lw.model({ inputs: inp, outputs: dot({ axes: 2 }).apply([p, p]) as SymbolicTensor });
    expect(checkModelGradients(m, z, rand([2, 3, 3], 7))).toBe(24);
  });
});

describe('dot in models', () => {
  it('simd agrees with js', async () => {
    const [a, b] = [lw.input({ shape: [6, 5] }), lw.input({ shape: [7, 5] })];
    const m = lw.model({ inputs: [a, b], outputs: dot({ axes: 2, normalize: true }).apply([a, b]) as SymbolicTensor });
    const { js, simd } = await predictOnBoth(m, [rand([9, 6, 5], 8), rand([9, 7, 5], 9)]);
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-6, 1e-5, 'dot model');
  });

  it('an attention model (scores, softmax, weighted values, pooling) trains: loss falls', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(3);
    const x = lw.input({ shape: [6, 2] });
    const h = lw.layers.lstm({ units: 8, returnSequences: true }).apply(x) as SymbolicTensor;
    const scores = dot({ axes: 2 }).apply([h, h]) as SymbolicTensor;
    const weights = lw.layers.activation({ activation: 'softmax' }).apply(scores) as SymbolicTensor;
    const context = dot({ axes: [2, 1] }).apply([weights, h]) as SymbolicTensor;
    const pooled = lw.layers.globalAveragePooling1D().apply(context) as SymbolicTensor;
    const m = lw.model({ inputs: x, outputs: lw.layers.dense({ units: 1 }).apply(pooled) as SymbolicTensor });
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    const xs = rand([32, 6, 2], 10);
    const d = xs.dataSync();
    const ys = lw.tensor(Array.from({ length: 32 }, (_, i) => d[i * 12] * d[i * 12 + 11]), [32, 1]);
    const before = m.evaluate(xs, ys) as number;
    await m.fit(xs, ys, { epochs: 40, batchSize: 8, verbose: 0, seed: 1 });
    expect(m.evaluate(xs, ys) as number).toBeLessThan(0.5 * before);
    await lw.ready({ backend: 'js' });
  });

  it('the output has no mask, even from masked inputs (Keras)', async () => {
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      const t = (shape: number[]) => ({ ptr: ctx.zeros(shape.reduce((a, b) => a * b, 1)), shape, mask: ctx.alloc(shape[0] * shape[1]) });
      expect(new Dot({ axes: 2 }).forward(ctx, [t([2, 3, 4]), t([2, 5, 4])]).outputs[0].mask).toBeUndefined();
    });
  });
});

describe('dot errors and config', () => {
  it('bad axes, inputs and shapes are errors naming the layer', () => {
    const a3 = lw.input({ shape: [3, 4] });
    const b3 = lw.input({ shape: [5, 4] });
    for (const axes of ['x', [1, 2, 3], 1.5, [1, 0.5]]) {
      expectLwErrorSync(() => dot({ axes: axes as number, name: 'd' }), 'BAD_ARGUMENT', /"d".*axes must be a whole number or a pair/);
    }
    expectLwErrorSync(() => dot({ axes: 1, normalize: 'yes' as unknown as boolean }), 'BAD_ARGUMENT', /normalize must be true or false/);
    expectLwErrorSync(() => dot({ axes: 2, name: 'one' }).apply([a3]), 'SHAPE_MISMATCH', /one.*Dot.*exactly 2 inputs/);
    expectLwErrorSync(() => dot({ axes: 0, name: 'batch' }).apply([a3, b3]), 'SHAPE_MISMATCH', /batch.*cannot run over the batch axis/);
    expectLwErrorSync(() => dot({ axes: 3, name: 'far' }).apply([a3, b3]), 'SHAPE_MISMATCH', /far.*axis 3 is outside input 0/);
    expectLwErrorSync(() => dot({ axes: 1, name: 'sizes' }).apply([a3, b3]), 'SHAPE_MISMATCH', /sizes.*axis 1 of the first input \(3\) and axis 1 of the second \(5\)/);
    expectLwErrorSync(() => dot({ axes: 3, name: 'rank4' }).apply([lw.input({ shape: [2, 3, 4] }), b3]), 'UNSUPPORTED', /rank4.*rank 4.*rank 2 or 3/);
  });

  it('config is Keras\'; Keras configs load (axes as a list); a saved model loads and predicts the same', async () => {
    expect(dot({ axes: [2, 1], name: 'att' }).getConfig()).toMatchObject({ name: 'att', axes: [2, 1], normalize: false });
    const l = layerFromJson({ class_name: 'Dot', config: { name: 'd', axes: [1, 2], normalize: true, dtype: 'float32' } }, 'layer 4') as Dot;
    expect([l.axes, l.normalize]).toEqual([[1, 2], true]);
    expect((layerFromJson({ class_name: 'Dot', config: { axes: -1 } }, 'layer 4') as Dot).axes).toBe(-1);
    expectLwErrorSync(() => layerFromJson({ class_name: 'Dot', config: { name: 'd' } }, 'layer 4'), 'BAD_MODEL_FILE', /Dot.*"axes"/);
    const [a, b] = [lw.input({ shape: [4, 3] }), lw.input({ shape: [5, 3] })];
    const ha = lw.layers.dense({ units: 3 }).apply(a) as SymbolicTensor;
    const m = lw.model({ inputs: [a, b], outputs: dot({ axes: 2, normalize: true }).apply([ha, b]) as SymbolicTensor });
    const loaded = await lw.loadModel(m.toArtifacts());
    const xs = [rand([2, 4, 3], 11), rand([2, 5, 3], 12)];
    expect(Array.from((loaded.predict(xs) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(xs) as lw.Tensor).dataSync()));
  });
});

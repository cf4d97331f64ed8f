// GlobalAveragePooling1D and GlobalMaxPooling1D: values against manual means and maxima, the mask
// (average: only kept steps, as Keras 3; max: ignored, as Keras 3), ties in max, keepdims,
// finite-difference gradients (js float64), simd vs js, options and Keras configs, save → load.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { GlobalAveragePooling1D, globalAveragePooling1D } from '../../ts/layers/global-average-pooling-1d.js';
import { GlobalMaxPooling1D, globalMaxPooling1D } from '../../ts/layers/global-max-pooling-1d.js';
import type { GlobalPooling1D } from '../../ts/layers/global-pooling-1d.js';
import { layerFromJson } from '../../ts/layers/registry.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { LwError } from '../../ts/errors.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { checkModelGradients, InputProbe, predictOnBoth, probedInput, withCtx } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Per (sample, feature): `pick` over the values of the steps `keep` allows. x [B, T, F] row-major. */
function reduceSteps(x: ArrayLike<number>, [B, T, F]: number[], pick: (vals: number[]) => number, keep = (_b: number, _t: number) => true): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) {
      const vals: number[] = [];
      for (let t = 0; t < T; t++) if (keep(b, t)) vals.push(x[(b * T + t) * F + f]);
      out.push(pick(vals));
    }
  }
  return out;
}
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const max = (v: number[]) => Math.max(...v);

/** x [B, T, F] with the steps after each sample's length zero (Masking pads them out). */
function padded(lengths: number[], T: number, F: number, seed: number): lw.Tensor {
  const data = randArray(lengths.length * T * F, seed).map((v) => (v === 0 ? 0.5 : v));
  lengths.forEach((len, b) => data.fill(0, (b * T + len) * F, (b + 1) * T * F));
  return lw.tensor(data, [lengths.length, T, F]);
}

const POOLS: [string, (a?: { keepdims?: boolean }) => GlobalPooling1D, (v: number[]) => number][] = [
  ['average', globalAveragePooling1D, mean],
  ['max', globalMaxPooling1D, max],
];

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe.each(POOLS)('global %s pooling 1D', (_kind, make, pick) => {
  it('reduces over the steps; keepdims keeps a time axis of 1', () => {
    const shape = [4, 5, 3];
    const x = rand(shape, 1);
    const want = reduceSteps(x.dataSync(), shape, pick);
    const y = lw.sequential([make({ inputShape: [5, 3] } as object)]).predict(x) as lw.Tensor;
    expect(y.shape).toEqual([4, 3]);
    expectClose(y.dataSync(), want, 1e-7, 1e-6, 'pooled');
    const kept = lw.sequential([make({ keepdims: true, inputShape: [5, 3] } as object)]).predict(x) as lw.Tensor;
    expect(kept.shape).toEqual([4, 1, 3]);
    expectClose(kept.dataSync(), want, 1e-7, 1e-6, 'pooled, keepdims');
    expect((make().apply(lw.input({ shape: [null, 7] })) as SymbolicTensor).shape).toEqual([null, 7]);
  });

  it('input gradients match finite differences', () => {
    const [inp, probed, zeros] = probedInput([3, 4, 2], 2);
    const pooled = make({ keepdims: true }).apply(probed) as SymbolicTensor;
    const out = lw.layers.dense({ units: 2, activation: 'tanh' }).apply(pooled) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    expect(checkModelGradients(m, zeros, rand([3, 1, 2], 3))).toBeGreaterThan(24);
  });

  it('simd agrees with js after an LSTM', async () => {
    const m = lw.sequential([lw.layers.lstm({ units: 6, returnSequences: true, inputShape: [7, 3] }), make(), lw.layers.dense({ units: 2 })]);
    const { js, simd } = await predictOnBoth(m, rand([5, 7, 3], 4));
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, 'pooled model');
  });

  it('takes only channelsLast inputs of rank 3: channelsFirst is UNSUPPORTED naming the option', () => {
    expectLwErrorSync(() => make({ dataFormat: 'channelsFirst', name: 'cf' } as object), 'UNSUPPORTED', /cf.*dataFormat "channelsFirst" is not supported/);
    expectLwErrorSync(() => make({ dataFormat: 'channels_first' } as object), 'UNSUPPORTED', /dataFormat "channels_first"/);
    expectLwErrorSync(() => make({ dataFormat: 'nhwc' } as object), 'BAD_ARGUMENT', /dataFormat must be "channelsLast"/);
    expectLwErrorSync(() => make({ keepdims: 1 } as object), 'BAD_ARGUMENT', /keepdims must be true or false/);
    expect(make({ dataFormat: 'channels_last' } as object).keepdims).toBe(false);
    expectLwErrorSync(() => make({ name: 'flat' } as object).apply(lw.input({ shape: [4] })), 'SHAPE_MISMATCH', /flat.*rank 3/);
  });

  it('config is Keras\'; Keras configs load (channels_first: UNSUPPORTED naming the layer); a saved model loads', async () => {
    const layer = make({ keepdims: true, name: 'pool' } as object);
    expect(layer.getConfig()).toMatchObject({ name: 'pool', data_format: 'channels_last', keepdims: true });
    const l = layerFromJson({ class_name: layer.className, config: { name: 'p', data_format: 'channels_last', keepdims: true } }, 'layer 2');
    expect(l.className).toBe(layer.className);
    expect((l as GlobalPooling1D).keepdims).toBe(true);
    let err: unknown;
    try {
      layerFromJson({ class_name: layer.className, config: { name: 'p', data_format: 'channels_first' } }, 'layer 2');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LwError);
    expect((err as LwError).code).toBe('UNSUPPORTED');
    expect((err as LwError).message).toMatch(/layer 2 "p" \(Global\w+Pooling1D\): .*channels_first/);
    const m = lw.sequential([lw.layers.gru({ units: 3, returnSequences: true, inputShape: [4, 2] }), make(), lw.layers.dense({ units: 1 })]);
    const loaded = await lw.loadModel(m.toArtifacts());
    const x = rand([3, 4, 2], 5);
    expect(Array.from((loaded.predict(x) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as lw.Tensor).dataSync()));
  });
});

describe('masks', () => {
  const [T, F] = [5, 3];
  const lengths = [2, 5, 1, 3];
  const keep = (b: number, t: number) => t < lengths[b];

  it('average pooling averages only the kept steps (Keras 3), and the output has no mask', async () => {
    const x = padded(lengths, T, F, 6);
    const m = lw.sequential([lw.layers.masking({ inputShape: [T, F] }), globalAveragePooling1D()]);
    const want = reduceSteps(x.dataSync(), [lengths.length, T, F], mean, keep);
    expectClose((m.predict(x) as lw.Tensor).dataSync(), want, 1e-7, 1e-6, 'masked mean');
    // The plain mean differs: the padding would count.
    expect(reduceSteps(x.dataSync(), [lengths.length, T, F], mean)[0]).not.toBeCloseTo(want[0], 3);
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      const mask = ctx.alloc(2);
      js.writeFloats(mask, [1, 0.5]);
      const { outputs } = new GlobalAveragePooling1D().forward(ctx, [{ ptr: ctx.zeros(2), shape: [1, 2, 1], mask }]);
      expect(outputs[0].mask).toBeUndefined();
    });
  });

  it('average pooling of an embedding with maskZero leaves the padding ids out', () => {
    const ids = lw.tensor([[3, 1, 0, 0], [2, 2, 4, 1], [0, 0, 0, 4]], [3, 4]);
    const emb = lw.layers.embedding({ inputDim: 5, outputDim: 2, maskZero: true, inputLength: 4 });
    const m = lw.sequential([emb, globalAveragePooling1D()]);
    const table = emb.getWeights()[0].dataSync();
    const row = (i: number) => [table[2 * i], table[2 * i + 1]];
    const avg = (rows: number[][]) => [mean(rows.map((r) => r[0])), mean(rows.map((r) => r[1]))];
    const want = [...avg([row(3), row(1)]), ...avg([row(2), row(2), row(4), row(1)]), ...avg([row(4)])];
    expectClose((m.predict(ids) as lw.Tensor).dataSync(), want, 1e-7, 1e-6, 'embedding mean');
  });

  it('a sample with every step masked averages to zeros (Keras: 0/0) and passes no gradient', async () => {
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      const [B, Tm, Fm] = [2, 3, 2];
      const x = ctx.alloc(B * Tm * Fm);
      js.writeFloats(x, randArray(B * Tm * Fm, 7));
      const mask = ctx.alloc(B * Tm);
      js.writeFloats(mask, [0, 0, 0, 1, 0, 1]);
      const layer = new GlobalAveragePooling1D();
      const input = { ptr: x, shape: [B, Tm, Fm], mask };
      const r = layer.forward(ctx, [input]);
      const y = Array.from(js.readFloats(r.outputs[0].ptr, B * Fm, true));
      expect(y.slice(0, 2)).toEqual([0, 0]);
      const xs = js.readFloats(x, B * Tm * Fm, true);
      expectClose(y.slice(2), [(xs[6] + xs[10]) / 2, (xs[7] + xs[11]) / 2], 1e-12, 1e-12, 'second sample');
      const dy = ctx.alloc(B * Fm);
      js.writeFloats(dy, [1, 2, 3, 4]);
      const [dx] = layer.backward(ctx, r.saved, [input], r.outputs, [dy]);
      expect(Array.from(js.readFloats(dx, B * Tm * Fm))).toEqual([0, 0, 0, 0, 0, 0, 1.5, 2, 0, 0, 1.5, 2]);
    });
  });

  it('gradients through masking into average pooling match finite differences (padding left out)', () => {
    const x = padded(lengths, T, F, 8);
    const [inp, probed, zeros] = probedInput([lengths.length, T, F], 0, x.dataSync());
    const pooled = globalAveragePooling1D().apply(lw.layers.masking().apply(probed) as SymbolicTensor) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: lw.layers.dense({ units: 2 }).apply(pooled) as SymbolicTensor });
    const isPad = (i: number) => !keep(Math.floor(i / (T * F)), Math.floor(i / F) % T);
    const n = checkModelGradients(m, zeros, rand([lengths.length, 2], 9), { skip: (w, i) => w.layer instanceof InputProbe && isPad(i) });
    expect(n).toBe(F * 2 + 2 + lengths.reduce((a, b) => a + b, 0) * F);
  });

  it('max pooling ignores the mask (Keras 3): masked steps take part and the mask stops', async () => {
    // Every kept value is negative, so each maximum comes from a zeroed padding step where there is one.
    const x = padded(lengths, T, F, 10);
    const neg = lw.tensor(Array.from(x.dataSync(), (v) => -Math.abs(v)), [lengths.length, T, F]);
    const m = lw.sequential([lw.layers.masking({ inputShape: [T, F] }), globalMaxPooling1D()]);
    const got = (m.predict(neg) as lw.Tensor).dataSync();
    expectClose(got, reduceSteps(neg.dataSync(), [lengths.length, T, F], max), 1e-7, 1e-6, 'max over every step');
    expect(Array.from(got.slice(0, F))).toEqual([0, 0, 0]);
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      const { outputs } = new GlobalMaxPooling1D().forward(ctx, [{ ptr: ctx.zeros(4), shape: [1, 2, 2], mask: ctx.zeros(2) }]);
      expect(outputs[0].mask).toBeUndefined();
    });
  });
});

describe('max pooling ties', () => {
  it('split the gradient evenly between the steps that share the maximum', async () => {
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      // x [1, 3, 2]: feature 0 ties at steps 0 and 1, feature 1 at steps 0 and 2.
      const x = ctx.alloc(6);
      js.writeFloats(x, [1, 5, 1, 2, 0, 5]);
      const layer = new GlobalMaxPooling1D();
      const input = { ptr: x, shape: [1, 3, 2] };
      const r = layer.forward(ctx, [input]);
      expect(Array.from(js.readFloats(r.outputs[0].ptr, 2))).toEqual([1, 5]);
      const dy = ctx.alloc(2);
      js.writeFloats(dy, [3, 4]);
      const [dx] = layer.backward(ctx, r.saved, [input], r.outputs, [dy]);
      expect(Array.from(js.readFloats(dx, 6))).toEqual([1.5, 2, 1.5, 0, 0, 2]);
    });
  });
});

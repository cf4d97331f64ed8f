// TimeDistributed: equals Dense on 3-D input, shapes and errors, weight names and config as TF.js
// writes them, finite-difference gradients (js float64), freezing, simd vs js.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { TimeDistributed, timeDistributed } from '../../ts/layers/time-distributed.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, predictOnBoth, probedInput } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('timeDistributed', () => {
  it.each([
    { T: 1, F: 3, U: 2 },
    { T: 5, F: 7, U: 13 },
  ])('timeDistributed(dense) equals dense on 3-D input (T $T, F $F, units $U)', ({ T, F, U }) => {
    const td = lw.sequential([timeDistributed({ layer: lw.layers.dense({ units: U, activation: 'tanh' }), inputShape: [T, F] })]);
    const plain = lw.sequential([lw.layers.dense({ units: U, activation: 'tanh', inputShape: [T, F] })]);
    const x = rand([3, T, F], T * 10 + F);
    const a = td.predict(x) as lw.Tensor;
    plain.setWeights(td.getWeights());
    expect(a.shape).toEqual([3, T, U]);
    expectClose(a.dataSync(), (plain.predict(x) as lw.Tensor).dataSync(), 1e-12, 1e-12, 'timeDistributed(dense) vs dense');
  });

  it('output shapes keep the time axis, also for rank-4 input and unknown time', () => {
    const d = timeDistributed({ layer: lw.layers.dense({ units: 4 }) });
    expect((d.apply(lw.input({ shape: [6, 2, 3] })) as SymbolicTensor).shape).toEqual([null, 6, 2, 4]);
    const e = timeDistributed({ layer: lw.layers.dense({ units: 2 }) });
    expect((e.apply(lw.input({ shape: [null, 3] })) as SymbolicTensor).shape).toEqual([null, null, 2]);
  });

  it('shape errors name the wrapper', () => {
    const d = timeDistributed({ name: 'td_flat', layer: lw.layers.dense({ units: 4 }) });
    expect(() => d.apply(lw.input({ shape: [3] }))).toThrow(/td_flat.*TimeDistributed.*rank >= 3/);
    expect(() => timeDistributed({ layer: {} as never })).toThrow(/layer/);
  });

  it('weights are named under the wrapper (TF.js) and getConfig nests the layer', () => {
    const inner = lw.layers.dense({ units: 3, name: 'inner_dense' });
    const td = new TimeDistributed({ name: 'td_names', layer: inner, inputShape: [4, 2] });
    const m = lw.sequential([td]);
    expect(m.weights.map((w) => w.path)).toEqual(['td_names/kernel', 'td_names/bias']);
    m.params(); // initial values
    expect(td.getWeights().map((t) => t.shape)).toEqual([[2, 3], [3]]);
    expect(td.countParams()).toBe(9);
    const c = td.getConfig();
    expect(c).toMatchObject({ name: 'td_names', trainable: true, batch_input_shape: [null, 4, 2] });
    expect(c.layer).toMatchObject({ class_name: 'Dense', config: { name: 'inner_dense', units: 3, activation: 'linear', use_bias: true } });
    expect(timeDistributed({ layer: lw.layers.dense({ units: 1 }) }).name).toMatch(/^time_distributed(_\d+)?$/);
  });

  it('gradients of weights and inputs match finite differences (two stacked wrappers)', () => {
    const [inp, probed, zeros] = probedInput([2, 3, 4], 1);
    const h = timeDistributed({ layer: lw.layers.dense({ units: 3, activation: 'tanh' }) }).apply(probed) as SymbolicTensor;
    const out = timeDistributed({ layer: lw.layers.dense({ units: 2, activation: 'sigmoid' }) }).apply(h) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    expect(checkModelGradients(m, zeros, rand([2, 3, 2], 2))).toBe(24 + 15 + 8);
  });

  it('a frozen wrapper freezes the inner layer: no trainable weights, unchanged by training', () => {
    const inner = lw.layers.dense({ units: 2 });
    const td = timeDistributed({ layer: inner, inputShape: [3, 2], trainable: false });
    const m = lw.sequential([td, timeDistributed({ layer: lw.layers.dense({ units: 1 }) })]);
    expect(inner.trainable).toBe(false);
    expect(td.trainableWeights).toEqual([]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m.params(); // initial values
    const before = td.getWeights().map((t) => Array.from(t.dataSync()));
    const last = m.layers[1].getWeights().map((t) => Array.from(t.dataSync()));
    m.trainOnBatch(rand([4, 3, 2], 3), rand([4, 3, 1], 4));
    expect(td.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    expect(m.layers[1].getWeights().map((t) => Array.from(t.dataSync()))).not.toEqual(last);
    td.trainable = true;
    expect(inner.trainable).toBe(true);
    // A frozen inner layer passed in makes a frozen wrapper (Keras).
    expect(timeDistributed({ layer: lw.layers.dense({ units: 1, trainable: false }) }).trainable).toBe(false);
  });

  it('simd predictions agree with js', async () => {
    const m = lw.sequential([
      timeDistributed({ layer: lw.layers.dense({ units: 17, activation: 'relu' }), inputShape: [7, 5] }),
      timeDistributed({ layer: lw.layers.dense({ units: 3, activation: 'softmax' }) }),
    ]);
    const x = rand([6, 7, 5], 5);
    const { js, simd } = await predictOnBoth(m, x);
    expect(js[0].shape).toEqual([6, 7, 3]);
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, 'timeDistributed model');
  });

  it('after an LSTM with returnSequences, a per-step classifier trains (loss falls)', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(3);
    const m = lw.sequential([
      lw.layers.lstm({ units: 8, returnSequences: true, inputShape: [5, 2] }),
      timeDistributed({ layer: lw.layers.dense({ units: 1, activation: 'sigmoid' }) }),
    ]);
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.03 }), loss: 'binaryCrossentropy' });
    const n = 32;
    const x = rand([n, 5, 2], 6);
    // Label each step by whether the running sum of the first feature is positive.
    const d = x.dataSync();
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let t = 0; t < 5; t++) {
        s += d[(i * 5 + t) * 2];
        y.push(s > 0 ? 1 : 0);
      }
    }
    const ys = lw.tensor(y, [n, 5, 1]);
    const before = m.evaluate(x, ys) as number;
    await m.fit(x, ys, { epochs: 25, batchSize: 8, verbose: 0 });
    expect(m.evaluate(x, ys) as number).toBeLessThan(0.25 * before);
    await lw.ready({ backend: 'js' });
  });
});

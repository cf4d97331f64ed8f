// Recurrent layer options at the model level: stateful carry, dropout, returnState, getWeights layout.
import { describe, it, expect, beforeEach } from 'vitest';
import * as lw from '../../ts/index.js';
import { randArray, expectClose } from '../helpers/kernels.js';

beforeEach(async () => {
  await lw.ready({ backend: 'simd' });
  lw.setSeed(5);
});

const seq = (B: number, T: number, F: number, seed: number) => lw.tensor(randArray(B * T * F, seed), [B, T, F]);

describe('recurrent layers in models', () => {
  it.each(['lstm', 'gru', 'simpleRNN'] as const)('%s stateful: two halves with carried state equal the whole sequence; resetStates forgets', (cell) => {
    const make = (T: number, stateful: boolean) => {
      const args = { units: 4, returnSequences: true, stateful, batchInputShape: [2, T, 3] };
      return lw.sequential([cell === 'lstm' ? lw.layers.lstm(args) : cell === 'gru' ? lw.layers.gru(args) : lw.layers.simpleRNN(args)]);
    };
    const whole = make(6, false);
    const halves = make(3, true);
    halves.setWeights(whole.getWeights());
    const x = seq(2, 6, 3, 1).arraySync() as number[][][];
    const first = x.map((r) => r.slice(0, 3));
    const second = x.map((r) => r.slice(3));
    const all = (whole.predict(lw.tensor(x)) as lw.Tensor).arraySync() as number[][][];
    halves.predict(lw.tensor(first));
    const carried = (halves.predict(lw.tensor(second)) as lw.Tensor).arraySync() as number[][][];
    expectClose(carried.flat(2), all.map((r) => r.slice(3)).flat(2), 1e-6, 1e-6, 'second half with carried state');
    halves.resetStates();
    const fresh = (halves.predict(lw.tensor(second)) as lw.Tensor).dataSync();
    const alone = (make(3, false) as lw.Sequential);
    alone.setWeights(whole.getWeights());
    expectClose(fresh, (alone.predict(lw.tensor(second)) as lw.Tensor).dataSync(), 1e-6, 1e-6, 'after resetStates');
  });

  it('dropout and recurrentDropout act only while training, reproducibly with a seed', async () => {
    const model = lw.sequential([lw.layers.lstm({ units: 8, dropout: 0.3, recurrentDropout: 0.3, inputShape: [5, 3] }), lw.layers.dense({ units: 1 })]);
    model.compile({ optimizer: lw.train.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const x = seq(16, 5, 3, 2);
    const y = lw.tensor(randArray(16, 3), [16, 1]);
    const p1 = (model.predict(x) as lw.Tensor).dataSync();
    const p2 = (model.predict(x) as lw.Tensor).dataSync();
    expect(Array.from(p1)).toEqual(Array.from(p2)); // inference: deterministic, no dropout
    const w0 = model.getWeights();
    const run = async () => {
      model.setWeights(w0);
      const h = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 42 });
      return h.history.loss;
    };
    const a = await run();
    const b = await run();
    expect(b).toEqual(a);
    // training loss with dropout differs from the deterministic loss of the same weights
    model.setWeights(w0);
    const evalLoss = model.evaluate(x, y) as number;
    const withDrop = model.trainOnBatch(x, y) as number;
    expect(withDrop).not.toBeCloseTo(evalLoss, 6);
  });

  it('returnState gives [output, h, c] for LSTM; weights are in Keras layout', () => {
    const inp = lw.input({ shape: [4, 3] });
    const outs = lw.layers.lstm({ units: 5, returnState: true }).apply(inp) as lw.layers.SymbolicTensor[];
    expect(outs.map((o) => o.shape)).toEqual([[null, 5], [null, 5], [null, 5]]);
    const model = lw.model({ inputs: inp, outputs: outs });
    const [o, h, c] = model.predict(seq(2, 4, 3, 4)) as lw.Tensor[];
    expect(Array.from(o.dataSync())).toEqual(Array.from(h.dataSync()));
    expect(c.shape).toEqual([2, 5]);
    const w = model.layers[1].getWeights();
    expect(w.map((t) => t.shape)).toEqual([[3, 20], [5, 20], [20]]);
    // unitForgetBias: forget-gate block starts at 1
    expect(Array.from(w[2].dataSync().slice(5, 10))).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(w[2].dataSync().slice(0, 5))).toEqual([0, 0, 0, 0, 0]);
    const g = lw.sequential([lw.layers.gru({ units: 5, inputShape: [4, 3] })]).layers[0].getWeights();
    expect(g.map((t) => t.shape)).toEqual([[3, 15], [5, 15], [2, 15]]);
  });

  it('unitForgetBias keeps the forget gate at 1 with a given biasInitializer (Keras 3, TF.js); off, the initializer fills all', () => {
    const bias = (args: Partial<lw.layers.LSTMArgs>) =>
      Array.from(lw.sequential([lw.layers.lstm({ units: 3, inputShape: [2, 2], ...args })]).layers[0].getWeights()[2].dataSync());
    expect(bias({ biasInitializer: 'zeros' })).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(bias({ biasInitializer: 'ones', unitForgetBias: true })).toEqual(new Array(12).fill(1));
    expect(bias({ biasInitializer: 'zeros', unitForgetBias: false })).toEqual(new Array(12).fill(0));
    const drawn = bias({ biasInitializer: 'randomNormal' });
    expect(drawn.slice(3, 6)).toEqual([1, 1, 1]);
    expect(new Set([...drawn.slice(0, 3), ...drawn.slice(6)]).size).toBe(9);
  });

  it('shape errors name the layer and the shapes', () => {
    expect(() => lw.sequential([lw.layers.lstm({ units: 4, inputShape: [5] })])).toThrow(/layer "lstm.*" \(LSTM\): input must have rank 3 \(with the batch\), got \[None, 5\]/);
    const a = lw.input({ shape: [3] });
    expect(() => lw.layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(/inputDim must be a whole number >= 1/);
    expect(() => lw.layers.dense({ units: 2 }).apply([a, a])).toThrow(/SHAPE_MISMATCH/);
  });
});

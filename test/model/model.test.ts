// The model API on dense models: training, errors, determinism, callbacks, several inputs/outputs,
// and whole-model gradients against finite differences.
import { describe, it, expect, beforeEach } from 'vitest';
import * as lw from '../../ts/index.js';
import { randArray, expectClose, rng } from '../helpers/kernels.js';

beforeEach(async () => {
  await lw.ready({ backend: 'simd' });
  lw.setSeed(1);
});

/** y = [sum(x) > 0] for 4 features: a small separable task. */
function blobs(n: number, seed: number) {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = [0, 0, 0, 0].map(() => r() * 2 - 1);
    x.push(row);
    y.push([row.reduce((a, b) => a + b, 0) > 0 ? 1 : 0]);
  }
  return { x: lw.tensor(x), y: lw.tensor(y) };
}

function mlp() {
  return lw.sequential([
    lw.layers.dense({ units: 8, activation: 'tanh', inputShape: [4] }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
}

describe('sequential dense model', () => {
  it('learns a separable task: loss falls and accuracy is high', async () => {
    const { x, y } = blobs(256, 3);
    const model = mlp();
    model.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(x, y, { epochs: 30, batchSize: 32, verbose: 0, seed: 5 });
    expect(h.history.loss[29]).toBeLessThan(h.history.loss[0] * 0.3);
    expect(h.history.acc[29]).toBeGreaterThan(0.93);
    const [loss, acc] = model.evaluate(x, y) as number[];
    expect(loss).toBeCloseTo(h.history.loss[29], 1);
    expect(acc).toBeGreaterThan(0.93);
    const p = model.predict(x) as lw.Tensor;
    expect(p.shape).toEqual([256, 1]);
  });

  it('the same seed gives identical initial weights and identical losses', async () => {
    const run = async () => {
      lw.setSeed(123);
      const { x, y } = blobs(64, 4);
      const m = mlp();
      m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      const w0 = m.getWeights().map((t) => Array.from(t.dataSync()));
      const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, seed: 9 });
      return { w0, loss: h.history.loss, w1: m.getWeights().map((t) => Array.from(t.dataSync())) };
    };
    const a = await run();
    const b = await run();
    expect(b.w0).toEqual(a.w0);
    expect(b.loss).toEqual(a.loss);
    expect(b.w1).toEqual(a.w1);
  });

  it('SGD(lr=1) weight deltas equal finite-difference gradients of the loss (js backend, float64)', async () => {
    await lw.ready({ backend: 'js' });
    const { x, y } = blobs(8, 6);
    const model = lw.sequential([
      lw.layers.dense({ units: 3, activation: 'tanh', inputShape: [4] }),
      lw.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    const y2 = lw.tensor((y.arraySync() as number[][]).map(([v]) => [v, 1 - v]));
    model.compile({ optimizer: lw.train.sgd({ learningRate: 1 }), loss: 'categoricalCrossentropy' });
    const w0 = model.getWeights();
    const lossAt = (ws: lw.Tensor[]) => {
      model.setWeights(ws);
      return model.evaluate(x, y2, { batchSize: 8 }) as number;
    };
    const numeric = w0.map((t, wi) => Array.from(t.dataSync(), (_, i) => {
      const bump = (d: number) => w0.map((u, j) => {
        if (j !== wi) return u;
        const v = Float32Array.from(u.dataSync());
        v[i] += d;
        return lw.tensor(v, [...u.shape]);
      });
      const h = 1e-3;
      return (lossAt(bump(h)) - lossAt(bump(-h))) / (2 * h);
    }));
    model.setWeights(w0);
    model.trainOnBatch(x, y2);
    const w1 = model.getWeights();
    w1.forEach((t, wi) => {
      const delta = Array.from(t.dataSync(), (v, i) => w0[wi].dataSync()[i] - v);
      expectClose(delta, numeric[wi], 1e-4, 1e-3, `weight ${wi} gradient`);
    });
  });

  it('names the problem in typed errors', async () => {
    const model = mlp();
    await expect(model.fit([[1, 2, 3, 4]], [[1]])).rejects.toMatchObject({ code: 'NOT_READY' });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit([[1, 2, 3]], [[1]], { verbose: 0 })).rejects.toThrow(/SHAPE_MISMATCH.*input ".*" has shape \[1, 3\], the model expects \[None, 4\]/);
    await expect(model.fit([[1, 2, 3, 4], [1, 2, 3, 4]], [[1]], { verbose: 0 })).rejects.toThrow(/y for output ".*" has 1 samples, x has 2/);
    await expect(model.fit([[1, 2, 3, 4]], [[1]], { batchSize: 0, verbose: 0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(model.fit(lw.tensor(new Float32Array(0), [0, 4]), lw.tensor(new Float32Array(0), [0, 1]), { verbose: 0 })).rejects.toMatchObject({ code: 'EMPTY_DATA' });
    expect(() => model.compile({ optimizer: 'adagrad', loss: 'mse' })).toThrow(/unknown optimizer "adagrad"/);
    expect(() => model.compile({ optimizer: 'adam', loss: 'hinge' })).toThrow(/unknown loss "hinge"/);
  });

  it('NaN in x stops fit with NON_FINITE before any step, keeping the weights', async () => {
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = lw.tensor([[1, 1, 1, 1], [1, 2, 3, 4], [NaN, 0, 0, 0]]);
    const y = lw.tensor([[1], [0], [1]]);
    const before = model.getWeights().map((t) => Array.from(t.dataSync()));
    const err = await model.fit(x, y, { batchSize: 3, shuffle: false, verbose: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(lw.LwError);
    expect(err.code).toBe('NON_FINITE');
    expect(err.message).toMatch(/fit: input ".*" has NaN at \[2, 0\] \(sample 2\)/);
    expect(model.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    // the model is still usable
    const h = await model.fit(x.dataSync().slice(0, 8) as Float32Array, [[1], [0]], { verbose: 0 }).catch(() => null);
    expect(h).toBeNull(); // a flat Float32Array is one input of shape [8]: rejected, not crashed
    await model.fit(lw.tensor([[1, 1, 1, 1]]), lw.tensor([[1]]), { verbose: 0 });
  });

  it('summary counts parameters like Keras', () => {
    const model = mlp();
    const lines: string[] = [];
    const text = model.summary(80, (l) => lines.push(l));
    expect(text).toMatch(/Total params: 49/);
    expect(lines.some((l) => /dense.*\(Dense\).*\[None, 8\].*40/.test(l))).toBe(true);
  });
});

describe('functional model with several inputs and outputs', () => {
  it('trains two outputs with their own losses and weights', async () => {
    const a = lw.input({ shape: [3], name: 'a' });
    const b = lw.input({ shape: [2], name: 'b' });
    const ha = lw.layers.dense({ units: 4, activation: 'tanh' }).apply(a) as lw.layers.SymbolicTensor;
    const hb = lw.layers.dense({ units: 4, activation: 'tanh' }).apply(b) as lw.layers.SymbolicTensor;
    const shared = lw.layers.dense({ units: 4, activation: 'tanh' });
    const sa = shared.apply(ha) as lw.layers.SymbolicTensor;
    const sb = shared.apply(hb) as lw.layers.SymbolicTensor;
    const outSum = lw.layers.dense({ units: 1, name: 'sum' }).apply(sa) as lw.layers.SymbolicTensor;
    const outCls = lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'cls' }).apply(sb) as lw.layers.SymbolicTensor;
    const model = lw.model({ inputs: [a, b], outputs: [outSum, outCls] });
    model.compile({ optimizer: lw.train.adam({ learningRate: 0.03 }), loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: [1, 0.5], metrics: { cls: ['accuracy'], sum: ['mae'] } });
    const r = rng(11);
    const xa = Array.from({ length: 128 }, () => [r(), r(), r()]);
    const xb = Array.from({ length: 128 }, () => [r() - 0.5, r() - 0.5]);
    const ySum = xa.map((v) => [v[0] + v[1] - v[2]]);
    const yCls = xb.map((v) => [v[0] > v[1] ? 1 : 0]);
    const h = await model.fit({ a: xa, b: xb }, [ySum, yCls], { epochs: 40, batchSize: 16, verbose: 0, seed: 2 });
    expect(h.history.loss[39]).toBeLessThan(h.history.loss[0] * 0.3);
    expect(h.history.cls_acc[39]).toBeGreaterThan(0.85);
    // Keras history keys: total loss, each output's own loss, then metrics by output
    expect(Object.keys(h.history)).toEqual(['loss', 'sum_loss', 'cls_loss', 'sum_mae', 'cls_acc']);
    expect(h.history.loss[39]).toBeCloseTo(h.history.sum_loss[39] + 0.5 * h.history.cls_loss[39], 5);
    const ev = model.evaluate({ a: xa, b: xb }, [ySum, yCls]) as number[];
    expect(ev).toHaveLength(5);
    const [pSum, pCls] = model.predict([xa, xb]) as lw.Tensor[];
    expect(pSum.shape).toEqual([128, 1]);
    expect(pCls.shape).toEqual([128, 1]);
  });
});

describe('callbacks', () => {
  it('earlyStopping stops after patience and restores the best weights', async () => {
    const { x, y } = blobs(64, 8);
    const model = mlp();
    // A huge learning rate makes validation loss rise after the first epochs.
    model.compile({ optimizer: lw.train.sgd({ learningRate: 30 }), loss: 'binaryCrossentropy' });
    const es = lw.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights: true });
    const seen: number[] = [];
    const h = await model.fit(x, y, {
      epochs: 50, batchSize: 8, validationData: [x, y], verbose: 0, seed: 1,
      callbacks: [es, { onEpochEnd: (_e, logs) => void seen.push(logs!.val_loss) }],
    });
    expect(h.epoch.length).toBeLessThan(50);
    const best = Math.min(...seen);
    const [loss] = [model.evaluate(x, y, { batchSize: 64 }) as number];
    expect(loss).toBeCloseTo(best, 5);
  });

  it('reduceLROnPlateau lowers the learning rate when the loss stalls', async () => {
    const { x, y } = blobs(32, 9);
    const model = mlp();
    const opt = lw.train.sgd({ learningRate: 0 });
    model.compile({ optimizer: opt, loss: 'mse' });
    opt.learningRate = 1e-9; // the loss cannot improve
    await model.fit(x, y, { epochs: 4, verbose: 0, callbacks: [lw.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, factor: 0.5 })] });
    expect(opt.learningRate).toBeLessThan(1e-9);
  });
});

describe('trainOnBatch / predict', () => {
  it('trainOnBatch returns [loss, acc] and predict batches match a single batch', async () => {
    const { x, y } = blobs(50, 10);
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const r = model.trainOnBatch(x, y) as number[];
    expect(r).toHaveLength(2);
    expect(r[1]).toBeGreaterThanOrEqual(0);
    const p7 = (model.predict(x, { batchSize: 7 }) as lw.Tensor).dataSync();
    const p50 = (model.predict(x, { batchSize: 50 }) as lw.Tensor).dataSync();
    expectClose(p7, p50, 1e-6, 0, 'batched predict');
    expect(randArray(1, 1)).toHaveLength(1);
  });
});

describe('optimizer factories', () => {
  it('take the learning rate as a number, as TF.js does, and refuse anything but options or a number', () => {
    expect(lw.train.adam(0.05).learningRate).toBe(0.05);
    expect(lw.train.sgd(0.1).learningRate).toBe(0.1);
    expect(lw.train.rmsprop(0.2).learningRate).toBe(0.2);
    expect(lw.train.adamw(0.3).learningRate).toBe(0.3);
    expect(lw.train.adam({ learningRate: 0.04 }).learningRate).toBe(0.04);
    expect(() => new lw.train.Adam('fast' as never)).toThrow(/takes an object of options/);
  });
});

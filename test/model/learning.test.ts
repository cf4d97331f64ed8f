// Recurrent models learn what they must: a long-lag memory task, and padding with maskZero changes nothing.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { rng, expectClose } from '../helpers/kernels.js';

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

/** x: a ±1 signal at the first step, then T-1 steps of noise in [-0.5, 0.5]; the label is the signal's sign (lag T-1). */
function longLag(n: number, T: number, seed: number) {
  const r = rng(seed);
  const x = new Float32Array(n * T);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 1; t < T; t++) x[i * T + t] = r() - 0.5;
    const positive = r() > 0.5;
    x[i * T] = positive ? 1 : -1;
    y[i] = positive ? 1 : 0;
  }
  return { x: lw.tensor(x, [n, T, 1]), y: lw.tensor(y, [n, 1]) };
}

describe('learning', () => {
  it('an LSTM remembers the first of 30 steps (lag 29) through noise and reaches a low loss', async () => {
    lw.setSeed(7);
    const T = 30;
    const train = longLag(1024, T, 1);
    const test = longLag(256, T, 2);
    const model = lw.sequential([
      lw.layers.lstm({ units: 16, inputShape: [T, 1] }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(train.x, train.y, { epochs: 10, batchSize: 32, verbose: 0, seed: 3 });
    const [loss, acc] = model.evaluate(test.x, test.y) as number[];
    expect(h.history.loss[0]).toBeGreaterThan(0.6); // chance level at the start
    expect(loss).toBeLessThan(0.05);
    expect(acc).toBeGreaterThan(0.97);
  }, 120_000);

  it('with maskZero, a padded batch predicts exactly what each unpadded sequence predicts alone', async () => {
    lw.setSeed(11);
    const build = (len: number) => lw.sequential([
      lw.layers.embedding({ inputDim: 20, outputDim: 8, inputLength: len, maskZero: true }),
      lw.layers.lstm({ units: 6, returnSequences: true }),
      lw.layers.gru({ units: 5, resetAfter: false }),
      lw.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    const padded = build(7);
    const seqs = [[3, 5, 1, 9], [2, 2, 4, 6, 8, 10, 12], [19]];
    const x = lw.data.padSequences(seqs, { maxLen: 7 });
    const batch = (padded.predict(x) as lw.Tensor).arraySync() as number[][];
    seqs.forEach((s, i) => {
      const alone = build(s.length);
      alone.setWeights(padded.getWeights());
      const p = (alone.predict(lw.tensor([s])) as lw.Tensor).dataSync();
      expectClose(batch[i], p, 1e-6, 1e-6, `sequence ${i}`);
    });
  });
});

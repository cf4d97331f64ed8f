// Parity of trainOnBatch with PyTorch: one SGD step (lr 1, MSE on the last h) from the same
// weights gives the same weights as PyTorch's, for LSTM, GRU (resetAfter) and SimpleRNN.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as lw from '../../ts/index.js';
import { expectClose } from '../helpers/kernels.js';

interface Fixture {
  cell: 'lstm' | 'gru' | 'rnn';
  B: number; T: number; I: number; U: number; loss: number;
  x: number[]; y: number[];
  before: { shape: number[]; values: number[] }[];
  after: { shape: number[]; values: number[] }[];
}

const load = (cell: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/torch/train-step-${cell}.json`, import.meta.url), 'utf8'));

describe.each(['simd', 'scalar', 'js'] as const)('one SGD step matches PyTorch on %s', (backend) => {
  it.each(['lstm', 'gru', 'rnn'])('%s', async (cell) => {
    await lw.ready({ backend });
    const f = load(cell);
    const args = { units: f.U, inputShape: [f.T, f.I] };
    const layer = cell === 'lstm' ? lw.layers.lstm(args) : cell === 'gru' ? lw.layers.gru({ ...args, resetAfter: true }) : lw.layers.simpleRNN(args);
    const model = lw.sequential([layer]);
    model.setWeights(f.before.map((w) => lw.tensor(w.values, w.shape)));
    model.compile({ optimizer: lw.train.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    const loss = model.trainOnBatch(lw.tensor(f.x, [f.B, f.T, f.I]), lw.tensor(f.y, [f.B, f.U])) as number;
    expect(loss).toBeCloseTo(f.loss, 5);
    model.getWeights().forEach((w, i) => {
      expect(w.shape).toEqual(f.after[i].shape);
      expectClose(w.dataSync(), f.after[i].values, 1e-5, 1e-5, `${cell} weight ${i} after the step`);
    });
  });
});

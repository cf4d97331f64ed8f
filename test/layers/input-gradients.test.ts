// Backward computes only the input gradients something uses: the gradient of a model input, or of
// a frozen Embedding's rows, depends on no updated weight, so the layer reading it skips its dx
// product. Skipping must change nothing but the work: weights after training equal those of a run
// that computes every dx.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as lw from '../../ts/index.js';
import { currentBackend } from '../../ts/runtime/ready.js';
import { randArray } from '../helpers/kernels.js';

/** Argument index of dx in each backward kernel (ts/backend/abi.ts). */
const DX_ARG = { lstm_backward: 19, gru_backward: 17, simple_rnn_backward: 16, dense_backward: 8 } as const;
type Backward = keyof typeof DX_ARG;

/** dx pointers passed per backward kernel, in call order (0 = skipped). */
let dxArgs: Record<Backward, number[]>;
/** When set, a skipped dx is computed anyway into scratch: the reference run. */
let computeEveryDx = false;
let restore: (() => void) | undefined;

beforeEach(async () => {
  await lw.ready({ backend: 'simd' });
  computeEveryDx = false;
  const b = currentBackend();
  const k = b.kernels as unknown as Record<string, (...a: number[]) => void>;
  const saved: Record<string, (...a: number[]) => void> = {};
  dxArgs = { lstm_backward: [], gru_backward: [], simple_rnn_backward: [], dense_backward: [] };
  for (const name of Object.keys(DX_ARG) as Backward[]) {
    const fn = (saved[name] = k[name]);
    const at = DX_ARG[name];
    k[name] = (...a: number[]) => {
      dxArgs[name].push(a[at]);
      if (a[at] !== 0 || !computeEveryDx) return fn(...a);
      // dx is [rows, In]: In is argument 2 (recurrent: I; dense: In), rows B*T or N.
      const floats = name === 'dense_backward' ? a[0] * a[1] : a[0] * a[1] * a[2];
      const scratch = b.allocFloats(floats);
      a[at] = scratch;
      fn(...a);
      b.free(scratch);
    };
  }
  restore = () => Object.assign(k, saved);
});
afterEach(() => restore?.());

const T = 9;
const F = 5;
const floats = (n: number, seed: number) => lw.tensor(Float32Array.from(randArray(n * T * F, seed)), [n, T, F]);
const labels = (n: number) => lw.tensor(Float32Array.from({ length: n }, (_, i) => i % 2), [n, 1]);

function stacked(cell: 'lstm' | 'gru' | 'simpleRNN', seed: number) {
  lw.setSeed(seed);
  const make = { lstm: lw.layers.lstm, gru: lw.layers.gru, simpleRNN: lw.layers.simpleRNN }[cell];
  return lw.sequential([
    make({ units: 6, returnSequences: true, inputShape: [T, F] }),
    make({ units: 4 }),
    lw.layers.dense({ units: 3, activation: 'tanh' }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
}

/** Weights after `steps` Adam steps, with the skipping on or every dx computed. */
function trainedWeights(build: () => lw.Sequential, x: lw.Tensor, y: lw.Tensor, everyDx: boolean, steps = 3): Float32Array[] {
  const m = build();
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  computeEveryDx = everyDx;
  for (let i = 0; i < steps; i++) m.trainOnBatch(x, y);
  computeEveryDx = false;
  return m.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('input gradients nobody uses are not computed', () => {
  for (const cell of ['lstm', 'gru', 'simpleRNN'] as const) {
    const kernel: Backward = cell === 'lstm' ? 'lstm_backward' : cell === 'gru' ? 'gru_backward' : 'simple_rnn_backward';
    it(`${cell} on model inputs: the first layer skips dx, later layers compute theirs; weights unchanged`, () => {
      const x = floats(8, 1);
      const y = labels(8);
      const got = trainedWeights(() => stacked(cell, 5), x, y, false);
      // Backward runs from the output: second recurrent layer first, then the first.
      expect(dxArgs[kernel].slice(0, 2).map((p) => p !== 0), `${kernel} dx given`).toEqual([true, false]);
      expect(dxArgs.dense_backward.slice(0, 2).every((p) => p !== 0), 'both Dense layers feed on weights').toBe(true);
      const want = trainedWeights(() => stacked(cell, 5), x, y, true);
      expect(got.length).toBe(want.length);
      got.forEach((w, i) => expect(Array.from(w), `weight ${i}`).toEqual(Array.from(want[i])));
    });
  }

  it('a frozen Embedding: the LSTM after it skips dx and the table is never touched', async () => {
    // Every token distinct: the LSTM takes the Embedding's rows (not the distinct-token path).
    const vocab = 1000;
    const ids = lw.tensor(Int32Array.from({ length: 16 * T }, (_, i) => (i * 7) % vocab), [16, T], 'int32');
    const y = labels(16);
    for (const frozen of [true, false]) {
      lw.setSeed(2);
      const m = lw.sequential([
        lw.layers.embedding({ inputDim: vocab, outputDim: 4, inputLength: T, trainable: !frozen }),
        lw.layers.lstm({ units: 5 }),
        lw.layers.dense({ units: 1, activation: 'sigmoid' }),
      ]);
      m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      const table = Array.from(m.layers[0].getWeights()[0].dataSync());
      const kernel = Array.from(m.layers[1].getWeights()[0].dataSync());
      dxArgs.lstm_backward = [];
      await m.fit(ids, y, { epochs: 2, batchSize: 8, verbose: 0 });
      expect(dxArgs.lstm_backward.length, 'four steps').toBe(4);
      expect(dxArgs.lstm_backward.every((p) => (p === 0) === frozen), `frozen ${frozen}: dx skipped`).toBe(true);
      const tableAfter = Array.from(m.layers[0].getWeights()[0].dataSync());
      if (frozen) expect(tableAfter).toEqual(table);
      else expect(tableAfter).not.toEqual(table);
      expect(Array.from(m.layers[1].getWeights()[0].dataSync()), 'the LSTM learns either way').not.toEqual(kernel);
    }
  });
});

describe('a frozen recurrent layer', () => {
  for (const backend of ['simd', 'scalar', 'js'] as const) {
    for (const cell of ['lstm', 'gru', 'simpleRNN'] as const) {
      it(`${backend} ${cell}: no weight gradients are written anywhere; the layers around it train`, async () => {
        await lw.ready({ backend });
        lw.setSeed(6);
        const make = { lstm: lw.layers.lstm, gru: lw.layers.gru, simpleRNN: lw.layers.simpleRNN }[cell];
        const m = lw.sequential([
          lw.layers.lstm({ units: 4, returnSequences: true, inputShape: [T, F] }),
          make({ units: 7, trainable: false }),
          lw.layers.dense({ units: 1 }),
        ]);
        m.compile({ optimizer: 'sgd', loss: 'mse' });
        const weights = () => m.layers.map((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
        const before = weights();
        // Memory below the first allocation (wasm: the stack's far end; js: its 64-byte base): a
        // kernel told "no gradient" (pointer 0) must not write there.
        const low = () => Array.from(currentBackend().floats().subarray(0, backend === 'js' ? 8 : 4096));
        const lowBefore = low();
        m.trainOnBatch(floats(6, 3), labels(6));
        expect(low(), 'memory at pointer 0 untouched').toEqual(lowBefore);
        const after = weights();
        expect(after[1], 'the frozen layer').toEqual(before[1]);
        expect(after[0], 'the layer before it trains').not.toEqual(before[0]);
        expect(after[2], 'the layer after it trains').not.toEqual(before[2]);
      });
    }
  }
});

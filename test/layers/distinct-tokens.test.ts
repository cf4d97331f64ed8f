// Training on an Embedding's rows whose tokens repeat: the recurrent layer multiplies the batch's
// distinct rows by its kernel once (forward), and sums the projections' gradient per token before
// dKernel and the table rows (backward). Training must follow the path that multiplies every
// token's row (a twin with an Activation between Embedding and layer, which is never folded).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as lw from '../../ts/index.js';
import { currentBackend } from '../../ts/runtime/ready.js';
import { expectClose } from '../helpers/kernels.js';

const VOCAB = 23;
const T = 8;
/** Argument index of the kernel pointer in each forward (0: projected inputs), and of the ids (-1: the last). */
const KERNEL_ARG = { lstm_forward: 8, gru_forward: 8, simple_rnn_forward: 7 } as const;
const IDS_ARG: Record<keyof typeof KERNEL_ARG, number> = { lstm_forward: 20, gru_forward: -1, simple_rnn_forward: -1 };

let projectedTrainingCalls = 0;
let restore: (() => void) | undefined;
async function useBackend(backend: 'simd' | 'js', threads = 1) {
  restore?.();
  await lw.ready({ backend, threads });
  const k = currentBackend().kernels as unknown as Record<string, (...a: number[]) => void>;
  const saved: Record<string, (...a: number[]) => void> = {};
  for (const [name, at] of Object.entries(KERNEL_ARG)) {
    const fn = (saved[name] = k[name]);
    k[name] = (...a: number[]) => {
      // a table read through ids with kernel 0
      if (a[at] === 0 && a.at(IDS_ARG[name as keyof typeof KERNEL_ARG])! !== 0) projectedTrainingCalls++;
      fn(...a);
    };
  }
  restore = () => Object.assign(k, saved);
}
beforeEach(async () => {
  projectedTrainingCalls = 0;
  await useBackend('simd');
});
afterEach(() => {
  restore?.();
  restore = undefined;
});

const CELLS = {
  lstm: (a: lw.layers.RecurrentArgs) => lw.layers.lstm(a),
  gru: (a: lw.layers.RecurrentArgs) => lw.layers.gru(a),
  gruResetBefore: (a: lw.layers.RecurrentArgs) => lw.layers.gru({ ...a, resetAfter: false }),
  simpleRNN: (a: lw.layers.RecurrentArgs) => lw.layers.simpleRNN(a),
};
type Cell = keyof typeof CELLS;

interface Opts { maskZero?: boolean; frozenTable?: boolean; twin?: boolean }

/** Embedding → cell (goBackwards for GRU) → LSTM → Dense; `twin`: a linear Activation after the Embedding. */
function model(cell: Cell, o: Opts) {
  lw.setSeed(11);
  return lw.sequential([
    lw.layers.embedding({ inputDim: VOCAB, outputDim: 5, inputLength: T, maskZero: o.maskZero, trainable: !o.frozenTable }),
    ...(o.twin ? [lw.layers.activation({ activation: 'linear' })] : []),
    CELLS[cell]({ units: 6, returnSequences: true, goBackwards: cell === 'gru' }),
    lw.layers.lstm({ units: 3 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
}

/** 24 sequences of T tokens from a vocabulary of 23 (so tokens repeat), the first two padding when masked. */
function data(maskZero = false) {
  const ids = Int32Array.from({ length: 24 * T }, (_, i) => (maskZero && i % T < 2 ? 0 : 1 + ((i * 13 + (i >> 3)) % (VOCAB - 1))));
  const y = Float32Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  return { x: lw.tensor(ids, [24, T], 'int32'), y: lw.tensor(y, [24, 1]) };
}

async function trained(cell: Cell, o: Opts): Promise<Float32Array[]> {
  const m = model(cell, o);
  m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'binaryCrossentropy' });
  const { x, y } = data(o.maskZero);
  await m.fit(x, y, { epochs: 3, batchSize: 12, verbose: 0, shuffle: false });
  return m.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('training multiplies the distinct tokens of a batch once', () => {
  for (const cell of Object.keys(CELLS) as Cell[]) {
    it(`${cell}: weights after fit follow the every-token path (with and without padding)`, async () => {
      for (const maskZero of [false, true]) {
        projectedTrainingCalls = 0;
        const got = await trained(cell, { maskZero });
        expect(projectedTrainingCalls, 'six steps through distinct tokens').toBe(6);
        const want = await trained(cell, { maskZero, twin: true });
        expect(projectedTrainingCalls, 'the twin never').toBe(6);
        expect(got.length).toBe(want.length);
        // Sums in another order only: float32 rounding after six Adam steps.
        got.forEach((w, i) => expectClose(w, want[i], 2e-5, 2e-4, `${cell} maskZero ${maskZero} weight ${i}`));
        expect(Array.from(got[0]), 'the table learned').not.toEqual(Array.from(model(cell, {}).getWeights()[0].dataSync()));
      }
    });
  }

  it('a frozen table stays as it was; the layers after it still learn the same', async () => {
    const before = Array.from(model('lstm', { frozenTable: true }).getWeights()[0].dataSync());
    const got = await trained('lstm', { frozenTable: true });
    expect(projectedTrainingCalls).toBe(6);
    expect(Array.from(got[0])).toEqual(before);
    const want = await trained('lstm', { frozenTable: true, twin: true });
    got.forEach((w, i) => expectClose(w, want[i], 2e-5, 2e-4, `frozen table, weight ${i}`));
  });

  it('the same on the float64 JS backend and on a 2-thread pool', async () => {
    for (const [backend, threads, tol] of [['js', 1, 1e-9], ['simd', 2, 2e-4]] as const) {
      await useBackend(backend, threads);
      projectedTrainingCalls = 0;
      const got = await trained('lstm', { maskZero: true });
      expect(projectedTrainingCalls, backend).toBe(6);
      const want = await trained('lstm', { maskZero: true, twin: true });
      got.forEach((w, i) => expectClose(w, want[i], tol / 10, tol, `${backend} ${threads} threads weight ${i}`));
    }
    await useBackend('simd', 1);
  });

  it('a Bidirectional LSTM on the Embedding: both directions add to the table', async () => {
    const build = (twin: boolean) => {
      lw.setSeed(12);
      return lw.sequential([
        lw.layers.embedding({ inputDim: VOCAB, outputDim: 5, inputLength: T, maskZero: true }),
        ...(twin ? [lw.layers.activation({ activation: 'linear' })] : []),
        lw.layers.bidirectional({ layer: lw.layers.lstm({ units: 4 }) }),
        lw.layers.dense({ units: 1, activation: 'sigmoid' }),
      ]);
    };
    const fit = async (twin: boolean) => {
      const m = build(twin);
      m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'binaryCrossentropy' });
      const { x, y } = data(true);
      await m.fit(x, y, { epochs: 2, batchSize: 12, verbose: 0, shuffle: false });
      return m.getWeights().map((w) => w.dataSync() as Float32Array);
    };
    const got = await fit(false);
    expect(projectedTrainingCalls, 'two directions, four steps').toBe(8);
    const want = await fit(true);
    got.forEach((w, i) => expectClose(w, want[i], 2e-5, 2e-4, `bidirectional weight ${i}`));
  });

  it('an Embedding that also feeds a Flatten: its gradient and the LSTM\'s add up in the table', async () => {
    const build = (twin: boolean) => {
      lw.setSeed(13);
      const tokens = lw.input({ shape: [T] });
      let rows = lw.layers.embedding({ inputDim: VOCAB, outputDim: 4 }).apply(tokens) as lw.layers.SymbolicTensor;
      if (twin) rows = lw.layers.activation({ activation: 'linear' }).apply(rows) as lw.layers.SymbolicTensor;
      const seq = lw.layers.lstm({ units: 3 }).apply(rows) as lw.layers.SymbolicTensor;
      const flat = lw.layers.flatten().apply(rows) as lw.layers.SymbolicTensor;
      const both = lw.layers.concatenate().apply([seq, flat]) as lw.layers.SymbolicTensor;
      return lw.model({ inputs: [tokens], outputs: [lw.layers.dense({ units: 1, activation: 'sigmoid' }).apply(both) as lw.layers.SymbolicTensor] });
    };
    const fit = async (twin: boolean) => {
      const m = build(twin);
      m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'binaryCrossentropy' });
      const { x, y } = data();
      await m.fit(x, y, { epochs: 2, batchSize: 12, verbose: 0, shuffle: false });
      return m.getWeights().map((w) => w.dataSync() as Float32Array);
    };
    const got = await fit(false);
    expect(projectedTrainingCalls).toBe(4);
    const want = await fit(true);
    got.forEach((w, i) => expectClose(w, want[i], 2e-5, 2e-4, `two consumers, weight ${i}`));
  });

  it('tokens that hardly repeat take the every-token path; input dropout too', async () => {
    const m = lw.sequential([lw.layers.embedding({ inputDim: 1000, outputDim: 4, inputLength: T }), lw.layers.lstm({ units: 3 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.trainOnBatch(lw.tensor(Int32Array.from({ length: 10 * T }, (_, i) => i), [10, T], 'int32'), lw.tensor(new Float32Array(30), [10, 3]));
    expect(projectedTrainingCalls, 'all 80 tokens distinct').toBe(0);
    const d = lw.sequential([lw.layers.embedding({ inputDim: VOCAB, outputDim: 4, inputLength: T }), lw.layers.lstm({ units: 3, dropout: 0.2 })]);
    d.compile({ optimizer: 'sgd', loss: 'mse' });
    d.trainOnBatch(data().x, lw.tensor(new Float32Array(72), [24, 3]));
    expect(projectedTrainingCalls, 'dropout masks every token row differently').toBe(0);
  });
});

// Inference folds an Embedding into the recurrent layer it feeds: table·kernel is multiplied once
// (when that pays off) and its rows gathered. Predictions must not change, and every change of
// the weights must drop the folded table.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as lw from '../../ts/index.js';
import { currentBackend } from '../../ts/runtime/ready.js';
import { expectClose, rng } from '../helpers/kernels.js';

const VOCAB = 40;
const T = 7;

/** Counts forward calls in projected mode (kernel pointer 0) per recurrent kernel. */
const projectedCalls: Record<string, number> = {};
let embeddingGathers = 0;
let restore: (() => void) | undefined;
beforeEach(async () => {
  await lw.ready({ backend: 'simd' });
  lw.setSeed(3);
  const k = currentBackend().kernels as unknown as Record<string, (...a: number[]) => void>;
  const saved = { lstm_forward: k.lstm_forward, gru_forward: k.gru_forward, simple_rnn_forward: k.simple_rnn_forward };
  for (const [name, fn] of Object.entries(saved)) {
    projectedCalls[name] = 0;
    k[name] = (...a: number[]) => {
      if (a[name === 'simple_rnn_forward' ? 7 : 8] === 0) projectedCalls[name]++;
      fn(...a);
    };
  }
  // The Embedding's own gather (rows of width 6): skipped when the next layer folds the table.
  const gather = k.embedding_forward;
  embeddingGathers = 0;
  k.embedding_forward = (...a: number[]) => {
    if (a[1] === 6) embeddingGathers++;
    gather(...a);
  };
  restore = () => Object.assign(k, saved, { embedding_forward: gather });
});
afterEach(() => restore?.());

function ids(n: number, seed: number, withPadding = false): lw.Tensor {
  const r = rng(seed);
  const a = Array.from({ length: n * T }, (_, i) => (withPadding && i % T < 2 ? 0 : 1 + Math.floor(r() * (VOCAB - 1))));
  return lw.tensor(Int32Array.from(a), [n, T], 'int32');
}

const CELLS = {
  lstm: (a: lw.layers.RecurrentArgs) => lw.layers.lstm(a),
  gru: (a: lw.layers.RecurrentArgs) => lw.layers.gru(a),
  gruResetBefore: (a: lw.layers.RecurrentArgs) => lw.layers.gru({ ...a, resetAfter: false }),
  simpleRNN: (a: lw.layers.RecurrentArgs) => lw.layers.simpleRNN(a),
};
const KERNEL = { lstm: 'lstm_forward', gru: 'gru_forward', gruResetBefore: 'gru_forward', simpleRNN: 'simple_rnn_forward' } as const;

/** `unfolded`: a linear Activation after the Embedding, the same math but never folded. */
function model(cell: keyof typeof CELLS, maskZero = false, unfolded = false) {
  return lw.sequential([
    lw.layers.embedding({ inputDim: VOCAB, outputDim: 6, inputLength: T, maskZero }),
    ...(unfolded ? [lw.layers.activation({ activation: 'linear' })] : []),
    CELLS[cell]({ units: 5, returnSequences: true, goBackwards: cell === 'gru' }),
    lw.layers.lstm({ units: 3 }),
    lw.layers.dense({ units: 2, activation: 'softmax' }),
  ]);
}

/** Predictions of `m`'s weights through the never-folded twin. */
function reference(m: lw.Sequential, x: lw.Tensor, cell: keyof typeof CELLS = 'lstm', maskZero = false): Float32Array {
  const twin = model(cell, maskZero, true);
  twin.setWeights(m.getWeights());
  const calls = { ...projectedCalls };
  const out = (twin.predict(x, { batchSize: 8 }) as lw.Tensor).dataSync() as Float32Array;
  expect(projectedCalls, 'the reference is never folded').toEqual(calls);
  return out;
}

const predict = (m: lw.Sequential, x: lw.Tensor, batchSize = 32) => (m.predict(x, { batchSize }) as lw.Tensor).dataSync();

describe('embedding folded into the next recurrent layer at inference', () => {
  for (const cell of Object.keys(CELLS) as (keyof typeof CELLS)[]) {
    it(`${cell}: predictions equal the unfolded path, with and without a padding mask`, () => {
      for (const maskZero of [false, true]) {
        projectedCalls[KERNEL[cell]] = 0;
        const m = model(cell, maskZero);
        const x = ids(24, 7, maskZero);
        const want = reference(m, x, cell, maskZero);
        const one = ids(1, 8, maskZero);
        const wantOne = reference(m, one, cell, maskZero);
        expectClose(predict(m, one), wantOne, 1e-6, 1e-5, `${cell} one sample`);
        expect(projectedCalls[KERNEL[cell]], '7 tokens (vocabulary 40) do not pay for folding').toBe(0);
        embeddingGathers = 0;
        expectClose(predict(m, x, 24), want, 1e-6, 1e-5, `${cell} batch of 24`);
        expect(projectedCalls[KERNEL[cell]], '168 tokens fold').toBe(1);
        expect(embeddingGathers, 'the folded layer reads the ids, not the gathered rows').toBe(0);
        // Once built, a single sample uses it too.
        expectClose(predict(m, one), wantOne, 1e-6, 1e-5, `${cell} one sample, folded`);
        expect(projectedCalls[KERNEL[cell]]).toBe(2);
        expect(embeddingGathers).toBe(0);
      }
    });
  }

  it('the same on the float64 JS backend and on a 2-thread pool', async () => {
    for (const opts of [{ backend: 'js' as const }, { backend: 'simd' as const, threads: 2 }]) {
      restore?.();
      await lw.ready(opts);
      const m = model('lstm', true);
      const x = ids(24, 9, true);
      const want = reference(m, x, 'lstm', true);
      const before = projectedCalls.lstm_forward;
      const k = currentBackend().kernels as unknown as Record<string, (...a: number[]) => void>;
      const fn = k.lstm_forward;
      k.lstm_forward = (...a: number[]) => {
        if (a[8] === 0) projectedCalls.lstm_forward++;
        fn(...a);
      };
      expectClose(predict(m, x, 24), want, opts.backend === 'js' ? 1e-12 : 1e-6, 1e-5, `${opts.backend} folded`);
      k.lstm_forward = fn;
      expect(projectedCalls.lstm_forward, opts.backend).toBe(before + 1);
    }
    await lw.ready({ backend: 'simd', threads: 1 });
  });

  it('a training step, fit, setWeights and layer setWeights all drop the folded table', async () => {
    const m = model('lstm');
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    const x = ids(32, 11);
    const y = lw.tensor(Float32Array.from({ length: 32 }, (_, i) => i % 2), [32]);
    const check = (what: string) => {
      const before = projectedCalls.lstm_forward;
      expectClose(predict(m, x), reference(m, x), 1e-6, 1e-5, what);
      expect(projectedCalls.lstm_forward, `${what}: folded`).toBe(before + 1);
    };
    check('initial weights');
    m.trainOnBatch(x, y);
    check('after a training step');
    await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, validationData: [x, y] });
    check('after fit with validation');
    m.setWeights(model('lstm').getWeights());
    check('after setWeights');
    m.layers[0].setWeights([lw.tensor(new Float32Array(VOCAB * 6).fill(0.1), [VOCAB, 6])]);
    check('after a layer setWeights');
  });

  it('an Embedding that also feeds another layer gathers its rows once, for that layer', () => {
    const build = () => {
      const tokens = lw.input({ shape: [T], name: 'tokens' });
      const rows = lw.layers.embedding({ inputDim: VOCAB, outputDim: 6, name: 'emb' }).apply(tokens) as lw.layers.SymbolicTensor;
      const seq = lw.layers.lstm({ units: 4, name: 'seq' }).apply(rows) as lw.layers.SymbolicTensor;
      const flat = lw.layers.flatten({ name: 'flat' }).apply(rows) as lw.layers.SymbolicTensor;
      return lw.model({ inputs: [tokens], outputs: [seq, flat] });
    };
    const m = build();
    const x = ids(24, 6);
    const outs = (p: lw.Tensor | lw.Tensor[]) => (p as lw.Tensor[]).map((t) => t.dataSync());
    const perSample = (x.arraySync() as number[][]).map((r) => outs(m.predict(lw.tensor(Int32Array.from(r), [1, T], 'int32'))));
    embeddingGathers = 0;
    projectedCalls.lstm_forward = 0;
    const [seq, flat] = outs(m.predict(x, { batchSize: 24 }));
    expect(projectedCalls.lstm_forward, 'the LSTM folds').toBe(1);
    expect(embeddingGathers, 'one gather, for Flatten').toBe(1);
    expectClose(seq, perSample.flatMap((p) => Array.from(p[0])), 1e-6, 1e-5, 'lstm output');
    expectClose(flat, perSample.flatMap((p) => Array.from(p[1])), 0, 0, 'the gathered rows');
  });

  it('an Activation between the Embedding and the LSTM is not folded away', () => {
    const m = lw.sequential([
      lw.layers.embedding({ inputDim: VOCAB, outputDim: 6, inputLength: T }),
      lw.layers.activation({ activation: 'relu' }),
      lw.layers.lstm({ units: 4 }),
    ]);
    const x = ids(24, 5);
    const perSample = (x.arraySync() as number[][]).flatMap((r) => Array.from(predict(m, lw.tensor(Int32Array.from(r), [1, T], 'int32'))));
    expectClose(predict(m, x, 24), perSample, 1e-6, 1e-5, 'relu(embedding)');
    expect(projectedCalls.lstm_forward).toBe(0);
  });
});

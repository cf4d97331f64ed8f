// Shared pieces of the reliability tests: twin models (one gets the bad calls, the other never
// does, and both must then agree bit for bit), LwError expectations, heap and process figures.
import { expect } from 'vitest';
import * as lw from '../../ts/index.js';
import { currentBackend } from '../../ts/runtime/ready.js';
import { rng } from './kernels.js';
import { checkLwError } from './lw-error.js';

/** How many fast-check runs / fuzz cases: small in `npm test`, full in `npm run soak` (LW_SOAK=1). */
export const SOAK = process.env.LW_SOAK === '1';
export const scaled = (quick: number, full: number) => (SOAK ? full : quick);

/** Runs `f` and returns what it threw (sync or async), or null. */
export async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return null;
  } catch (e) {
    return e;
  }
}

/** Expects `f` to throw an LwError with `code` whose message matches every pattern. */
export async function expectLwError(f: () => unknown, code: lw.LwErrorCode, ...patterns: RegExp[]): Promise<lw.LwError> {
  return checkLwError(await thrown(f), code, patterns);
}

/** Padded token ids [n, len] in [1, vocab) with trailing zeros, and binary labels. */
export function tokenData(n: number, len: number, vocab: number, seed: number) {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const used = 1 + Math.floor(r() * len);
    x.push(Array.from({ length: len }, (_, t) => (t < used ? 1 + Math.floor(r() * (vocab - 1)) : 0)));
    y.push([x[i][0] % 2]);
  }
  return { x, y };
}

/** The seed article's model in small: embedding (maskZero) → LSTM → dense sigmoid, BCE, Adam. */
export function textModel(seed: number, vocab = 12, len = 6) {
  lw.setSeed(seed);
  const m = lw.sequential([
    lw.layers.embedding({ inputDim: vocab, outputDim: 4, inputLength: len, maskZero: true }),
    lw.layers.lstm({ units: 5 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ optimizer: lw.train.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

/** Three inputs of different shapes (sequence, features, ids) and two outputs. */
export function threeInputModel(seed: number) {
  lw.setSeed(seed);
  const seq = lw.input({ shape: [4, 2], name: 'seq' });
  const feats = lw.input({ shape: [3], name: 'feats' });
  const ids = lw.input({ shape: [5], name: 'ids' });
  const hs = lw.layers.gru({ units: 3 }).apply(seq) as lw.layers.SymbolicTensor;
  const he = lw.layers.simpleRNN({ units: 3 }).apply(lw.layers.embedding({ inputDim: 7, outputDim: 2 }).apply(ids) as lw.layers.SymbolicTensor) as lw.layers.SymbolicTensor;
  const both = lw.layers.concatenate([hs, he, feats]);
  const reg = lw.layers.dense({ units: 1, name: 'reg' }).apply(both) as lw.layers.SymbolicTensor;
  const cls = lw.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(both) as lw.layers.SymbolicTensor;
  const m = lw.model({ inputs: [seq, feats, ids], outputs: [reg, cls] });
  m.compile({ optimizer: 'adam', loss: ['meanSquaredError', 'sparseCategoricalCrossentropy'] });
  return m;
}

export function threeInputData(n: number, seed: number) {
  const r = rng(seed);
  const vals = (k: number) => Float32Array.from({ length: k }, () => r() * 2 - 1);
  return {
    x: [lw.tensor(vals(n * 8), [n, 4, 2]), lw.tensor(vals(n * 3), [n, 3]), lw.tensor(Float32Array.from({ length: n * 5 }, () => Math.floor(r() * 7)), [n, 5])],
    y: [lw.tensor(vals(n), [n, 1]), lw.tensor(Float32Array.from({ length: n }, () => Math.floor(r() * 3)), [n, 1])],
  };
}

/** Every weight of a model as one array (bitwise comparisons). */
export const weightsOf = (m: lw.LayersModel) => m.getWeights().flatMap((t) => Array.from(t.dataSync()));
export const flat = (p: lw.Tensor | lw.Tensor[]) => (Array.isArray(p) ? p : [p]).flatMap((t) => Array.from(t.dataSync()));

/**
 * The same valid work on both twins (one epoch of fit, then predict): the twin that saw bad
 * calls must give exactly what the one that did not gives, and both keep training alike.
 */
export async function expectTwinsAgree(victim: lw.LayersModel, reference: lw.LayersModel, x: lw.ModelData, y: lw.ModelData): Promise<void> {
  expect(weightsOf(victim)).toEqual(weightsOf(reference));
  expect(victim.optimizer?.iterations).toBe(reference.optimizer?.iterations);
  const args = { epochs: 1, batchSize: 3, seed: 5, verbose: 0 as const };
  const hv = await victim.fit(x, y, args);
  const hr = await reference.fit(x, y, args);
  expect(hv.history.loss).toEqual(hr.history.loss);
  expect(flat(victim.predict(x))).toEqual(flat(reference.predict(x)));
}

/** The current backend's heap and memory figures (bytes). */
export function heapFigures() {
  const b = currentBackend();
  return { used: b.heap.usedBytes, top: b.heap.topBytes, memory: b.memory.byteLength };
}

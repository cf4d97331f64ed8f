// lw.export.onnx against onnxruntime itself: each model, with random weights (biases included, so gate
// orders are checked), is exported, run by onnxruntime-node (CPU) and onnxruntime-web (its wasm backend
// in Node), and compared with model.predict. What ONNX cannot express is refused, naming the layer.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import * as lw from '../../ts/index.js';
import { decodeModelProto } from '../../ts/io/onnx/proto.js';
import type { Layer, SymbolicTensor } from '../../ts/engine/layer.js';

const L = lw.layers;
const B = 3, T = 5, I = 4, V = 11;

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = pathToFileURL(join(import.meta.dirname, '../../node_modules/onnxruntime-web/dist/')).href;
});

/** Every weight drawn from U(-0.6, 0.6), so zero-initialised biases take part too. */
function randomizeWeights(model: lw.LayersModel, seed: number): void {
  const rng = new lw.Random(seed);
  model.setWeights(model.getWeights().map((w) => lw.tensor(Float32Array.from(w.dataSync(), () => rng.uniform(-0.6, 0.6)), [...w.shape])));
}

function floats(shape: number[], seed: number): lw.Tensor {
  const rng = new lw.Random(seed);
  return lw.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(-2, 2)), shape);
}

function ids(shape: number[], seed: number, from = 0): lw.Tensor {
  const rng = new lw.Random(seed);
  return lw.tensor(Int32Array.from({ length: shape.reduce((a, b) => a * b) }, () => from + Math.floor(rng.uniform(0, V - from))), shape, 'int32');
}

type Ort = typeof ortNode | typeof ortWeb;
const RUNTIMES: [string, Ort][] = [['onnxruntime-node', ortNode], ['onnxruntime-web', ortWeb]];

/** Runs the ONNX bytes with `xs` fed to the graph's inputs in order; returns the outputs in order. */
async function runOnnx(ort: Ort, bytes: Uint8Array, xs: lw.Tensor[]): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ortNode.Tensor> = {};
  session.inputNames.forEach((name, i) => {
    const x = xs[i];
    feeds[name] = x.dtype === 'int32' ? new ort.Tensor('int32', x.dataSync() as Int32Array, [...x.shape]) : new ort.Tensor('float32', x.dataSync() as Float32Array, [...x.shape]);
  });
  const out = await session.run(feeds);
  const result = session.outputNames.map((n) => ({ data: out[n].data as Float32Array, dims: out[n].dims }));
  await session.release();
  return result;
}

/** predict and both runtimes agree to 1e-5 on `xs`. */
async function expectSamePredictions(model: lw.LayersModel, xs: lw.Tensor[], opset?: number): Promise<void> {
  const bytes = await lw.export.onnx(model, { opset });
  const predicted = model.predict(xs.length === 1 ? xs[0] : xs);
  const expected = Array.isArray(predicted) ? predicted : [predicted];
  for (const [, ort] of RUNTIMES) {
    const got = await runOnnx(ort, bytes, xs);
    expect(got.length).toBe(expected.length);
    got.forEach((o, i) => {
      expect([...o.dims]).toEqual([...expected[i].shape]);
      const want = expected[i].dataSync();
      let maxDiff = 0;
      for (let k = 0; k < want.length; k++) maxDiff = Math.max(maxDiff, Math.abs(o.data[k] - want[k]));
      expect(maxDiff).toBeLessThan(1e-5);
    });
  }
}

/** Ids padded with 0 before, after, in between, everywhere, and not at all (T = 5). */
const PADDED_IDS = () => lw.tensor(Int32Array.from([0, 0, 3, 4, 5, 3, 4, 5, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 0, 7, 1, 9, 2, 8]), [5, T], 'int32');
/** The same padding as steps of float features (all I features 0 at a padded step). */
const PADDED_VALUES = () => {
  const padded = PADDED_IDS().dataSync();
  const x = floats([5, T, I], 17).dataSync() as Float32Array;
  for (let s = 0; s < padded.length; s++) if (padded[s] === 0) x.fill(0, s * I, (s + 1) * I);
  return lw.tensor(x, [5, T, I]);
};
const seq = (layers: Layer[]) => () => lw.sequential({ layers });
const masked = (...layers: Layer[]) => seq([L.embedding({ inputDim: V, outputDim: 4, maskZero: true, inputShape: [T] }), ...layers]);

interface Case {
  name: string;
  build: () => lw.LayersModel;
  inputs: () => lw.Tensor[];
}

const seqIn = () => [floats([B, T, I], 7)];
/** Initial states as model inputs [batch, U] (Keras order: h, c; Bidirectional forward then backward). */
const withStates = (make: (x: SymbolicTensor, states: SymbolicTensor[]) => SymbolicTensor | SymbolicTensor[], count: number, units: number, maskedIds = false) => () => {
  const x = lw.input({ shape: maskedIds ? [T] : [T, I] });
  const states = Array.from({ length: count }, () => lw.input({ shape: [units] }));
  const seqIn = maskedIds ? L.embedding({ inputDim: V, outputDim: I, maskZero: true }).apply(x) as SymbolicTensor : x;
  const out = make(seqIn, states);
  return lw.model({ inputs: [x, ...states], outputs: out });
};
const stateInputs = (count: number, units: number, rows: number) => Array.from({ length: count }, (_, k) => floats([rows, units], 40 + k));
const INITIAL_STATE_CASES: Case[] = [
  { name: 'initial states: LSTM [h, c], sequences', build: withStates((x, s) => L.lstm({ units: 3, returnSequences: true }).apply(x, { initialState: s }) as SymbolicTensor, 2, 3), inputs: () => [floats([B, T, I], 7), ...stateInputs(2, 3, B)] },
  { name: 'initial states: SimpleRNN goBackwards last', build: withStates((x, s) => L.simpleRNN({ units: 3, goBackwards: true }).apply(x, { initialState: s }) as SymbolicTensor, 1, 3), inputs: () => [floats([B, T, I], 8), ...stateInputs(1, 3, B)] },
  { name: 'initial states after a mask: GRU sequences start from h0; returnState', build: withStates((x, s) => L.gru({ units: 2, returnSequences: true, returnState: true }).apply(x, { initialState: s }) as SymbolicTensor[], 1, 2, true), inputs: () => [PADDED_IDS(), ...stateInputs(1, 2, 5)] },
  { name: 'initial states after a mask: LSTM last output and states of an all-padded row are h0, c0', build: withStates((x, s) => L.lstm({ units: 2, returnState: true }).apply(x, { initialState: s }) as SymbolicTensor[], 2, 2, true), inputs: () => [PADDED_IDS(), ...stateInputs(2, 2, 5)] },
  ...[true, false].map((returnSequences) => ({
    name: `initial states after a mask: Bidirectional LSTM [fh, fc, bh, bc], returnSequences ${returnSequences}, returnState`,
    build: withStates((x, s) => L.bidirectional({ layer: L.lstm({ units: 2, returnSequences, returnState: true }) }).apply(x, { initialState: s }) as SymbolicTensor[], 4, 2, true),
    inputs: () => [PADDED_IDS(), ...stateInputs(4, 2, 5)],
  })),
  { name: 'initial states: Bidirectional GRU sum, no mask', build: withStates((x, s) => L.bidirectional({ layer: L.gru({ units: 3 }), mergeMode: 'sum' }).apply(x, { initialState: s }) as SymbolicTensor, 2, 3), inputs: () => [floats([B, T, I], 9), ...stateInputs(2, 3, B)] },
];
/** Masks: the kept steps run in order (ONNX sequence_lens after moving them first), outputs put back at their steps. */
const MASKED_CASES: Case[] = [
  ...(['sigmoid', 'hardSigmoid'] as const).map((ra) => ({ name: `mask → LSTM last output, ${ra}`, build: masked(L.lstm({ units: 3, recurrentActivation: ra })), inputs: () => [PADDED_IDS()] })),
  { name: 'mask → LSTM sequences → LSTM last', build: masked(L.lstm({ units: 3, returnSequences: true }), L.lstm({ units: 2 })), inputs: () => [PADDED_IDS()] },
  { name: 'mask → LSTM with peepholes, sequences', build: masked(L.lstm({ units: 3, usePeepholes: true, returnSequences: true })), inputs: () => [PADDED_IDS()] },
  { name: 'mask → LSTM sequences, zeroOutputForMask', build: masked(L.lstm({ units: 3, returnSequences: true, zeroOutputForMask: true })), inputs: () => [PADDED_IDS()] },
  ...[true, false].map((resetAfter) => ({ name: `mask → GRU sequences, resetAfter ${resetAfter}`, build: masked(L.gru({ units: 3, returnSequences: true, resetAfter })), inputs: () => [PADDED_IDS()] })),
  { name: 'mask → SimpleRNN goBackwards sequences and last', build: masked(L.simpleRNN({ units: 3, returnSequences: true, goBackwards: true }), L.simpleRNN({ units: 2, goBackwards: true })), inputs: () => [PADDED_IDS()] },
  ...(['concat', 'sum', 'mul', 'ave'] as const).flatMap((mergeMode) => [true, false].map((returnSequences) => ({
    name: `mask → Bidirectional LSTM ${mergeMode}, returnSequences ${returnSequences}`,
    build: masked(L.bidirectional({ layer: L.lstm({ units: 3, returnSequences }), mergeMode })), inputs: () => [PADDED_IDS()],
  }))),
  { name: 'mask → Bidirectional GRU sequences (the mask goes on) → LSTM last', build: masked(L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true }) }), L.lstm({ units: 2 })), inputs: () => [PADDED_IDS()] },
  { name: 'returnState: LSTM [output, h, c], GRU [sequences, h] after a mask', build: () => {
    const t = lw.input({ shape: [T] });
    const e = L.embedding({ inputDim: V, outputDim: 4, maskZero: true }).apply(t) as SymbolicTensor;
    const lstmOut = L.lstm({ units: 3, returnState: true }).apply(e) as SymbolicTensor[];
    const gruOut = L.gru({ units: 2, returnSequences: true, returnState: true, goBackwards: true }).apply(e) as SymbolicTensor[];
    return lw.model({ inputs: t, outputs: [...lstmOut, ...gruOut] });
  }, inputs: () => [PADDED_IDS()] },
  ...(['concat', null] as const).map((mergeMode) => ({
    name: `returnState: Bidirectional LSTM ${mergeMode} [merged, forward h, c, backward h, c] after a mask`, build: () => {
      const t = lw.input({ shape: [T] });
      const e = L.embedding({ inputDim: V, outputDim: 4, maskZero: true }).apply(t) as SymbolicTensor;
      return lw.model({ inputs: t, outputs: L.bidirectional({ layer: L.lstm({ units: 2, returnSequences: true, returnState: true }), mergeMode }).apply(e) as SymbolicTensor[] });
    }, inputs: () => [PADDED_IDS()],
  })),
  ...INITIAL_STATE_CASES,
  { name: 'mask → Dense → GlobalAveragePooling1D (mean of kept steps; none kept gives zeros)', build: masked(L.dense({ units: 3 }), L.globalAveragePooling1D()), inputs: () => [PADDED_IDS()] },
  { name: 'mask → GlobalAveragePooling1D keepdims', build: masked(L.globalAveragePooling1D({ keepdims: true })), inputs: () => [PADDED_IDS()] },
  { name: 'Masking → GRU sequences → GlobalAveragePooling1D', build: seq([L.masking({ maskValue: 0, inputShape: [T, I] }), L.gru({ units: 3, returnSequences: true }), L.globalAveragePooling1D()]), inputs: () => [PADDED_VALUES()] },
  { name: 'Masking with maskValue 0.5 (no step matches) → LSTM', build: seq([L.masking({ maskValue: 0.5, inputShape: [T, I] }), L.lstm({ units: 2 })]), inputs: () => [PADDED_VALUES()] },
  { name: 'two masked Embeddings concatenated on features → Bidirectional GRU', build: () => {
    const a = lw.input({ shape: [T] });
    const b = lw.input({ shape: [T] });
    const ea = L.embedding({ inputDim: V, outputDim: 2, maskZero: true }).apply(a) as SymbolicTensor;
    const eb = L.embedding({ inputDim: V, outputDim: 3, maskZero: true }).apply(b) as SymbolicTensor;
    const joined = L.concatenate().apply([ea, eb]) as SymbolicTensor;
    return lw.model({ inputs: [a, b], outputs: L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true }) }).apply(joined) as SymbolicTensor });
  }, inputs: () => [PADDED_IDS(), lw.tensor(Int32Array.from(PADDED_IDS().dataSync()).reverse(), [5, T], 'int32')] },
];
const CASES: Case[] = [
  { name: 'Embedding → Gather', build: seq([L.embedding({ inputDim: V, outputDim: 6, inputShape: [T] })]), inputs: () => [ids([B, T], 1)] },
  { name: 'Dense rank 2 (Gemm) with each activation', build: () => {
    const x = lw.input({ shape: [I] });
    const outs = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'hardSigmoid', 'hardSigmoidKeras3'].map((activation) => L.dense({ units: 3, activation }).apply(x) as SymbolicTensor);
    return lw.model({ inputs: x, outputs: outs });
  }, inputs: () => [floats([B, I], 2)] },
  { name: 'Dense rank 3 (MatMul + Add), no bias', build: seq([L.dense({ units: 3, inputShape: [T, I], activation: 'tanh' }), L.dense({ units: 2, useBias: false })]), inputs: seqIn },
  ...(['sigmoid', 'hardSigmoid', 'hardSigmoidKeras3'] as const).map((ra) => ({
    name: `LSTM sequences, recurrent activation ${ra}`, build: seq([L.lstm({ units: 5, returnSequences: true, recurrentActivation: ra, inputShape: [T, I] })]), inputs: seqIn,
  })),
  { name: 'LSTM linear activation (Affine) with hardSigmoid gates: alpha/beta in activation order', build: seq([L.lstm({ units: 4, activation: 'linear', recurrentActivation: 'hardSigmoid', returnSequences: true, inputShape: [T, I] })]), inputs: seqIn },
  { name: 'SimpleRNN linear and GRU hardSigmoidKeras3 / relu', build: seq([L.simpleRNN({ units: 3, activation: 'linear', returnSequences: true, inputShape: [T, I] }), L.gru({ units: 2, activation: 'relu', recurrentActivation: 'hardSigmoidKeras3' })]), inputs: seqIn },
  { name: 'LSTM last output, relu activation', build: seq([L.lstm({ units: 5, activation: 'relu', inputShape: [T, I] })]), inputs: seqIn },
  { name: 'LSTM goBackwards (sequences in processing order), no bias', build: seq([L.lstm({ units: 4, returnSequences: true, goBackwards: true, useBias: false, inputShape: [T, I] })]), inputs: seqIn },
  { name: 'LSTM goBackwards last output', build: seq([L.lstm({ units: 4, goBackwards: true, inputShape: [T, I] })]), inputs: seqIn },
  { name: 'LSTM with peepholes (ONNX P: p_i, p_o, p_f), sequences', build: seq([L.lstm({ units: 4, usePeepholes: true, returnSequences: true, inputShape: [T, I] })]), inputs: seqIn },
  { name: 'Bidirectional LSTM with peepholes, last outputs', build: seq([L.bidirectional({ layer: L.lstm({ units: 3, usePeepholes: true }), inputShape: [T, I] })]), inputs: seqIn },
  { name: 'GRU resetAfter true (linear_before_reset 1)', build: seq([L.gru({ units: 5, returnSequences: true, resetAfter: true, inputShape: [T, I] })]), inputs: seqIn },
  { name: 'GRU resetAfter false (linear_before_reset 0)', build: seq([L.gru({ units: 5, returnSequences: true, resetAfter: false, inputShape: [T, I] })]), inputs: seqIn },
  { name: 'GRU goBackwards last output, hardSigmoid', build: seq([L.gru({ units: 3, goBackwards: true, recurrentActivation: 'hardSigmoid', inputShape: [T, I] })]), inputs: seqIn },
  { name: 'SimpleRNN sequences and last', build: seq([L.simpleRNN({ units: 4, returnSequences: true, inputShape: [T, I] }), L.simpleRNN({ units: 3, activation: 'relu' })]), inputs: seqIn },
  ...(['concat', 'sum', 'mul', 'ave'] as const).flatMap((mergeMode) => [true, false].map((returnSequences) => ({
    name: `Bidirectional LSTM ${mergeMode}, returnSequences ${returnSequences}`,
    build: seq([L.bidirectional({ layer: L.lstm({ units: 3, returnSequences }), mergeMode, inputShape: [T, I] })]), inputs: seqIn,
  }))),
  ...[true, false].map((returnSequences) => ({
    name: `Bidirectional GRU mergeMode null (two outputs), returnSequences ${returnSequences}`, build: () => {
      const x = lw.input({ shape: [T, I] });
      return lw.model({ inputs: x, outputs: L.bidirectional({ layer: L.gru({ units: 3, returnSequences }), mergeMode: null }).apply(x) as SymbolicTensor[] });
    }, inputs: seqIn,
  })),
  { name: 'Bidirectional SimpleRNN last, concat', build: seq([L.bidirectional({ layer: L.simpleRNN({ units: 3 }), inputShape: [T, I] })]), inputs: seqIn },
  { name: 'the seed model: Embedding → LSTM → LSTM → Dense sigmoid', build: seq([
    L.embedding({ inputDim: V, outputDim: 6, inputShape: [T] }), L.lstm({ units: 8, returnSequences: true }), L.lstm({ units: 4 }), L.dense({ units: 1, activation: 'sigmoid' }),
  ]), inputs: () => [ids([B, T], 3)] },
  { name: 'Dropout, SpatialDropout1D, TimeDistributed(Dense), Activation, Flatten', build: seq([
    L.spatialDropout1D({ rate: 0.3, inputShape: [T, I] }), L.timeDistributed({ layer: L.dense({ units: 3 }) }), L.activation({ activation: 'relu' }), L.dropout({ rate: 0.5 }), L.flatten(),
  ]), inputs: seqIn },
  { name: 'RepeatVector, Reshape, GlobalAveragePooling1D, GlobalMaxPooling1D, Concatenate', build: () => {
    const x = lw.input({ shape: [T, I] });
    const avg = L.globalAveragePooling1D().apply(x) as SymbolicTensor;
    const max = L.globalMaxPooling1D().apply(x) as SymbolicTensor;
    const joined = L.concatenate({ axis: -1 }).apply([avg, max]) as SymbolicTensor;
    const repeated = L.repeatVector({ n: 2 }).apply(joined) as SymbolicTensor;
    const reshaped = L.reshape({ targetShape: [4, -1] }).apply(repeated) as SymbolicTensor;
    return lw.model({ inputs: x, outputs: [reshaped, joined] });
  }, inputs: seqIn },
  { name: 'Embedding maskZero into Dense (the mask changes no value there)', build: seq([
    L.embedding({ inputDim: V, outputDim: 4, maskZero: true, inputShape: [T] }), L.dense({ units: 2 }),
  ]), inputs: () => [ids([B, T], 4)] },
  ...MASKED_CASES,
  { name: 'two inputs (ids and floats), Concatenate on features', build: () => {
    const tokens = lw.input({ shape: [T], name: 'tokens' });
    const values = lw.input({ shape: [T, I], name: 'values' });
    const e = L.embedding({ inputDim: V, outputDim: 3 }).apply(tokens) as SymbolicTensor;
    const both = L.concatenate().apply([e, values]) as SymbolicTensor;
    const h = L.gru({ units: 4 }).apply(both) as SymbolicTensor;
    return lw.model({ inputs: [tokens, values], outputs: L.dense({ units: 2, activation: 'softmax' }).apply(h) as SymbolicTensor });
  }, inputs: () => [ids([B, T], 5), floats([B, T, I], 6)] },
  { name: 'models used as layers: a Sequential with an Embedding inside a functional model, fed float ids (Cast)', build: () => {
    const inner = lw.sequential({ layers: [L.embedding({ inputDim: V, outputDim: 4, inputShape: [T] }), L.lstm({ units: 3, returnSequences: true })] });
    const head = lw.sequential({ layers: [L.globalMaxPooling1D({ inputShape: [T, 3] }), L.dense({ units: 2 })] });
    const tokens = lw.input({ shape: [T] });
    const seqOut = inner.apply(tokens) as SymbolicTensor;
    return lw.model({ inputs: tokens, outputs: [head.apply(seqOut) as SymbolicTensor, L.dense({ units: 1 }).apply(tokens) as SymbolicTensor] });
  }, inputs: () => [lw.tensor(Float32Array.from(ids([B, T], 12).dataSync()), [B, T])] },
  // Dot as Einsum: [first shape, second shape, axes, normalize] per sample.
  ...([[[T, I], [4, I], 2, false], [[T, I], [I, 3], [2, 1], false], [[I], [I], 1, true], [[T, I], [I], [2, 1], true], [[T, I], [T, 3], 1, true]] as const).map(([sa, sb, axes, normalize]) => ({
    name: `Dot (Einsum) [${sa}]·[${sb}] axes ${JSON.stringify(axes)}, normalize ${normalize}`,
    build: () => {
      const [a, b] = [lw.input({ shape: [...sa] }), lw.input({ shape: [...sb] })];
      return lw.model({ inputs: [a, b], outputs: L.dot({ axes: axes as number | [number, number], normalize }).apply([a, b]) as SymbolicTensor });
    },
    inputs: () => [floats([B, ...sa], 21), floats([B, ...sb], 22)],
  })),
  { name: 'TimeDistributed(LSTM) over [batch, 2, time, I]', build: seq([L.timeDistributed({ layer: L.lstm({ units: 3 }), inputShape: [2, T, I] })]), inputs: () => [floats([B, 2, T, I], 23)] },
  { name: 'TimeDistributed(Bidirectional GRU sequences), then TimeDistributed(Flatten)', build: seq([
    L.timeDistributed({ layer: L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true }) }), inputShape: [2, T, I] }), L.timeDistributed({ layer: L.flatten() }),
  ]), inputs: () => [floats([B, 2, T, I], 24)] },
  { name: 'TimeDistributed(a Sequential of Dense relu, Dropout, Dense)', build: seq([
    L.timeDistributed({ layer: lw.sequential({ layers: [L.dense({ units: 4, activation: 'relu', inputShape: [I] }), L.dropout({ rate: 0.5 }), L.dense({ units: 2 })] }), inputShape: [T, I] }),
  ]), inputs: seqIn },
  { name: 'mask → TimeDistributed(Activation) keeps it → LSTM sequences', build: masked(L.timeDistributed({ layer: L.activation({ activation: 'tanh' }) }), L.lstm({ units: 2, returnSequences: true })), inputs: () => [PADDED_IDS()] },
  { name: 'shared layers: one Embedding, LSTM and Dense applied to two inputs', build: () => {
    const [a, b] = [lw.input({ shape: [T] }), lw.input({ shape: [T] })];
    const [embed, lstm, dense] = [L.embedding({ inputDim: V, outputDim: 3 }), L.lstm({ units: 2 }), L.dense({ units: 1 })];
    const [ya, yb] = [a, b].map((t) => dense.apply(lstm.apply(embed.apply(t) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor);
    return lw.model({ inputs: [a, b], outputs: [ya, yb] });
  }, inputs: () => [ids([B, T], 13), ids([B, T], 14)] },
];

describe('lw.export.onnx runs in onnxruntime-node and onnxruntime-web as model.predict does', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const model = c.build();
      randomizeWeights(model, 100 + i);
      await expectSamePredictions(model, c.inputs());
    });
  });

  // From 18 the reductions take their axes as an input and Split its count; 22 is the newest written.
  for (const opset of [18, 22]) {
    it(`writes opset ${opset} as well: every model above`, async () => {
      for (const [i, c] of CASES.entries()) {
        const model = c.build();
        randomizeWeights(model, 100 + i);
        await expectSamePredictions(model, c.inputs(), opset);
      }
    });
  }

  it('has a symbolic batch dimension: the same file runs batches of 1 and 7', async () => {
    const model = lw.sequential({ layers: [L.lstm({ units: 3, inputShape: [T, I] })] });
    randomizeWeights(model, 9);
    const bytes = await lw.export.onnx(model);
    const proto = await decodeModelProto(bytes);
    expect(proto.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(proto.graph.input[0].type.tensor_type.shape.dim[0]).toEqual({ dim_param: 'batch' });
    for (const rows of [1, 7]) {
      const x = floats([rows, T, I], rows);
      const [out] = await runOnnx(ortNode, bytes, [x]);
      expect([...out.dims]).toEqual([rows, 3]);
      expect(Math.max(...Array.from(out.data, (v, k) => Math.abs(v - (model.predict(x) as lw.Tensor).dataSync()[k])))).toBeLessThan(1e-5);
    }
  });
  it('decodes what it encodes, and damaged bytes are BAD_MODEL_FILE', async () => {
    const model = lw.sequential({ layers: [L.dense({ units: 2, activation: 'hardSigmoid', inputShape: [3] })] });
    const bytes = await lw.export.onnx(model);
    const proto = await decodeModelProto(bytes);
    expect(proto.graph.node.map((n) => n.op_type)).toEqual(['Gemm', 'HardSigmoid', 'Identity']);
    const hard = proto.graph.node[1].attribute.find((a) => a.name === 'alpha')!;
    expect(hard.f).toBeCloseTo(0.2, 7);
    expect(await lw.export.onnx(model)).toEqual(bytes); // deterministic
    await expect(decodeModelProto(bytes.slice(0, bytes.length - 7))).rejects.toMatchObject({ code: 'BAD_MODEL_FILE' });
  });

  it('lw.setOnnxProtobuf: the module handed over is the one used; anything else is BAD_ARGUMENT', async () => {
    const real = await import('protobufjs/light.js');
    const pb = real.default;
    let reads = 0;
    const handed = { Root: { fromJSON: (json: unknown) => (reads++, pb.Root.fromJSON(json as never)) } };
    lw.setOnnxProtobuf(handed);
    try {
      const model = lw.sequential({ layers: [L.dense({ units: 1, inputShape: [2] })] });
      await lw.export.onnx(model);
      await lw.export.onnx(model);
      expect(reads).toBe(1); // read once, then kept
      expect(() => lw.setOnnxProtobuf({})).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    } finally {
      lw.setOnnxProtobuf(real);
    }
  });

  it('writes a shared layer\'s weights once', async () => {
    const model = CASES.find((c) => c.name.startsWith('shared layers'))!.build();
    const proto = await decodeModelProto(await lw.export.onnx(model));
    const floatsWritten = proto.graph.initializer.filter((t) => t.data_type === 1).map((t) => t.name);
    expect(floatsWritten.length).toBe(6); // embeddings, W, R, B, kernel, bias
    expect(proto.graph.node.filter((n) => n.op_type === 'LSTM').length).toBe(2);
  });

  it('has a symbolic time dimension where the model has one: a masked model runs sequences of 5 and 3 steps', async () => {
    const free = lw.sequential({ layers: [
      L.embedding({ inputDim: V, outputDim: 4, maskZero: true, inputShape: [null] }), L.bidirectional({ layer: L.gru({ units: 3, returnSequences: true }) }), L.lstm({ units: 2 }),
    ] });
    randomizeWeights(free, 31);
    const bytes = await lw.export.onnx(free);
    for (const steps of [5, 3]) {
      const x = lw.tensor(Int32Array.from(PADDED_IDS().dataSync()).slice(0, 5 * steps), [5, steps], 'int32');
      for (const [, ort] of RUNTIMES) {
        const [out] = await runOnnx(ort, bytes, [x]);
        const want = (free.predict(x) as lw.Tensor).dataSync();
        expect(Math.max(...Array.from(out.data, (v, k) => Math.abs(v - want[k])))).toBeLessThan(1e-5);
      }
    }
  });
});

describe('what ONNX cannot express is UNSUPPORTED, naming the layer', () => {
  const refusals: [string, () => lw.LayersModel, RegExp][] = [
    ['masked inputs concatenated along time', () => {
      const a = lw.input({ shape: [T] });
      const e = L.embedding({ inputDim: V, outputDim: 2, maskZero: true }).apply(a) as SymbolicTensor;
      return lw.model({ inputs: a, outputs: L.concatenate({ axis: 1, name: 'time_join' }).apply([e, e]) as SymbolicTensor });
    }, /time_join.*time axis/],
    ['a user cell', () => lw.sequential({ layers: [L.rnn({ cell: { stateSize: 2, call: (_ops, _x, states) => ({ output: states[0], states }) }, inputShape: [T, I], name: 'custom_rnn' })] }), /custom_rnn.*RNN.*user-defined cell/],
  ];
  for (const [what, build, message] of refusals) {
    it(what, async () => {
      const err = await lw.export.onnx(build()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(lw.LwError);
      expect((err as lw.LwError).code).toBe('UNSUPPORTED');
      expect((err as Error).message).toMatch(message);
    });
  }

  it('an opset below 17 or above 22 is BAD_ARGUMENT', async () => {
    const model = lw.sequential({ layers: [L.dense({ units: 1, inputShape: [2] })] });
    for (const opset of [12, 16, 23, 17.5]) await expect(lw.export.onnx(model, { opset })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('a misspelt option or an empty batchName is BAD_ARGUMENT naming it; batchName names the batch dimension', async () => {
    const model = lw.sequential({ layers: [L.dense({ units: 1, inputShape: [2] })] });
    await expect(lw.export.onnx(model, { opsett: 18 } as never)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/opsett/) });
    await expect(lw.export.onnx(model, { batchName: '' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/batchName/) });
    const proto = await decodeModelProto(await lw.export.onnx(model, { batchName: 'rows' }));
    expect(proto.graph.output[0].type.tensor_type.shape.dim).toEqual([{ dim_param: 'rows' }, { dim_value: 1 }]);
  });
});

describe("model.save('file://…/model.onnx')", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lw-onnx-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one loadable .onnx file, renamed into place, and nothing else', async () => {
    const model = lw.sequential({ layers: [L.embedding({ inputDim: V, outputDim: 4, inputShape: [T] }), L.gru({ units: 3 }), L.dense({ units: 2 })] });
    randomizeWeights(model, 21);
    const path = join(dir, 'model.onnx');
    const result = await model.save(pathToFileURL(path).href);
    expect(result.files).toEqual([path]);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
    const bytes = new Uint8Array(readFileSync(path));
    expect(bytes).toEqual(await lw.export.onnx(model));
    const x = ids([B, T], 8);
    const [out] = await runOnnx(ortNode, bytes, [x]);
    const want = (model.predict(x) as lw.Tensor).dataSync();
    expect(Math.max(...Array.from(out.data, (v, k) => Math.abs(v - want[k])))).toBeLessThan(1e-5);
  });

  it('an unsupported model writes no file', async () => {
    const model = lw.sequential({ layers: [L.rnn({ cell: { stateSize: 2, call: (_ops, _x, states) => ({ output: states[0], states }) }, inputShape: [T, I] })] });
    const path = join(dir, 'refused.onnx');
    await expect(model.save(`file://${path}`)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    expect(existsSync(path)).toBe(false);
  });
});

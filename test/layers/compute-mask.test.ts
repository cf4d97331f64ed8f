// layer.computeMask (Keras / TF.js) against what each layer's forward really hands downstream: a
// probe after every output records the mask it is given, in prediction and in a training step,
// and computeMask on the same eager inputs and masks must answer the same. Also the argument checks.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { simpleCell } from '../helpers/cells.js';
import type { Layer, SymbolicTensor } from '../../ts/engine/layer.js';
import { masking } from '../../ts/layers/masking.js';
import { randArray } from '../helpers/kernels.js';
import { MaskProbe } from '../helpers/mask-probe.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';

const B = 3;
const T = 5;

/** [B, T, F] values whose padded steps (pre- or post-, per row) are all zeros: what Masking(0) masks. */
function padded(F: number, seed: number, lengths = [5, 3, 2], pre = [false, true, false]): lw.Tensor {
  const v = randArray(B * T * F, seed).map((x) => (x === 0 ? 0.5 : x));
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const kept = pre[b] ? t >= T - lengths[b] : t < lengths[b];
      if (!kept) v.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
    }
  }
  return lw.tensor(v, [B, T, F]);
}

const asList = <T>(m: T | T[]) => (Array.isArray(m) ? m : [m]);
const values = (m: lw.Tensor | null) => (m ? Array.from(m.dataSync()) : null);

interface In {
  data: lw.Tensor;
  /** Behind a Masking(0) layer: the input carries a mask. */
  masked: boolean;
}

/**
 * Applies `layer` to the inputs (each behind Masking when `masked`), puts a probe on each output,
 * and checks that the probes see, when predicting and in a training step, the masks
 * `layer.computeMask` gives for the same inputs and masks. Returns those masks.
 */
function expectForwardMatches(layer: Layer, inputs: In[]): (number[] | null)[] {
  const xs = inputs.map((i) => lw.input({ shape: i.data.shape.slice(1) }));
  const fed = xs.map((x, k) => (inputs[k].masked ? (masking().apply(x) as SymbolicTensor) : x));
  const outs = asList(layer.apply(fed.length === 1 ? fed[0] : fed) as SymbolicTensor | SymbolicTensor[]);
  const probes = outs.map(() => new MaskProbe());
  const model = lw.model({ inputs: xs, outputs: outs.map((o, j) => probes[j].apply(o) as SymbolicTensor) });
  const data = inputs.map((i) => i.data);
  const masks = inputs.map((i) => (i.masked ? (masking().computeMask(i.data) as lw.Tensor) : null));
  const expected = asList(layer.computeMask(data.length === 1 ? data[0] : data, masks)).map(values);

  model.predict(data);
  expect(probes.map((p) => p.last), `${layer.name}: predict`).toEqual(expected);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const targets = outs.map((o) => lw.tensor(new Float32Array(B * o.shape.slice(1).reduce((a: number, d) => a * (d ?? T), 1)), [B, ...o.shape.slice(1).map((d) => d ?? T)]));
  model.trainOnBatch(data, targets);
  expect(probes.map((p) => p.last), `${layer.name}: training step`).toEqual(expected);
  return expected;
}

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('computeMask is the mask forward hands on', () => {
  const x = () => padded(4, 1);
  const stepsKept = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0];

  it('Masking: the steps with a feature other than maskValue', () => {
    const m = masking({ maskValue: 0 });
    expect(values(m.computeMask(x()) as lw.Tensor)).toEqual(stepsKept);
    // A probe right after the Masking layer sees that mask too (through an identity Activation).
    expect(expectForwardMatches(lw.layers.activation({ activation: 'linear' }), [{ data: x(), masked: true }])).toEqual([stepsKept]);
  });

  it.each([
    ['dense', () => lw.layers.dense({ units: 2 })],
    ['activation', () => lw.layers.activation({ activation: 'tanh' })],
    ['dropout (a new output in training)', () => lw.layers.dropout({ rate: 0.5 })],
    ['timeDistributed(dense)', () => lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 3 }) })],
    ['lstm with returnSequences', () => lw.layers.lstm({ units: 2, returnSequences: true })],
    ['gru with returnSequences', () => lw.layers.gru({ units: 2, returnSequences: true })],
    ['bidirectional(simpleRNN) with returnSequences', () => lw.layers.bidirectional({ layer: lw.layers.simpleRNN({ units: 2, returnSequences: true }) })],
    ['spatialDropout1D (a new output in training)', () => lw.layers.spatialDropout1D({ rate: 0.5 })],
    ['rnn(cell) with returnSequences', () => lw.layers.rnn({ cell: simpleCell(2), returnSequences: true })],
  ])('%s passes the mask on', (_name, make) => {
    expect(expectForwardMatches(make(), [{ data: x(), masked: true }])).toEqual([stepsKept]);
  });

  it.each([
    ['flatten', () => lw.layers.flatten()],
    ['lstm without returnSequences', () => lw.layers.lstm({ units: 2 })],
    ['bidirectional(gru) without returnSequences', () => lw.layers.bidirectional({ layer: lw.layers.gru({ units: 2 }) })],
    ['reshape', () => lw.layers.reshape({ targetShape: [-1] })],
    ['globalAveragePooling1D', () => lw.layers.globalAveragePooling1D()],
    ['globalMaxPooling1D', () => lw.layers.globalMaxPooling1D()],
    ['rnn(cell) without returnSequences', () => lw.layers.rnn({ cell: simpleCell(2) })],
  ])('%s drops it (Keras)', (_name, make) => {
    expect(expectForwardMatches(make(), [{ data: x(), masked: true }])).toEqual([null]);
  });

  it('recurrent returnState: the sequence keeps it, the states have none', () => {
    expect(expectForwardMatches(lw.layers.lstm({ units: 2, returnSequences: true, returnState: true }), [{ data: x(), masked: true }])).toEqual([stepsKept, null, null]);
    expect(expectForwardMatches(lw.layers.simpleRNN({ units: 2, returnState: true }), [{ data: x(), masked: true }])).toEqual([null, null]);
  });

  it('bidirectional without merging: both directions keep it', () => {
    expect(expectForwardMatches(lw.layers.bidirectional({ layer: lw.layers.lstm({ units: 2, returnSequences: true }), mergeMode: null }), [{ data: x(), masked: true }])).toEqual([stepsKept, stepsKept]);
  });

  it('unmasked inputs give no mask', () => {
    expect(expectForwardMatches(lw.layers.dense({ units: 2 }), [{ data: x(), masked: false }])).toEqual([null]);
  });

  it('concatenate: joined along time; along features any input keeps a step (Keras 3)', () => {
    const a = padded(2, 2);
    const b = (F: number) => padded(F, 3, [1, 4, 0], [true, false, false]);
    const keepB = [0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const rows = (f: (bi: number) => number[]) => Array.from({ length: B }, (_, bi) => f(bi)).flat();
    const row = (m: number[], bi: number) => m.slice(bi * T, bi * T + T);
    expect(expectForwardMatches(lw.layers.concatenate({ axis: -1 }), [{ data: a, masked: true }, { data: b(3), masked: true }]))
      .toEqual([stepsKept.map((v, i) => (v || keepB[i] ? 1 : 0))]);
    expect(expectForwardMatches(lw.layers.concatenate({ axis: 1 }), [{ data: a, masked: true }, { data: b(2), masked: true }]))
      .toEqual([rows((bi) => [...row(stepsKept, bi), ...row(keepB, bi)])]);
    // An input without a mask keeps every step: joined in time it adds ones, along features all are kept.
    expect(expectForwardMatches(lw.layers.concatenate({ axis: 1 }), [{ data: a, masked: true }, { data: a, masked: false }]))
      .toEqual([rows((bi) => [...row(stepsKept, bi), 1, 1, 1, 1, 1])]);
    expect(expectForwardMatches(lw.layers.concatenate(), [{ data: a, masked: true }, { data: b(3), masked: false }])).toEqual([new Array(B * T).fill(1)]);
  });

  it('embedding({ maskZero }): the ids that are not 0, as the next layer sees them; none without maskZero or for other ranks', () => {
    const ids = lw.tensor([[3, 1, 0, 0, 0], [0, 0, 2, 4, 1], [5, 0, 5, 0, 5]]);
    const keep = [1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1];
    const emb = lw.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true });
    expect(values(emb.computeMask(ids) as lw.Tensor)).toEqual(keep);
    const x = lw.input({ shape: [5] });
    const probe = new MaskProbe();
    const m = lw.model({ inputs: x, outputs: probe.apply(lw.layers.lstm({ units: 2, returnSequences: true }).apply(emb.apply(x) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor });
    m.predict(ids);
    expect(probe.last).toEqual(keep);
    expect(lw.layers.embedding({ inputDim: 6, outputDim: 3 }).computeMask(ids)).toBeNull();
    expect(lw.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true }).computeMask(lw.tensor([[[1, 0]]]))).toBeNull();
  });

  it('a model: the masks its graph computes, as the layer after it sees them', () => {
    const i = lw.input({ shape: [T, 4] });
    const inner = lw.model({ inputs: i, outputs: lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 2 }) }).apply(lw.layers.gru({ units: 3, returnSequences: true }).apply(masking().apply(i) as SymbolicTensor) as SymbolicTensor) as SymbolicTensor });
    // The mask is made inside the model (Masking), from its input's values.
    expect(expectForwardMatches(inner, [{ data: x(), masked: false }])).toEqual([stepsKept]);
    const ends = lw.input({ shape: [T, 4] });
    const last = lw.model({ inputs: ends, outputs: lw.layers.lstm({ units: 2 }).apply(ends) as SymbolicTensor });
    expect(expectForwardMatches(last, [{ data: x(), masked: true }])).toEqual([null]);
  });

  it('an input layer passes the mask it is given', () => {
    const layer = lw.input({ shape: [T, 4] }).node.layer;
    const mask = masking().computeMask(x()) as lw.Tensor;
    expect(layer.computeMask(x(), mask)).toBe(mask);
  });
});

describe('computeMask arguments', () => {
  it('masks must be [batch, time] of their input, one per input; inputs must fit the layer', () => {
    const d = lw.layers.dense({ units: 2, name: 'cm_dense' });
    const x = padded(4, 6);
    expectLwErrorSync(() => d.computeMask(x, lw.tensor(new Float32Array(B * 4), [B, 4])), 'SHAPE_MISMATCH', /cm_dense.*computeMask: mask 0 has shape \[3, 4\] for input 0 of shape \[3, 5, 4\]; it must be \[3, 5\]/);
    expectLwErrorSync(() => d.computeMask(x, [null, null]), 'BAD_ARGUMENT', /cm_dense.*1 input take as many masks, got 2/);
    expectLwErrorSync(() => d.computeMask([x, x] as never), 'SHAPE_MISMATCH', /cm_dense/);
    expectLwErrorSync(() => d.computeMask([1, 2] as never), 'BAD_ARGUMENT', /cm_dense.*input 0 must be a tensor/);
    expectLwErrorSync(() => d.computeMask(x, 'mask' as never), 'BAD_ARGUMENT', /cm_dense.*mask 0 must be a tensor/);
    const c = lw.layers.concatenate({ name: 'cm_concat' });
    expectLwErrorSync(() => c.computeMask([x, x], masking().computeMask(x) as lw.Tensor), 'BAD_ARGUMENT', /cm_concat.*2 inputs take a list of masks/);
    expectLwErrorSync(() => lw.layers.flatten({ name: 'cm_flat' }).computeMask(lw.tensor([1, 2, 3]), lw.tensor([[1]])), 'SHAPE_MISMATCH', /cm_flat.*none \(the input has no time axis\)/);
  });

  it('a model checks its data as predict does, naming the input', () => {
    const i = lw.input({ shape: [T, 4], name: 'cm_in' });
    const m = lw.model({ inputs: i, outputs: lw.layers.dense({ units: 1 }).apply(i) as SymbolicTensor, name: 'cm_model' });
    expectLwErrorSync(() => m.computeMask(padded(3, 7)), 'SHAPE_MISMATCH', /input "cm_in" has shape \[3, 5, 3\], the model expects \[None, 5, 4\]/);
    expectLwErrorSync(() => m.computeMask(padded(4, 7), lw.tensor([[1]])), 'SHAPE_MISMATCH', /cm_model.*mask 0 has shape \[1, 1\]/);
  });
});

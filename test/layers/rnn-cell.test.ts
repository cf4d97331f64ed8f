// lw.layers.rnn({ cell }): user-written cells against the fused LSTM, GRU and SimpleRNN (same
// weights: outputs, gradients, training steps, masks, goBackwards, initial and carried states),
// finite-difference gradients of cells the kernels do not have through BPTT, learning, and errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import type { Layer } from '../../ts/engine/layer.js';
import type { StepOps, StepTensor } from '../../ts/layers/index.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, InputProbe, probedInput } from '../helpers/layer-checks.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { GRUCell, IndRNNCell, LSTMCell, MGUCell, PeepholeLSTMCell, simpleCell } from '../helpers/cells.js';

const [B, T, F, U] = [3, 5, 4, 6];
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const rand = (shape: number[], seed: number, scale = 1) => lw.tensor(randArray(size(shape), seed, scale), shape);
/** Inputs padded for a Masking layer: row 0 loses its last 2 steps, row 1 its first, row 2 all. */
const PADDED = (() => {
  const v = randArray(B * T * F, 40);
  const pad = (b: number, t: number) => v.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
  [3, 4].forEach((t) => pad(0, t));
  pad(1, 0);
  for (let t = 0; t < T; t++) pad(2, t);
  return lw.tensor(v, [B, T, F]);
})();

const KINDS = {
  lstm: { fused: (a: lw.layers.LSTMArgs) => lw.layers.lstm(a), cell: () => new LSTMCell(U), states: 2 },
  gru: { fused: (a: lw.layers.GRUArgs) => lw.layers.gru(a), cell: () => new GRUCell(U), states: 1 },
  simpleRNN: { fused: (a: lw.layers.RecurrentArgs) => lw.layers.simpleRNN(a), cell: () => simpleCell(U), states: 1 },
};
type Kind = keyof typeof KINDS;

interface PairOptions {
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  mask?: boolean;
  initialState?: boolean;
  /** A Dense layer before the recurrent one, so that the input's gradient is needed (and compared). */
  pre?: boolean;
}

/** The same model twice, with the fused layer and with the user cell, sharing random weights. */
function pair(kind: Kind, o: PairOptions = {}) {
  const { fused, cell, states } = KINDS[kind];
  const flags = { returnSequences: o.returnSequences, returnState: o.returnState, goBackwards: o.goBackwards };
  const make = (layer: Layer) => {
    const x = lw.input({ shape: [T, F] });
    const s = o.initialState ? Array.from({ length: states }, () => lw.input({ shape: [U] })) : [];
    const masked = o.mask ? (lw.layers.masking({ maskValue: 0 }).apply(x) as SymbolicTensor) : x;
    const seq = o.pre ? (lw.layers.dense({ units: F, name: 'pre' }).apply(masked) as SymbolicTensor) : masked;
    const out = layer.apply(seq, s.length ? { initialState: s } : {});
    return lw.model({ inputs: [x, ...s], outputs: out as SymbolicTensor | SymbolicTensor[] });
  };
  const a = fused({ units: U, name: 'rec', ...flags });
  const b = lw.layers.rnn({ cell: cell(), name: 'rec', ...flags });
  const models = { fused: make(a), mine: make(b) };
  const ws = a.getWeights().map((w, i) => rand([...w.shape], 50 + i, 0.7));
  a.setWeights(ws);
  b.setWeights(ws);
  if (o.pre) models.mine.getLayer('pre').setWeights(models.fused.getLayer('pre').getWeights());
  const inputs = [o.mask ? PADDED : rand([B, T, F], 1), ...(o.initialState ? Array.from({ length: states }, (_, i) => rand([B, U], 2 + i)) : [])];
  return { ...models, layers: { fused: a, mine: b }, inputs };
}

const asList = (t: lw.Tensor | lw.Tensor[]) => (Array.isArray(t) ? t : [t]);

/** The gradients a training step leaves for each weight of the model (one loss per output). */
function gradients(m: lw.LayersModel, x: lw.Tensor[], seed: number): Float32Array[] {
  m.compile({ optimizer: lw.train.sgd({ learningRate: 0.01 }), loss: 'meanSquaredError' });
  const targets = m.outputs.map((o, i) => rand(o.shape.map((d) => d ?? B), seed + i));
  m.trainOnBatch(x, targets);
  const store = m.params();
  return m.weights.map((w) => store.backend.readFloats(store.gradPtr(w), w.size) as Float32Array);
}

const TOLERANCE = { js: [1e-10, 1e-9], simd: [2e-6, 2e-5] } as const;

describe.each(['js', 'simd'] as const)('user cells against the fused layers (%s)', (backend) => {
  beforeAll(async () => {
    await lw.ready({ backend });
  });
  const [atol, rtol] = TOLERANCE[backend];

  describe.each(Object.keys(KINDS) as Kind[])('%s', (kind) => {
    const cases: [string, PairOptions][] = [
      ['sequences and states', { returnSequences: true, returnState: true }],
      ['last output, after a Dense', { pre: true }],
      ['a mask', { returnSequences: true, returnState: true, mask: true }],
      ['goBackwards with a mask, after a Dense', { returnSequences: true, goBackwards: true, mask: true, pre: true }],
      ['initial states', { returnSequences: true, returnState: true, initialState: true }],
    ];
    it.each(cases)('%s: same outputs and gradients', (_name, o) => {
      const p = pair(kind, o);
      const want = asList(p.fused.predict(p.inputs));
      const got = asList(p.mine.predict(p.inputs));
      expect(got.length).toBe(want.length);
      got.forEach((t, i) => {
        expect(t.shape).toEqual(want[i].shape);
        expectClose(t.dataSync(), want[i].dataSync(), atol, rtol, `${kind} output ${i}`);
      });
      const gw = gradients(p.fused, p.inputs, 60);
      const gm = gradients(p.mine, p.inputs, 60);
      gm.forEach((g, i) => expectClose(g, gw[i], atol, rtol, `${kind} gradient of ${p.mine.weights[i].path}`));
      expect(gm.every((g) => g.some((v) => v !== 0))).toBe(true);
    });
  });

  it.each(Object.keys(KINDS) as Kind[])('%s: the same weights after a few fit steps', async (kind) => {
    const p = pair(kind, { returnSequences: true });
    const x = lw.tensor(randArray(6 * T * F, 71), [6, T, F]);
    const y6 = lw.tensor(randArray(6 * T * U, 72), [6, T, U]);
    for (const m of [p.fused, p.mine]) {
      m.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
      await m.fit(x, y6, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    }
    const before = pair(kind, { returnSequences: true }).layers.fused.getWeights();
    p.layers.mine.getWeights().forEach((w, i) => {
      const f = p.layers.fused.getWeights()[i];
      expectClose(w.dataSync(), f.dataSync(), atol * 10, rtol * 10, `${kind} weight ${i} after fit`);
      expect(Array.from(w.dataSync())).not.toEqual(Array.from(before[i].dataSync()));
    });
    expectClose(asList(p.mine.predict(x))[0].dataSync(), asList(p.fused.predict(x))[0].dataSync(), atol * 10, rtol * 10, 'predictions after fit');
  });
});

describe('more against the fused layers (simd)', () => {
  beforeAll(async () => {
    await lw.ready({ backend: 'simd' });
  });

  it('stacked cells run as stacked layers; the states come in cell order', () => {
    const x = lw.input({ shape: [T, F] });
    const l1 = lw.layers.lstm({ units: U, returnSequences: true });
    const l2 = lw.layers.gru({ units: 3, returnState: true });
    const fused = lw.model({ inputs: x, outputs: l2.apply(l1.apply(x)) as SymbolicTensor[] });
    const stacked = lw.layers.rnn({ cell: [new LSTMCell(U), new GRUCell(3)], returnState: true });
    const mine = lw.model({ inputs: x, outputs: stacked.apply(x) as SymbolicTensor[] });
    stacked.setWeights([...l1.getWeights(), ...l2.getWeights()]);
    expect(stacked.weights.map((w) => w.path)).toEqual([
      'rnn/lstm_cell/kernel', 'rnn/lstm_cell/recurrent_kernel', 'rnn/lstm_cell/bias', 'rnn/gru_cell/kernel', 'rnn/gru_cell/recurrent_kernel', 'rnn/gru_cell/bias',
    ].map((p) => p.replace('rnn/', `${stacked.name}/`)));
    const data = rand([B, T, F], 80);
    const [out, h1, c1, h2] = asList(mine.predict(data));
    const [want, wantH] = asList(fused.predict(data));
    expect([h1.shape, c1.shape, h2.shape]).toEqual([[B, U], [B, U], [B, 3]]);
    expectClose(out.dataSync(), want.dataSync(), 2e-6, 2e-5, 'stacked output');
    expectClose(h2.dataSync(), wantH.dataSync(), 2e-6, 2e-5, 'last cell state');
  });

  it('a frozen rnn keeps its weights and still passes gradients to the layer before it', async () => {
    const pre = lw.layers.dense({ units: F, inputShape: [T, F] });
    const rec = lw.layers.rnn({ cell: new MGUCell(4) });
    rec.trainable = false;
    const m = lw.sequential({ layers: [pre, rec, lw.layers.dense({ units: 1 })] });
    m.compile({ optimizer: lw.train.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const [r0, p0] = [rec.getWeights(), pre.getWeights()];
    await m.fit(rand([8, T, F], 83), rand([8, 1], 84), { epochs: 2, batchSize: 4, verbose: 0 });
    rec.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(r0[i].dataSync())));
    pre.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).not.toEqual(Array.from(p0[i].dataSync())));
  });

  it('stateful: the final states carry into the next batch until resetStates', () => {
    const fused = lw.layers.lstm({ units: U, stateful: true, batchInputShape: [B, T, F] });
    const mine = lw.layers.rnn({ cell: new LSTMCell(U), stateful: true, batchInputShape: [B, T, F] });
    const mf = lw.sequential({ layers: [fused] });
    const mm = lw.sequential({ layers: [mine] });
    mine.setWeights(fused.getWeights());
    const data = rand([B, T, F], 81);
    const first = (mm.predict(data, { batchSize: B }) as lw.Tensor).dataSync();
    const second = (mm.predict(data, { batchSize: B }) as lw.Tensor).dataSync();
    expect(Array.from(second)).not.toEqual(Array.from(first));
    expectClose(first, (mf.predict(data, { batchSize: B }) as lw.Tensor).dataSync(), 2e-6, 2e-5, 'first batch');
    expectClose(second, (mf.predict(data, { batchSize: B }) as lw.Tensor).dataSync(), 2e-6, 2e-5, 'carried batch');
    mm.resetStates();
    expect(Array.from((mm.predict(data, { batchSize: B }) as lw.Tensor).dataSync())).toEqual(Array.from(first));
    expect(() => mm.predict(rand([B + 1, T, F], 82), { batchSize: B + 1 })).toThrow(/SHAPE_MISMATCH|batch/);
  });
});

describe('cells the kernels do not have: gradients through BPTT by finite differences (float64)', () => {
  beforeAll(async () => {
    await lw.ready({ backend: 'js' });
  });

  it('a peephole LSTM: weights, inputs and the returned states', () => {
    const [inp, probed, zeros] = probedInput([B, T, F], 90);
    const outs = lw.layers.rnn({ cell: new PeepholeLSTMCell(4), returnSequences: true, returnState: true }).apply(probed) as SymbolicTensor[];
    const m = lw.model({ inputs: inp, outputs: outs });
    const n = checkModelGradients(m, zeros, [rand([B, T, 4], 91), rand([B, 4], 92), rand([B, 4], 93)]);
    expect(n).toBeGreaterThan(B * T * F); // the probe's weights are the inputs
  });

  it('a minimal gated unit, backwards over a mask, zeros at masked steps', () => {
    const x = lw.input({ batchShape: [B, T, F] });
    const masked = lw.layers.masking({ maskValue: 0 }).apply(x) as SymbolicTensor;
    // After the mask is taken from the raw input, the probe makes the rnn's input a parameter.
    const probed = new InputProbe(randArray(B * T * F, 94)).apply(masked) as SymbolicTensor;
    const out = lw.layers.rnn({ cell: new MGUCell(5), returnSequences: true, goBackwards: true, zeroOutputForMask: true }).apply(probed) as SymbolicTensor;
    const m = lw.model({ inputs: x, outputs: out });
    checkModelGradients(m, PADDED, rand([B, T, 5], 95));
  });

  it('one layer applied to two inputs (shared weights): both applications send gradients back', () => {
    const [in1, p1, z1] = probedInput([B, T, F], 102);
    const [in2, p2, z2] = probedInput([B, T, F], 103);
    const shared = lw.layers.rnn({ cell: new MGUCell(3) });
    const both = lw.layers.concatenate().apply([shared.apply(p1) as SymbolicTensor, shared.apply(p2) as SymbolicTensor]) as SymbolicTensor;
    const m = lw.model({ inputs: [in1, in2], outputs: both });
    expect(checkModelGradients(m, [z1, z2], rand([B, 6], 104))).toBeGreaterThan(2 * B * T * F);
  });

  it('stacked IndRNN and MGU cells with initial states given as inputs', () => {
    const x = lw.input({ shape: [T, F] });
    const p1 = probedInput([B, 4], 96);
    const p2 = probedInput([B, 3], 97);
    const layer = lw.layers.rnn({ cell: [new IndRNNCell(4), new MGUCell(3)], returnState: true });
    const outs = layer.apply(x, { initialState: [p1[1], p2[1]] }) as SymbolicTensor[];
    const m = lw.model({ inputs: [x, p1[0], p2[0]], outputs: outs });
    const n = checkModelGradients(m, [rand([B, T, F], 98), p1[2], p2[2]], [rand([B, 3], 99), rand([B, 4], 100), rand([B, 3], 101)]);
    expect(n).toBeGreaterThan(B * 7);
  });
});

describe('training', () => {
  it('a minimal-GRU model learns the mean of its inputs (Sequential: fit, evaluate, predict)', async () => {
    await lw.ready({ backend: 'simd' });
    const N = 64;
    const xv = randArray(N * 8, 110);
    const x = lw.tensor(xv, [N, 8, 1]);
    const y = lw.tensor(Array.from({ length: N }, (_, i) => xv.slice(i * 8, i * 8 + 8).reduce((a, b) => a + b) / 4), [N, 1]);
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell: new MGUCell(8), inputShape: [8, 1] }), lw.layers.dense({ units: 1 })] });
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    const before = m.evaluate(x, y) as number;
    const h = await m.fit(x, y, { epochs: 40, batchSize: 16, seed: 1, verbose: 0 });
    const after = m.evaluate(x, y) as number;
    expect(h.history.loss.length).toBe(40);
    expect(after).toBeLessThan(before * 0.2);
    const pred = (m.predict(x) as lw.Tensor).dataSync();
    const err = Array.from(pred).reduce((s, v, i) => s + (v - y.dataSync()[i]) ** 2, 0) / N;
    expect(err).toBeCloseTo(after, 5);
  });
});

describe('errors name the layer and the cell', () => {
  beforeAll(async () => {
    await lw.ready({ backend: 'js' });
  });
  const data = rand([B, T, F], 120);
  const run = (cell: lw.layers.Cell, name = 'bad') => lw.sequential({ layers: [lw.layers.rnn({ cell, name, inputShape: [T, F] })] }).predict(data);
  const cellWith = (call: (ops: StepOps, x: StepTensor, s: StepTensor[], w: Record<string, StepTensor>) => { output: StepTensor; states: StepTensor[] }, stateSize: number | number[] = 2) => ({
    stateSize, build: (_s: unknown, add: lw.layers.AddWeight) => { add('w', [F, 2]); }, call,
  });

  it('a step returning states of the wrong shape or count, or no tensors', () => {
    expectLwErrorSync(() => run(cellWith((o, x, [h], w) => ({ output: o.matMul(x, w.w), states: [o.concat([h, h])] }))), 'SHAPE_MISMATCH',
      /layer "bad" \(RNN\), cell "cell": call returned state 0 of shape \[3, 4\], expected \[3, 2\] \(stateSize \[2\]\)/);
    expectLwErrorSync(() => run(cellWith((o, x, [h], w) => ({ output: o.matMul(x, w.w), states: [h, h] }))), 'SHAPE_MISMATCH', /call returned 2 states, its stateSize \[2\] has 1/);
    expectLwErrorSync(() => run(cellWith((_o, x, s) => ({ output: x, states: s }))), 'SHAPE_MISMATCH',
      /call returned an output of shape \[3, 4\], expected \[3, 2\] \(outputSize 2, the first state's size: declare outputSize if it differs\)/);
    expectLwErrorSync(() => run(cellWith((_o, _x, [h]) => ({ output: h } as never))), 'BAD_ARGUMENT', /cell "cell": call must return \{ output, states \}/);
  });

  it('an op given wrong shapes or a value that is not a step tensor', () => {
    expectLwErrorSync(() => run(cellWith((o, _x, [h], w) => ({ output: o.matMul(h, w.w), states: [h] }))), 'SHAPE_MISMATCH',
      /layer "bad" \(RNN\), cell "cell": ops\.matMul: inner sizes differ: a \[3, 2\] has 2, b \[4, 2\] has 4/);
    expectLwErrorSync(() => run(cellWith((o, x, [h]) => ({ output: o.add(x, h), states: [h] }))), 'SHAPE_MISMATCH', /cell "cell": ops\.add: shapes \[3, 4\] and \[3, 2\] do not broadcast/);
    expectLwErrorSync(() => run(cellWith((o, _x, [h]) => ({ output: o.add(h, [1, 2] as never), states: [h] }))), 'BAD_ARGUMENT', /ops\.add: b must be a tensor of the step.*got an array/);
    expectLwErrorSync(() => run(cellWith((o, _x, [h]) => ({ output: o.mul(h, NaN), states: [h] }))), 'BAD_ARGUMENT', /ops\.mul: b is NaN; a scalar must be a finite number/);
    expectLwErrorSync(() => run(cellWith((o, _x, [h]) => ({ output: o.split(h, 2, 2)[0], states: [h] }))), 'BAD_ARGUMENT', /ops\.split: axis must be a whole number in \[-2, 1\], got number 2/);
  });

  it('a tensor kept from an earlier batch', () => {
    let kept: StepTensor | null = null;
    const cell = cellWith((o, x, [h], w) => {
      const y = o.tanh(o.add(o.matMul(x, w.w), kept ?? h));
      kept ??= y;
      return { output: y, states: [y] };
    });
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell, name: 'keeper', inputShape: [T, F] })] });
    m.predict(data);
    expectLwErrorSync(() => m.predict(data), 'BAD_ARGUMENT', /layer "keeper" \(RNN\), cell "cell": ops\.add: b is a tensor of another batch or call/);
  });

  it('ops kept from an earlier batch (with tensors of that batch) are refused, not run on freed memory', () => {
    let keptOps: StepOps | null = null;
    let keptH: StepTensor | null = null;
    const cell = cellWith((o, x, [h], w) => {
      if (keptOps && keptH) keptOps.tanh(keptH);
      keptOps = o;
      keptH = h;
      return { output: o.tanh(o.matMul(x, w.w)), states: [o.tanh(o.matMul(x, w.w))] };
    });
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell, name: 'stale', inputShape: [T, F] })] });
    m.predict(data); // within one batch the kept ops are still this batch's
    expectLwErrorSync(() => m.predict(data), 'BAD_ARGUMENT', /layer "stale" \(RNN\): ops used after their call/);
  });

  it('bad cells, options, weights and initial states', () => {
    expectLwErrorSync(() => lw.layers.rnn({ cell: { stateSize: 3 } as never, name: 'c1' }), 'BAD_ARGUMENT', /layer "c1" \(RNN\): cell must be an object with stateSize and call/);
    expectLwErrorSync(() => lw.layers.rnn({ cell: [], name: 'c2' }), 'BAD_ARGUMENT', /layer "c2" \(RNN\): cell is an empty array/);
    expectLwErrorSync(() => lw.layers.rnn({ cell: { stateSize: [3, 0], call: () => null as never }, name: 'c3' }), 'BAD_ARGUMENT', /cell "cell": stateSize must be a whole number >= 1 or a non-empty array of them/);
    expectLwErrorSync(() => lw.layers.rnn({ cell: new MGUCell(3), units: 3, name: 'c4' } as never), 'BAD_ARGUMENT', /layer "c4" \(RNN\): unknown option "units"; its options are .*cell, returnSequences/);
    const twice = { stateSize: 2, build: (_s: unknown, add: lw.layers.AddWeight) => { add('w', [2]); add('w', [2]); }, call: () => null as never };
    expectLwErrorSync(() => lw.layers.rnn({ cell: twice, name: 'c5', inputShape: [T, F] }).apply(lw.input({ shape: [T, F] })), 'BAD_ARGUMENT', /layer "c5" \(RNN\), cell "cell": addWeight: the cell already has a weight "w"/);
    const badInit = { stateSize: 2, build: (_s: unknown, add: lw.layers.AddWeight) => { add('w', [2], 'nope' as never); }, call: () => null as never };
    expectLwErrorSync(() => lw.layers.rnn({ cell: badInit, name: 'c6' }).apply(lw.input({ shape: [T, F] })), 'BAD_ARGUMENT', /cell "cell": addWeight\("w"\): unknown initializer "nope"/);
    const x = lw.input({ shape: [T, F] });
    expectLwErrorSync(() => lw.layers.rnn({ cell: new LSTMCell(U), name: 'c7' }).apply(x, { initialState: [lw.input({ shape: [U] })] }), 'SHAPE_MISMATCH', /layer "c7" \(RNN\): takes 2 initial states \(sizes 6, 6\), got 1/);
    expectLwErrorSync(() => lw.layers.rnn({ cell: new MGUCell(U), name: 'c8' }).apply(x, { initialState: lw.input({ shape: [U + 1] }) }), 'SHAPE_MISMATCH', /initial state 0 must be \[batch, 6\], got \[None, 7\]/);
    expectLwErrorSync(() => lw.layers.rnn({ cell: new MGUCell(U), name: 'c9' }).apply(x, { states: [] } as never), 'BAD_ARGUMENT', /apply: unknown option "states"/);
  });
});

// layer.apply(x, { initialState }) for LSTM, GRU and SimpleRNN (TF.js, Keras): the states are further
// inputs of the node; outputs against lw.ops with the same states, gradients of the weights and of the
// states by finite differences, saving and loading, and the errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, predictOnBoth, probedInput } from '../helpers/layer-checks.js';

const [B, T, F, U] = [3, 4, 2, 5];
const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);
const CELLS = {
  lstm: { make: (a: lw.layers.LSTMArgs) => lw.layers.lstm(a), states: 2, ops: lw.ops.lstmForward },
  gru: { make: (a: lw.layers.GRUArgs) => lw.layers.gru(a), states: 1, ops: lw.ops.gruForward },
  simpleRNN: { make: (a: lw.layers.LSTMArgs) => lw.layers.simpleRNN(a), states: 1, ops: lw.ops.simpleRNNForward },
};

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe.each(Object.keys(CELLS) as (keyof typeof CELLS)[])('%s with initialState', (cell) => {
  const { make, states, ops } = CELLS[cell];

  function model(returnSequences = false) {
    const x = lw.input({ shape: [T, F], name: 'x' });
    const s = Array.from({ length: states }, (_, i) => lw.input({ shape: [U], name: `s${i}` }));
    const layer = make({ units: U, returnSequences, name: 'rec' });
    const out = layer.apply(x, { initialState: s }) as SymbolicTensor;
    return { m: lw.model({ inputs: [x, ...s], outputs: out }), layer };
  }
  const data = () => [rand([B, T, F], 1), ...Array.from({ length: states }, (_, i) => rand([B, U], 2 + i))];

  it('outputs equal lw.ops with the same states; without states they differ', () => {
    const { m, layer } = model(true);
    const [kernel, recurrentKernel, bias] = layer.getWeights();
    const [x, ...s] = data();
    const want = ops({ x, kernel, recurrentKernel, bias, initialState: s }).outputs;
    const got = m.predict([x, ...s]) as lw.Tensor;
    expectClose(got.dataSync(), want.dataSync(), 1e-12, 1e-12, `${cell} outputs`);
    const zeros = ops({ x, kernel, recurrentKernel, bias }).outputs;
    expect(Array.from(got.dataSync())).not.toEqual(Array.from(zeros.dataSync()));
  });

  it('gradients of the weights and of the states match finite differences (float64)', () => {
    const x = lw.input({ shape: [T, F] });
    const probes = Array.from({ length: states }, (_, i) => probedInput([B, U], 10 + i));
    const out = make({ units: U }).apply(x, { initialState: probes.map((p) => p[1]) }) as SymbolicTensor;
    const m = lw.model({ inputs: [x, ...probes.map((p) => p[0])], outputs: out });
    const checked = checkModelGradients(m, [rand([B, T, F], 3), ...probes.map((p) => p[2])], rand([B, U], 4));
    // The probes' weights are the states: their gradients are among those checked.
    expect(checked).toBeGreaterThan(states * B * U);
  });

  it('simd agrees with the float64 oracle', async () => {
    const { m } = model(true);
    const { js, simd } = await predictOnBoth(m, data());
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, `${cell} simd`);
  });

  it('saves and loads with the states as inputs of the node', async () => {
    const { m } = model();
    const loaded = await lw.loadModel(m.toArtifacts());
    expect(Array.from((loaded.predict(data()) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(data()) as lw.Tensor).dataSync()));
  });

  it('loads from Keras configs that pass the states as the call\'s initial_state kwarg (Keras 2 and Keras 3 forms)', async () => {
    const { m } = model();
    const want = Array.from((m.predict(data()) as lw.Tensor).dataSync());
    const keras2 = m.toArtifacts();
    const rec2 = (keras2.modelTopology as any).config.layers.find((l: any) => l.config.name === 'rec');
    const [xRef, ...stateRefs] = rec2.inbound_nodes[0];
    // Keras 2: [[x, node, tensor, {initial_state: [refs]}]]
    rec2.inbound_nodes = [[[...xRef.slice(0, 3), { initial_state: stateRefs.map((r: unknown[]) => r.slice(0, 3)) }]]];
    expect(Array.from(((await lw.loadModel(keras2)).predict(data()) as lw.Tensor).dataSync())).toEqual(want);
    // Keras 3: {args: [x], kwargs: {initial_state: [keras tensors]}}
    const keras3 = m.toArtifacts();
    const rec3 = (keras3.modelTopology as any).config.layers.find((l: any) => l.config.name === 'rec');
    const tensor = (r: unknown[]) => ({ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: r.slice(0, 3) } });
    rec3.inbound_nodes = [{ args: [tensor(xRef)], kwargs: { initial_state: stateRefs.map(tensor), training: false, mask: null } }];
    expect(Array.from(((await lw.loadModel(keras3)).predict(data()) as lw.Tensor).dataSync())).toEqual(want);
    // A kwarg that would change the call is not dropped.
    rec3.inbound_nodes = [{ args: [tensor(xRef)], kwargs: { initial_state: stateRefs.map(tensor), training: true } }];
    const e = await lw.loadModel(keras3).catch((x) => x);
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/passes training = true/);
  });

  it('eagerly on tensors (TF.js, Keras): the same outputs, the weights kept, no node left behind', () => {
    const layer = make({ units: U, returnSequences: true });
    const [x, ...s] = data();
    const got = layer.apply(x, { initialState: s }) as lw.Tensor;
    expect(layer.inboundNodes).toHaveLength(0);
    const [kernel, recurrentKernel, bias] = layer.getWeights();
    expectClose(got.dataSync(), ops({ x, kernel, recurrentKernel, bias, initialState: s }).outputs.dataSync(), 1e-12, 1e-12, `${cell} eager`);
    // Called again it gives the same (its weights stayed), and without states something else.
    expect(Array.from((layer.apply(x, { initialState: s }) as lw.Tensor).dataSync())).toEqual(Array.from(got.dataSync()));
    expect(Array.from((layer.apply(x) as lw.Tensor).dataSync())).not.toEqual(Array.from(got.dataSync()));
    // The layer then serves a model, whose saved graph loads.
    const xi = lw.input({ shape: [T, F] });
    const si = s.map(() => lw.input({ shape: [U] }));
    const m = lw.model({ inputs: [xi, ...si], outputs: layer.apply(xi, { initialState: si }) as SymbolicTensor });
    expect(Array.from((m.predict([x, ...s]) as lw.Tensor).dataSync())).toEqual(Array.from(got.dataSync()));
    expect(() => layer.apply(x, { initialState: si as never })).toThrow(/all of one kind|must be tensors too/);
  });

  it('errors: wrong count, wrong shape, given twice', () => {
    const x = lw.input({ shape: [T, F] });
    const s = lw.input({ shape: [U] });
    const wrong = lw.input({ shape: [U + 1] });
    if (states === 2) expect(() => make({ units: U }).apply(x, { initialState: [s] })).toThrow(/takes 2 initial states/);
    else expect(() => make({ units: U }).apply(x, { initialState: [s, s] })).toThrow(/takes 1 initial state/);
    expect(() => make({ units: U }).apply(x, { initialState: Array(states).fill(wrong) })).toThrow(new RegExp(`initial state 0 must be \\[batch, ${U}\\]`));
    expect(() => make({ units: U }).apply([x, ...Array(states).fill(s)], { initialState: Array(states).fill(s) })).toThrow(/given both as inputs and as initialState/);
  });
});

describe('initialState elsewhere', () => {
  it('an Embedding-fed LSTM on repeated tokens (the distinct-token path) passes gradients to the states', async () => {
    await lw.ready({ backend: 'simd' });
    const ids = lw.input({ shape: [6], name: 'ids' });
    const ctx = lw.input({ shape: [2], name: 'ctx' });
    const e = lw.layers.embedding({ inputDim: 4, outputDim: 3 }).apply(ids) as SymbolicTensor;
    const h0 = lw.layers.dense({ units: U, name: 'h0' }).apply(ctx) as SymbolicTensor;
    const c0 = lw.layers.dense({ units: U, name: 'c0' }).apply(ctx) as SymbolicTensor;
    const out = lw.layers.lstm({ units: U }).apply(e, { initialState: [h0, c0] }) as SymbolicTensor;
    const m = lw.model({ inputs: [ids, ctx], outputs: lw.layers.dense({ units: 1 }).apply(out) as SymbolicTensor });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = ['h0', 'c0'].map((n) => Array.from(m.getLayer(n).getWeights()[0].dataSync()));
    // 48 tokens over 4 ids: at most 4 distinct, so the step multiplies the distinct rows only.
    m.trainOnBatch([lw.tensor(Array.from({ length: 8 }, (_, r) => Array.from({ length: 6 }, (_, t) => (r + t) % 4))), rand([8, 2], 30)], rand([8, 1], 31));
    ['h0', 'c0'].forEach((n, i) => expect(Array.from(m.getLayer(n).getWeights()[0].dataSync()), n).not.toEqual(before[i]));
    await lw.ready({ backend: 'js' });
  });

  it('a layer without call options refuses them', () => {
    const x = lw.input({ shape: [T, F] });
    const s = lw.input({ shape: [U] });
    expect(() => lw.layers.dense({ units: 2 }).apply(x, { initialState: [s] })).toThrow(/BAD_ARGUMENT.*apply: unknown option "initialState"; it takes no options/);
  });
});

describe('bidirectional with initialState: the forward layer\'s states, then the backward layer\'s', () => {
  /** Bidirectional(LSTM) given [hF, cF, hB, cB], beside the two directions written out with the same weights and states. */
  function models(returnSequences: boolean) {
    const x = lw.input({ shape: [T, F], name: 'x' });
    const s = Array.from({ length: 4 }, (_, i) => lw.input({ shape: [U], name: `s${i}` }));
    const bi = lw.layers.bidirectional({ layer: lw.layers.lstm({ units: U, returnSequences }), mergeMode: 'concat' });
    const biModel = lw.model({ inputs: [x, ...s], outputs: bi.apply(x, { initialState: s }) as SymbolicTensor });
    const f = lw.layers.lstm({ units: U, returnSequences });
    const b = lw.layers.lstm({ units: U, returnSequences, goBackwards: true });
    const flat = lw.model({ inputs: [x, ...s], outputs: [f.apply(x, { initialState: s.slice(0, 2) }) as SymbolicTensor, b.apply(x, { initialState: s.slice(2) }) as SymbolicTensor] });
    const w = bi.getWeights();
    f.setWeights(w.slice(0, 3));
    b.setWeights(w.slice(3));
    return { biModel, flat };
  }

  /** The two directions' outputs merged as Bidirectional does: the backward sequence back in input order, then concatenated. */
  function merged([yf, yb]: lw.Tensor[], returnSequences: boolean): number[] {
    const [f, b] = [yf.dataSync(), yb.dataSync()];
    const out: number[] = [];
    const steps = returnSequences ? T : 1;
    for (let r = 0; r < B; r++) {
      for (let t = 0; t < steps; t++) {
        const tb = returnSequences ? T - 1 - t : 0;
        out.push(...f.slice((r * steps + t) * U, (r * steps + t + 1) * U), ...b.slice((r * steps + tb) * U, (r * steps + tb + 1) * U));
      }
    }
    return out;
  }
  const data = () => [rand([B, T, F], 1), ...Array.from({ length: 4 }, (_, i) => rand([B, U], 2 + i))];

  it.each([false, true])('outputs equal the two directions run with their states (returnSequences %s)', (returnSequences) => {
    const { biModel, flat } = models(returnSequences);
    const got = biModel.predict(data()) as lw.Tensor;
    expectClose(got.dataSync(), Float64Array.from(merged(flat.predict(data()) as lw.Tensor[], returnSequences)), 1e-12, 1e-12, 'bidirectional with states');
    const without = lw.model({ inputs: biModel.inputs.slice(0, 1), outputs: biModel.layers[biModel.layers.length - 1].apply(biModel.inputs[0]) as SymbolicTensor });
    expect(Array.from((without.predict(data()[0]) as lw.Tensor).dataSync())).not.toEqual(Array.from(got.dataSync()));
  });

  it('gradients of the weights and of all four states match finite differences (float64)', () => {
    const x = lw.input({ shape: [T, F] });
    const probes = Array.from({ length: 4 }, (_, i) => probedInput([B, U], 20 + i));
    const out = lw.layers.bidirectional({ layer: lw.layers.lstm({ units: U }), mergeMode: 'sum' }).apply(x, { initialState: probes.map((p) => p[1]) }) as SymbolicTensor;
    const m = lw.model({ inputs: [x, ...probes.map((p) => p[0])], outputs: out });
    expect(checkModelGradients(m, [rand([B, T, F], 3), ...probes.map((p) => p[2])], rand([B, U], 4))).toBeGreaterThan(4 * B * U);
  });

  it('eagerly on tensors: what the model predicts', () => {
    const { biModel } = models(true);
    const bi = biModel.layers.find((l) => l.className === 'Bidirectional')!;
    const [x, ...s] = data();
    expect(Array.from((bi.apply(x, { initialState: s }) as lw.Tensor).dataSync())).toEqual(Array.from((biModel.predict(data()) as lw.Tensor).dataSync()));
    const dense = lw.layers.dense({ units: 2 });
    const y = dense.apply(lw.tensor([[1, 2, 3]])) as lw.Tensor;
    expect(y.shape).toEqual([1, 2]);
    const [k, b] = dense.getWeights().map((t) => t.dataSync());
    expectClose(y.dataSync(), Float64Array.from([0, 1].map((j) => k[j] + 2 * k[2 + j] + 3 * k[4 + j] + b[j])), 1e-6, 1e-6, 'eager dense');
  });

  it('saves and loads; a wrong number of states is named', async () => {
    const { biModel } = models(false);
    const loaded = await lw.loadModel(biModel.toArtifacts());
    expect(Array.from((loaded.predict(data()) as lw.Tensor).dataSync())).toEqual(Array.from((biModel.predict(data()) as lw.Tensor).dataSync()));
    const x = lw.input({ shape: [T, F] });
    const s = lw.input({ shape: [U] });
    expect(() => lw.layers.bidirectional({ layer: lw.layers.lstm({ units: U }) }).apply(x, { initialState: [s, s] })).toThrow(/takes 4 initial states \(2 for each direction/);
  });
});

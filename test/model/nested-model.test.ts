// Models used as layers (Keras, TF.js): a functional model or a Sequential applied inside another
// model (functional API, sequential, timeDistributed). Forward against the same layers applied
// flat (js float64), finite-difference gradients through it, training the outer model trains the
// inner one's weights (the same Weight objects, moved between parameter blocks), masks, summary,
// parameter counts, save/load round trips and errors naming the model.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { currentBackend } from '../../ts/runtime/ready.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, probedInput } from '../helpers/layer-checks.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';

const rand = (shape: number[], seed: number, scale = 1) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
const sym = (t: unknown) => t as SymbolicTensor;
const syms = (t: unknown) => t as SymbolicTensor[];
const list = (p: lw.Tensor | lw.Tensor[]) => (Array.isArray(p) ? p : [p]);
const flat = (p: lw.Tensor | lw.Tensor[]) => list(p).flatMap((t) => Array.from(t.dataSync()));
const weightValues = (m: { getWeights(): lw.Tensor[] }) => m.getWeights().map((t) => Array.from(t.dataSync()));
/** Tolerance of references built from float32 readouts (predict, getWeights) of float64 (js) values. */
const F32 = 1e-6;
/** The same objects in the same order. */
const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** x [n, in] · kernel [in, out] + bias (float64), the reference for a linear Dense layer. */
function denseRef(x: lw.Tensor, kernel: lw.Tensor, bias: lw.Tensor): number[] {
  const [n, inDim] = x.shape;
  const out = kernel.shape[1];
  const xv = x.dataSync();
  const k = kernel.dataSync();
  const b = bias.dataSync();
  const y: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < out; j++) {
      let s = b[j];
      for (let i = 0; i < inDim; i++) s += xv[r * inDim + i] * k[i * out + j];
      y.push(s);
    }
  }
  return y;
}

/** input [5, 3] → LSTM(4, sequences) → TimeDistributed(Dense(2, tanh)): the encoder used below. */
function encoder(name = 'encoder'): lw.LayersModel {
  const inp = lw.input({ shape: [5, 3], name: `${name}_in` });
  const h = lw.layers.lstm({ units: 4, returnSequences: true }).apply(inp);
  return lw.model({ inputs: inp, outputs: sym(lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 2, activation: 'tanh' }) }).apply(sym(h))), name });
}

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('a model applied inside another model', () => {
  it('functional API: the outer model equals the same layers applied flat, and lists the inner model as one layer', () => {
    lw.setSeed(1);
    const inner = encoder('enc_flat');
    const x = lw.input({ shape: [5, 3] });
    const head = lw.layers.lstm({ units: 3 });
    const out = lw.layers.dense({ units: 1 });
    const outer = lw.model({ inputs: x, outputs: sym(out.apply(sym(head.apply(sym(inner.apply(x)))))) });
    expect(outer.layers.map((l) => l.name)).toEqual([x.node.layer.name, 'enc_flat', head.name, out.name]);
    expect(outer.getLayer('enc_flat')).toBe(inner);

    const plain = lw.sequential([
      lw.layers.lstm({ units: 4, returnSequences: true, inputShape: [5, 3] }),
      lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 2, activation: 'tanh' }) }),
      lw.layers.lstm({ units: 3 }),
      lw.layers.dense({ units: 1 }),
    ]);
    plain.setWeights(outer.getWeights());
    const data = rand([4, 5, 3], 2);
    const y = outer.predict(data) as lw.Tensor;
    expect(y.shape).toEqual([4, 1]);
    expectClose(y.dataSync(), (plain.predict(data) as lw.Tensor).dataSync(), 1e-12, 1e-12, 'nested vs flat');
  });

  it('a multi-input, multi-output model: outputs as its own predict gives them, heads on top of them', () => {
    lw.setSeed(2);
    const a = lw.input({ shape: [4], name: 'mi_a' });
    const b = lw.input({ shape: [3], name: 'mi_b' });
    const ha = lw.layers.dense({ units: 2, activation: 'tanh' }).apply(a);
    const hb = lw.layers.dense({ units: 2, activation: 'relu' }).apply(b);
    const joined = lw.layers.concatenate([sym(ha), sym(hb)]);
    const inner = lw.model({ inputs: [a, b], outputs: [sym(lw.layers.dense({ units: 3 }).apply(joined)), sym(hb)], name: 'two_by_two' });

    const x1 = lw.input({ shape: [4] });
    const x2 = lw.input({ shape: [3] });
    const [o1, o2] = syms(inner.apply([x1, x2]));
    expect([o1.shape, o2.shape]).toEqual([[null, 3], [null, 2]]);
    const head = lw.layers.dense({ units: 2 });
    const outer = lw.model({ inputs: [x1, x2], outputs: [sym(head.apply(o1)), o2] });
    const d1 = rand([5, 4], 3);
    const d2 = rand([5, 3], 4);
    const [got1, got2] = list(outer.predict([d1, d2]));
    const [want1, want2] = list(inner.predict([d1, d2]));
    expectClose(got2.dataSync(), want2.dataSync(), 1e-12, 1e-12, 'second output');
    const [k, bias] = head.getWeights();
    expectClose(got1.dataSync(), denseRef(want1, k, bias), F32, F32, 'head on the first output');
  });

  it('sequential({ layers: [inner, ...] }), seq.add(inner), a Sequential inside a Sequential, and one without an input shape', () => {
    lw.setSeed(3);
    const inner = encoder('enc_seq');
    const outer = lw.sequential({ layers: [inner, lw.layers.flatten(), lw.layers.dense({ units: 2 })] });
    expect(outer.outputShape).toEqual([null, 2]);
    const added = lw.sequential();
    added.add(inner);
    added.add(lw.layers.lstm({ units: 2 }));
    expect(added.outputShape).toEqual([null, 2]);
    expect(added.layers[0]).toBe(inner);

    // A Sequential without an input shape inside another: both graphs are made from the data.
    const innerSeq = lw.sequential([lw.layers.dense({ units: 3, activation: 'tanh' }), lw.layers.dense({ units: 2 })]);
    const outerSeq = lw.sequential([innerSeq, lw.layers.dense({ units: 1 })]);
    const data = rand([6, 4], 5);
    const y = outerSeq.predict(data) as lw.Tensor;
    expect(innerSeq.inputs[0].shape).toEqual([null, 4]);
    const [k, b] = outerSeq.layers[1].getWeights();
    expectClose(y.dataSync(), denseRef(innerSeq.predict(data) as lw.Tensor, k, b), F32, F32, 'sequential in sequential');
    expectLwErrorSync(() => outerSeq.add(outerSeq), 'BAD_ARGUMENT', /cannot contain itself/);
  });

  it('the same model applied twice shares its weights: counted once, one row per application in the summary', () => {
    lw.setSeed(4);
    const inner = encoder('enc_shared');
    const x1 = lw.input({ shape: [5, 3] });
    const x2 = lw.input({ shape: [5, 3] });
    const joined = lw.layers.concatenate([sym(inner.apply(x1)), sym(inner.apply(x2))]);
    const out = lw.layers.dense({ units: 1 });
    const outer = lw.model({ inputs: [x1, x2], outputs: sym(out.apply(sym(lw.layers.flatten().apply(joined)))), name: 'shared_outer' });
    expect(outer.weights.length).toBe(inner.weights.length + 2);
    expect(outer.countParams()).toBe(inner.countParams() + out.countParams());
    const lines: string[] = [];
    outer.summary(100, (l) => lines.push(l));
    const rows = lines.filter((l) => l.startsWith('enc_shared (Model)'));
    expect(rows.length).toBe(2);
    expect(rows[0]).toMatch(new RegExp(`\\[None, 5, 2\\]\\s+${inner.countParams()}$`));
    expect(lines.join('\n')).toContain(`Total params: ${outer.countParams().toLocaleString('en-US')}`);
    // The same data through both applications gives the same halves of every step.
    const d = rand([3, 5, 3], 6);
    const [k, b] = out.getWeights();
    const enc = (inner.predict(d) as lw.Tensor).dataSync();
    const half = (r: number, t: number) => Array.from(enc.slice(r * 10 + t * 2, r * 10 + t * 2 + 2));
    const steps = Array.from({ length: 3 }, (_, r) => Array.from({ length: 5 }, (_, t) => [...half(r, t), ...half(r, t)]).flat());
    expectClose(flat(outer.predict([d, d])), denseRef(lw.tensor(steps), k, b), F32, F32, 'shared encoder');
  });

  it('timeDistributed({ layer: inner }) applies the model to every step', () => {
    lw.setSeed(5);
    const i = lw.input({ shape: [3], name: 'step_in' });
    const stepModel = lw.model({ inputs: i, outputs: sym(lw.layers.dense({ units: 2, activation: 'sigmoid' }).apply(sym(lw.layers.dense({ units: 4, activation: 'tanh' }).apply(i)))), name: 'per_step' });
    const td = lw.layers.timeDistributed({ layer: stepModel, inputShape: [6, 3] });
    const outer = lw.sequential([td]);
    expect(outer.outputShape).toEqual([null, 6, 2]);
    expect(same(td.weights, stepModel.weights)).toBe(true);
    // The weights keep the model's layer names (TF.js): they were named when those layers were built.
    expect(outer.weights.map((w) => w.path)).toEqual(stepModel.weights.map((w) => w.path));
    const d = rand([2, 6, 3], 7);
    const perStep = stepModel.predict(d.reshape([12, 3])) as lw.Tensor;
    expectClose((outer.predict(d) as lw.Tensor).dataSync(), perStep.dataSync(), 1e-12, 1e-12, 'timeDistributed(model)');
  });
});

describe('gradients through a nested model (finite differences, js float64)', () => {
  it('weights of the inner and outer layers, and the gradient reaching the layer before the model', () => {
    lw.setSeed(6);
    const [inp, probed, zeros] = probedInput([2, 4, 3], 8);
    const inner = encoder2();
    const out = lw.layers.dense({ units: 2, activation: 'tanh' }).apply(sym(lw.layers.flatten().apply(sym(inner.apply(probed)))));
    const m = lw.model({ inputs: inp, outputs: sym(out) });
    // probe 24 + LSTM 3·12 + 3·12 + 12 + dense 3·2 + 2 + head (4·2)·2 + 2
    expect(checkModelGradients(m, zeros, rand([2, 2], 9))).toBe(24 + 84 + 8 + 18);
  });

  it('a model applied twice and inside timeDistributed', () => {
    lw.setSeed(7);
    const [inA, pa, za] = probedInput([2, 3, 2], 10);
    const [inB, pb, zb] = probedInput([2, 3, 2], 11);
    const s = lw.input({ shape: [2] });
    const stepModel = lw.model({ inputs: s, outputs: sym(lw.layers.dense({ units: 2, activation: 'tanh' }).apply(s)) });
    const td = lw.layers.timeDistributed({ layer: stepModel });
    const joined = lw.layers.concatenate([sym(td.apply(pa)), sym(td.apply(pb))]);
    const out = lw.layers.lstm({ units: 2 }).apply(joined);
    const m = lw.model({ inputs: [inA, inB], outputs: sym(out) });
    expect(checkModelGradients(m, [za, zb], rand([2, 2], 12))).toBe(12 + 12 + 6 + 4 * 8 + 2 * 8 + 8);
  });

  /** input [4, 3] → LSTM(3, sequences) → Dense(2): a small encoder for gradient checks. */
  function encoder2(): lw.LayersModel {
    const i = lw.input({ shape: [4, 3] });
    const h = lw.layers.lstm({ units: 3, returnSequences: true }).apply(i);
    return lw.model({ inputs: i, outputs: sym(lw.layers.dense({ units: 2 }).apply(sym(h))) });
  }
});

describe('training the outer model trains the inner one', () => {
  it('fit updates the inner weights, which inner.predict then uses (the inner model ran alone first)', async () => {
    lw.setSeed(8);
    const inner = encoder('enc_train');
    const d = rand([8, 5, 3], 13);
    const before = flat(inner.predict(d)); // the inner model's own parameter block, first
    const outer = lw.sequential([inner, lw.layers.flatten(), lw.layers.dense({ units: 1 })]);
    outer.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    const initial = weightValues(inner);
    await outer.fit(d, rand([8, 1], 14), { epochs: 3, batchSize: 4, verbose: 0, seed: 1 });
    const after = weightValues(inner);
    expect(after).not.toEqual(initial);
    // The outer model holds the same Weight objects.
    expect(same(outer.weights.slice(0, inner.weights.length), inner.weights)).toBe(true);
    const again = flat(inner.predict(d));
    expect(again).not.toEqual(before);
    // inner.predict runs the trained weights: the same as an unrelated copy given them.
    const copy = encoder('enc_copy');
    copy.setWeights(inner.getWeights());
    expectClose(again, flat(copy.predict(d)), F32, F32, 'inner after outer training');
  });

  it('alternating inner.predict with outer steps trains the same weights as outer steps alone (Adam state kept)', async () => {
    const run = (interleave: boolean) => {
      lw.setSeed(9);
      const inner = encoder('enc_alt');
      const outer = lw.sequential([inner, lw.layers.flatten(), lw.layers.dense({ units: 1 })]);
      outer.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
      const x = rand([4, 5, 3], 15);
      const y = rand([4, 1], 16);
      for (let s = 0; s < 3; s++) {
        outer.trainOnBatch(x, y);
        if (interleave) inner.predict(x);
      }
      return weightValues(outer);
    };
    expect(run(true)).toEqual(run(false));
  });

  it('the inner model trained alone afterwards: the outer model then predicts with its new weights', async () => {
    lw.setSeed(10);
    const i = lw.input({ shape: [3] });
    const inner = lw.model({ inputs: i, outputs: sym(lw.layers.dense({ units: 2 }).apply(i)) });
    const outer = lw.sequential([inner, lw.layers.dense({ units: 1 })]);
    const x = rand([6, 3], 17);
    outer.predict(x);
    inner.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await inner.fit(x, rand([6, 2], 18), { epochs: 2, verbose: 0 });
    const [k, b] = outer.layers[1].getWeights();
    expectClose(flat(outer.predict(x)), denseRef(inner.predict(x) as lw.Tensor, k, b), F32, F32, 'outer after inner training');
  });

  it('a frozen inner model keeps its weights while the layers around it train', () => {
    lw.setSeed(11);
    const inner = encoder('enc_frozen');
    inner.trainable = false;
    expect(inner.layers.every((l) => !l.trainable)).toBe(true);
    const head = lw.layers.dense({ units: 1 });
    const outer = lw.sequential([inner, lw.layers.flatten(), head]);
    expect(outer.trainableWeights.map((w) => w.path)).toEqual(head.weights.map((w) => w.path));
    outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const frozen = weightValues(inner);
    const h0 = weightValues(head);
    outer.trainOnBatch(rand([4, 5, 3], 19), rand([4, 1], 20));
    expect(weightValues(inner)).toEqual(frozen);
    expect(weightValues(head)).not.toEqual(h0);
    inner.trainable = true;
    expect(inner.layers.every((l) => l.trainable)).toBe(true);
    outer.trainOnBatch(rand([4, 5, 3], 19), rand([4, 1], 20));
    expect(weightValues(inner)).not.toEqual(frozen);
  });

  it('weights that moved between parameter blocks survive memory growth (simd), and an abandoned block is given back', async () => {
    await lw.ready({ backend: 'simd' });
    try {
      lw.setSeed(12);
      const inner = encoder('enc_grow');
      const x = rand([3, 5, 3], 21);
      const heap = currentBackend().heap;
      const used0 = heap.usedBytes;
      const alone = flat(inner.predict(x));
      const outer = lw.sequential([inner, lw.layers.flatten(), lw.layers.dense({ units: 1 })]);
      outer.predict(x);
      // The inner model's block was freed when its weights moved: only the outer block remains.
      expect(heap.usedBytes - used0).toBe(2 * outer.params().totalFloats * currentBackend().floatBytes);
      const bytes = currentBackend().memory.buffer.byteLength;
      const big = lw.sequential([lw.layers.dense({ units: 2048, inputShape: [2048] })]);
      big.predict(rand([1, 2048], 22));
      expect(currentBackend().memory.buffer.byteLength).toBeGreaterThan(bytes);
      big.dispose();
      expect(flat(inner.predict(x))).toEqual(alone);
      outer.dispose();
      inner.dispose();
    } finally {
      await lw.ready({ backend: 'js' });
    }
  });
});

describe('masks through a nested model', () => {
  it('an input mask flows into the inner model and its output mask flows out, as with the layers flat', () => {
    lw.setSeed(13);
    const i = lw.input({ shape: [6, 4] });
    const inner = lw.model({ inputs: i, outputs: sym(lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 3 }) }).apply(sym(lw.layers.gru({ units: 4, returnSequences: true }).apply(i)))), name: 'masked_inner' });
    const ids = lw.input({ shape: [6] });
    const emb = lw.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true });
    const last = lw.layers.lstm({ units: 2 });
    const outer = lw.model({ inputs: ids, outputs: sym(last.apply(sym(inner.apply(sym(emb.apply(ids)))))) });
    const plain = lw.sequential([
      lw.layers.embedding({ inputDim: 9, outputDim: 4, maskZero: true, inputShape: [6] }),
      lw.layers.gru({ units: 4, returnSequences: true }),
      lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 3 }) }),
      lw.layers.lstm({ units: 2 }),
    ]);
    plain.setWeights(outer.getWeights());
    const x = lw.tensor([[1, 2, 3, 0, 0, 0], [4, 5, 6, 7, 8, 1], [0, 0, 2, 3, 0, 0]]);
    expectClose(flat(outer.predict(x)), flat(plain.predict(x)), 1e-12, 1e-12, 'masked nested vs flat');
    // Without the mask the padded rows differ: the mask mattered.
    const unmasked = lw.sequential([
      lw.layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [6] }),
      lw.layers.gru({ units: 4, returnSequences: true }),
      lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 3 }) }),
      lw.layers.lstm({ units: 2 }),
    ]);
    unmasked.setWeights(outer.getWeights());
    expect(flat(unmasked.predict(x))).not.toEqual(flat(outer.predict(x)));
    // The inner model's computeMask: its sequence output keeps the given mask.
    const mask = lw.tensor([[1, 1, 0, 0, 0, 0]]);
    expect(Array.from((inner.computeMask(rand([1, 6, 4], 23), mask) as lw.Tensor).dataSync())).toEqual([1, 1, 0, 0, 0, 0]);
  });
});

describe('errors name the model', () => {
  it('the wrong number of inputs, a wrong shape, a model input that is not an lw.input', () => {
    const inner = encoder('enc_errors');
    expectLwErrorSync(() => inner.apply([lw.input({ shape: [5, 3] }), lw.input({ shape: [5, 3] })]), 'SHAPE_MISMATCH', /model "enc_errors" \(Model\) takes 1 input \("enc_errors_in" \[None, 5, 3\]\), got 2/);
    expectLwErrorSync(() => inner.apply(lw.input({ shape: [5, 4] })), 'SHAPE_MISMATCH', /model "enc_errors" \(Model\) input 0 \("enc_errors_in"\) must be \[None, 5, 3\], got \[None, 5, 4\]/);
    expectLwErrorSync(() => inner.apply(lw.input({ shape: [3] })), 'SHAPE_MISMATCH', /enc_errors.*must be \[None, 5, 3\]/);
    expectLwErrorSync(() => lw.sequential([lw.layers.dense({ units: 2, inputShape: [4] }), inner]), 'SHAPE_MISMATCH', /model "enc_errors"/);
    expectLwErrorSync(() => inner.apply(lw.input({ shape: [5, 3] }), { initialState: lw.input({ shape: [4] }) } as never), 'BAD_ARGUMENT', /enc_errors.*unknown option "initialState"/);
    const a = lw.input({ shape: [2] });
    const b = lw.input({ shape: [2] });
    const two = lw.model({ inputs: [a, b], outputs: sym(lw.layers.concatenate([a, b])), name: 'two_in' });
    expectLwErrorSync(() => lw.sequential([lw.layers.dense({ units: 2, inputShape: [3] }), two]), 'SHAPE_MISMATCH', /model "two_in" \(Model\) takes 2 inputs/);
  });

  it('a model cannot end up inside itself; a layer that does not fit is not kept; unknown model options', () => {
    const a = lw.sequential({ layers: [lw.layers.dense({ units: 2, inputShape: [2] })], name: 'loop_a' });
    const b = lw.sequential({ layers: [a], name: 'loop_b' });
    expectLwErrorSync(() => a.add(b), 'BAD_ARGUMENT', /model "loop_a" cannot contain itself \(through "loop_b" → "loop_a"\)/);
    expect(a.layers.length).toBe(1);
    expect(flat(a.predict(rand([2, 2], 24)))).toHaveLength(4);
    expectLwErrorSync(() => a.add(encoder('enc_misfit')), 'SHAPE_MISMATCH', /enc_misfit/);
    expect(a.layers.length).toBe(1);
    expectLwErrorSync(() => lw.sequential({ layers: [], nmae: 'x' } as never), 'BAD_ARGUMENT', /lw.sequential: unknown option "nmae"/);
    const i = lw.input({ shape: [2] });
    expectLwErrorSync(() => lw.model({ inputs: i, outputs: i, output: i } as never), 'BAD_ARGUMENT', /lw.model: unknown option "output"/);
  });

  it('ids reaching an Embedding inside a nested model are checked before the first step (also inside timeDistributed)', async () => {
    const ids = lw.input({ shape: [4], name: 'nested_ids' });
    const inner = lw.model({ inputs: ids, outputs: sym(lw.layers.embedding({ inputDim: 5, outputDim: 2, name: 'inner_table' }).apply(ids)), name: 'table_model' });
    const x = lw.input({ shape: [4], name: 'outer_ids' });
    const outer = lw.model({ inputs: x, outputs: sym(inner.apply(x)) });
    outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const bad = lw.tensor([[1, 2, 3, 4], [0, 1, 7, 2]]);
    const y = lw.tensor(new Float32Array(16), [2, 4, 2]);
    expectLwErrorSync(() => outer.trainOnBatch(bad, y), 'ID_OUT_OF_RANGE', /input "outer_ids".*"inner_table" \(Embedding\)/);
    await expect(outer.fit(bad, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/inner_table/);
    // Per step, the ids come from a reshape of the input, checked at the forward.
    const perStep = lw.sequential([lw.layers.timeDistributed({ layer: inner, inputShape: [3, 4] })]);
    expectLwErrorSync(() => perStep.predict(lw.tensor([[[1, 2, 3, 4], [0, 1, 2, 3], [4, 4, 9, 0]]])), 'ID_OUT_OF_RANGE', /inner_table/);
  });

  it('model names are unique like layer names (Keras)', () => {
    const a = lw.sequential([lw.layers.dense({ units: 1, inputShape: [2] })]);
    const b = lw.sequential([lw.layers.dense({ units: 1, inputShape: [2] })]);
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^sequential(_\d+)?$/);
    const i = lw.input({ shape: [1] });
    const [m1, m2] = [lw.model({ inputs: i, outputs: i }), lw.model({ inputs: i, outputs: i })];
    expect(m1.name).toMatch(/^model(_\d+)?$/);
    expect(m2.name).not.toBe(m1.name);
  });
});

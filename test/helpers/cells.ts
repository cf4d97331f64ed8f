// User-written recurrent cells for the lw.layers.rnn tests: the fused layers' cells in Keras
// layout (so their weights can be copied), and cells the kernels do not have.
import * as lw from '../../ts/index.js';
import type { AddWeight, StepOps, StepTensor } from '../../ts/layers/index.js';
import type { Shape } from '../../ts/engine/shape.js';

type W = Record<string, StepTensor>;
const features = (shape: Shape) => shape[shape.length - 1] as number;

/** Keras LSTM: gates i, f, c, o; kernel [I, 4U], recurrent_kernel [U, 4U], bias [4U]; states [h, c]. */
export class LSTMCell extends lw.layers.RNNCell {
  readonly stateSize: number[];
  constructor(readonly units: number, args: { name?: string } = {}) {
    super(args);
    this.stateSize = [units, units];
  }
  override build(shape: Shape, addWeight: AddWeight) {
    const U = this.units;
    addWeight('kernel', [features(shape), 4 * U]);
    addWeight('recurrent_kernel', [U, 4 * U], 'orthogonal');
    addWeight('bias', [4 * U], 'zeros');
  }
  call(ops: StepOps, x: StepTensor, [h, c]: StepTensor[], w: W) {
    const z = ops.add(ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel)), w.bias);
    const [i, f, g, o] = ops.split(z, 4);
    const c2 = ops.add(ops.mul(ops.sigmoid(f), c), ops.mul(ops.sigmoid(i), ops.tanh(g)));
    const h2 = ops.mul(ops.sigmoid(o), ops.tanh(c2));
    return { output: h2, states: [h2, c2] };
  }
}

/** Keras GRU with reset_after (Keras 3's default): gates z, r, h; bias [2, 3U] (input row, recurrent row). */
export class GRUCell extends lw.layers.RNNCell {
  readonly stateSize: number;
  constructor(readonly units: number) {
    super();
    this.stateSize = units;
  }
  override build(shape: Shape, addWeight: AddWeight) {
    const U = this.units;
    addWeight('kernel', [features(shape), 3 * U]);
    addWeight('recurrent_kernel', [U, 3 * U], 'orthogonal');
    addWeight('bias', [2, 3 * U], 'zeros');
  }
  call(ops: StepOps, x: StepTensor, [h]: StepTensor[], w: W) {
    const [bIn, bRec] = ops.split(w.bias, 2, 0);
    const [xz, xr, xh] = ops.split(ops.add(ops.matMul(x, w.kernel), bIn), 3);
    const [hz, hr, hh] = ops.split(ops.add(ops.matMul(h, w.recurrent_kernel), bRec), 3);
    const z = ops.sigmoid(ops.add(xz, hz));
    const r = ops.sigmoid(ops.add(xr, hr));
    const n = ops.tanh(ops.add(xh, ops.mul(r, hh)));
    const h2 = ops.add(ops.mul(z, h), ops.mul(ops.sub(1, z), n));
    return { output: h2, states: [h2] };
  }
}

/** Keras SimpleRNN: h = tanh(x·kernel + h·recurrent_kernel + bias), as a plain object. */
export function simpleCell(units: number) {
  return {
    stateSize: units,
    name: 'simple_cell',
    build(shape: Shape, addWeight: AddWeight) {
      addWeight('kernel', [features(shape), units]);
      addWeight('recurrent_kernel', [units, units], 'orthogonal');
      addWeight('bias', [units], 'zeros');
    },
    call(ops: StepOps, x: StepTensor, [h]: StepTensor[], w: W) {
      const h2 = ops.tanh(ops.add(ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel)), w.bias));
      return { output: h2, states: [h2] };
    },
  };
}

/**
 * LSTM with peepholes (Gers & Schmidhuber): the gates also see the cell state through diagonal
 * weights peephole [3, U] (rows for i, f, o), broadcast over the batch; gates cut with slice.
 */
export class PeepholeLSTMCell extends lw.layers.RNNCell {
  readonly stateSize: number[];
  constructor(readonly units: number) {
    super();
    this.stateSize = [units, units];
  }
  override build(shape: Shape, addWeight: AddWeight) {
    const U = this.units;
    addWeight('kernel', [features(shape), 4 * U]);
    addWeight('recurrent_kernel', [U, 4 * U], 'orthogonal');
    addWeight('peephole', [3, U], 'glorotUniform');
    addWeight('bias', [4 * U], 'randomUniform');
  }
  call(ops: StepOps, x: StepTensor, [h, c]: StepTensor[], w: W) {
    const U = this.units;
    const z = ops.add(ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel)), w.bias);
    const [pi, pf, po] = ops.split(w.peephole, 3, 0);
    const gate = (k: number) => ops.slice(z, k * U, U);
    const i = ops.sigmoid(ops.add(gate(0), ops.mul(c, pi)));
    const f = ops.sigmoid(ops.add(gate(1), ops.mul(pf, c)));
    const c2 = ops.add(ops.mul(f, c), ops.mul(i, ops.tanh(gate(2))));
    const o = ops.hardSigmoid(ops.add(gate(3), ops.mul(c2, po)));
    const h2 = ops.mul(o, ops.tanh(c2));
    return { output: h2, states: [h2, c2] };
  }
}

/**
 * Minimal gated unit (Zhou et al. 2016): one forget gate f = σ([x, h]·Wf + bf) over the joined
 * input and state, h' = (1 - f)·h + f·tanh(x·Wx + (f·h)·Uh + b).
 */
export class MGUCell extends lw.layers.RNNCell {
  readonly stateSize: number;
  constructor(readonly units: number, args: { name?: string } = {}) {
    super(args);
    this.stateSize = units;
  }
  override build(shape: Shape, addWeight: AddWeight) {
    const U = this.units;
    addWeight('forget_kernel', [features(shape) + U, U]);
    addWeight('forget_bias', [U], 'ones');
    addWeight('kernel', [features(shape), U]);
    addWeight('recurrent_kernel', [U, U], 'orthogonal');
    addWeight('bias', [U], 'zeros');
  }
  call(ops: StepOps, x: StepTensor, [h]: StepTensor[], w: W) {
    const f = ops.sigmoid(ops.add(ops.matMul(ops.concat([x, h]), w.forget_kernel), w.forget_bias));
    const n = ops.tanh(ops.add(ops.add(ops.matMul(x, w.kernel), ops.matMul(ops.mul(f, h), w.recurrent_kernel)), w.bias));
    const h2 = ops.add(ops.mul(ops.sub(1, f), h), ops.mul(f, n));
    return { output: h2, states: [h2] };
  }
}

/**
 * IndRNN (Li et al. 2018): each unit recurs on itself only, h' = relu(x·Wᵀ + u⊙h + b); the kernel
 * is stored [U, I] and used transposed, and the output is scaled (outputSize = units).
 */
export class IndRNNCell extends lw.layers.RNNCell {
  readonly stateSize: number;
  constructor(readonly units: number, args: { name?: string } = {}) {
    super(args);
    this.stateSize = units;
  }
  override build(shape: Shape, addWeight: AddWeight) {
    addWeight('kernel', [this.units, features(shape)]);
    addWeight('recurrent_weight', [this.units], 'randomUniform');
    addWeight('bias', [this.units], 'randomUniform');
  }
  call(ops: StepOps, x: StepTensor, [h]: StepTensor[], w: W) {
    const h2 = ops.relu(ops.add(ops.add(ops.matMul(x, w.kernel, false, true), ops.mul(w.recurrent_weight, h)), w.bias));
    return { output: ops.mul(h2, 0.5), states: [h2] };
  }
}

// The ONNX nodes that become layers (besides the recurrent ones): Gather of an initializer by ids →
// Embedding, Gemm and MatMul (+ Add) → Dense, Relu / Tanh / Sigmoid / Softmax → Activation, Concat of
// data on the last axis → Concatenate, and a recurrent output's last step or one direction's Y_h.
import type { SymbolicTensor } from '../../engine/layer.js';
import { Activation } from '../../layers/activation.js';
import { Concatenate } from '../../layers/concatenate.js';
import { Embedding } from '../../layers/embedding.js';
import { asTensor, denseOf } from './materialize.js';
import type { OnnxNode } from './node.js';
import type { WeightWrites } from './recurrent.js';
import { scalarInt, stateAxis, unsupported, type ConstValue, type StatesValue, type TensorValue, type Value } from './values.js';

const floatConst = (v: Value | undefined): v is ConstValue => v?.kind === 'const' && v.data.kind === 'float';

/** Gather of data: ids into a table (Embedding), the last time step of a recurrent Y, one Y_h. */
export function gatherData(node: OnnxNode, data: Value | undefined, indices: Value | undefined, writes: WeightWrites): Value {
  node.allowOnly(['axis']);
  const axis = node.int('axis', 0);
  if (floatConst(data) && data.data.dims.length === 2 && axis === 0) {
    const ids = asTensor(indices, node, writes);
    const [V, E] = data.data.dims;
    const layer = new Embedding({ inputDim: V, outputDim: E });
    const t = layer.apply(ids.t) as SymbolicTensor;
    writes.push([layer.weights[0], data.data.values as Float32Array]);
    return { kind: 'tensor', t, timeFirst: ids.timeFirst };
  }
  const at = scalarInt(indices);
  const scalar = indices?.kind === 'const' && indices.data.dims.length === 0;
  if (data?.kind === 'sequence' && scalar && at === -1 && data.rnn.directions === 1) {
    const timeAxis = data.layout === 'tbf' ? 0 : data.layout === 'btf' ? 1 : -1;
    // With sequence_lens, Y's last step is zero for a shorter sample: not the final state.
    if (axis === timeAxis && data.rnn.hasLengths) throw unsupported(node, `takes the last step of Y of node "${data.rnn.node.name}", whose sequence_lens make it zero for shorter samples: lstm-wasm maps Y_h (each sample's last valid step) or every step`);
    if (axis === timeAxis) return { kind: 'tensor', t: data.rnn.finalState(0, node), timeFirst: false };
  }
  if (data?.kind === 'states' && scalar && typeof at === 'number' && axis === stateAxis(data)) return stateAt(node, data, at);
  if (data?.kind === 'sequence' && data.rnn.directions === 2) throw unsupported(node, `takes one step of a bidirectional Y (node "${data.rnn.node.name}"): its backward half there is not the backward final state; lstm-wasm maps h_n (Y_h) or every step`);
  throw unsupported(node, 'gathers from something lstm-wasm maps only as an Embedding table (an initializer [V, E] on axis 0), the last step (index -1) of a recurrent Y, or one entry of Y_h');
}

/** Entry `at` of stacked Y_h (a negative index counts from the end, as torch's h_n[-1]). */
export function stateAt(node: OnnxNode, states: StatesValue, at: number): TensorValue {
  const n = states.items.length, k = at < 0 ? at + n : at;
  if (k < 0 || k >= n) throw unsupported(node, `takes state ${at} of ${n}`);
  const { rnn, direction } = states.items[k];
  return { kind: 'tensor', t: rnn.finalState(direction, node), timeFirst: false };
}

/** Gemm(A, B, C) with A data [batch, in]: a Dense of kernel alpha·B (transposed with transB) and bias beta·C. */
export function gemmOp(node: OnnxNode, a: Value | undefined, b: Value | undefined, c: Value | undefined, writes: WeightWrites): Value {
  node.allowOnly(['alpha', 'beta', 'transA', 'transB']);
  if (node.int('transA', 0) !== 0) throw unsupported(node, 'has transA = 1 (the data transposed)', { attribute: 'transA' });
  const x = asTensor(a, node, writes);
  if (!floatConst(b) || b.data.dims.length !== 2) throw unsupported(node, 'multiplies by something other than a constant matrix');
  if (x.t.shape.length !== 2) throw unsupported(node, `multiplies data of rank ${x.t.shape.length}; Gemm takes [batch, features]`);
  const alpha = node.float('alpha', 1), beta = node.float('beta', 1);
  const [rows, cols] = b.data.dims, m = b.data.values as Float32Array;
  const transB = node.int('transB', 0) !== 0;
  const [inputs, units] = transB ? [cols, rows] : [rows, cols];
  const kernel = new Float32Array(inputs * units);
  for (let i = 0; i < inputs; i++) for (let u = 0; u < units; u++) kernel[i * units + u] = alpha * (transB ? m[u * cols + i] : m[i * cols + u]);
  let bias: Float32Array | null = null;
  if (c) {
    if (!floatConst(c) || c.data.values.length !== units || c.data.dims.some((d, i) => d !== 1 && i !== c.data.dims.length - 1)) throw unsupported(node, `adds C that is not a constant row of ${units}`);
    bias = (c.data.values as Float32Array).map((v) => beta * v);
  }
  return denseOf({ kind: 'linear', x, kernel: { kind: 'const', data: { dims: [inputs, units], kind: 'float', values: kernel } }, node }, bias, writes);
}

export function matMulOp(node: OnnxNode, a: Value | undefined, b: Value | undefined, writes: WeightWrites): Value {
  node.allowOnly([]);
  const x = asTensor(a, node, writes);
  if (!floatConst(b) || b.data.dims.length !== 2) throw unsupported(node, 'multiplies data by something other than a constant matrix (on the right)');
  return { kind: 'linear', x, kernel: b, node };
}

/** Add of a constant row to a MatMul: the Dense's bias. */
export function addOp(node: OnnxNode, a: Value | undefined, b: Value | undefined, writes: WeightWrites): Value {
  node.allowOnly([]);
  const [lin, bias] = a?.kind === 'linear' ? [a, b] : b?.kind === 'linear' ? [b, a] : [null, null];
  if (lin && floatConst(bias) && bias.data.values.length === lin.kernel.data.dims[1] && bias.data.dims.every((d, i) => d === 1 || i === bias.data.dims.length - 1)) {
    return denseOf(lin, bias.data.values as Float32Array, writes);
  }
  throw unsupported(node, 'adds something other than a constant bias row to a MatMul');
}

const ACTIVATION_OPS: Record<string, string> = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid', Softmax: 'softmax' };
export const isActivationOp = (op: string) => op in ACTIVATION_OPS;

export function activationOp(node: OnnxNode, x: Value | undefined, opset: number, writes: WeightWrites): Value {
  node.allowOnly(node.opType === 'Softmax' ? ['axis'] : []);
  const data = asTensor(x, node, writes);
  if (node.opType === 'Softmax') {
    const rank = data.t.shape.length;
    const axis = node.int('axis', opset >= 13 ? -1 : 1);
    // Before opset 13 Softmax flattens from `axis` on: the same as the last axis only when that is the only one after it.
    if ((axis !== -1 && axis !== rank - 1) || (opset < 13 && axis !== rank - 1 && rank !== 2)) throw unsupported(node, `has axis ${axis} on rank ${rank}: lstm-wasm's softmax is over the last axis`, { attribute: 'axis' });
  }
  const t = new Activation({ activation: ACTIVATION_OPS[node.opType] }).apply(data.t) as SymbolicTensor;
  return { kind: 'tensor', t, timeFirst: data.timeFirst };
}

/** Concat of data on its last axis (torch.cat of h_n's directions, of features). */
export function concatData(node: OnnxNode, inputs: (Value | undefined)[], writes: WeightWrites, axisGiven?: number): Value {
  const xs = inputs.map((v) => asTensor(v, node, writes));
  const rank = xs[0].t.shape.length, axis = axisGiven ?? node.int('axis', 0);
  if ((axis !== -1 && axis !== rank - 1) || xs.some((x) => x.t.shape.length !== rank || x.timeFirst !== xs[0].timeFirst) || rank < 2) {
    throw unsupported(node, `concatenates data on axis ${axis}: lstm-wasm maps the last axis`, { attribute: 'axis' });
  }
  if (xs.length === 1) return xs[0];
  const t = new Concatenate({ axis: -1 }).apply(xs.map((x) => x.t)) as SymbolicTensor;
  return { kind: 'tensor', t, timeFirst: xs[0].timeFirst };
}

/** Y_h [B, D, H] (batch first) reshaped to [B, D·H]: the directions' final states concatenated. */
export function reshapeStates(node: OnnxNode, states: StatesValue, writes: WeightWrites): Value {
  const xs = states.items.map((_, k) => stateAt(node, states, k));
  return xs.length === 1 ? xs[0] : concatData(node, xs, writes, -1);
}

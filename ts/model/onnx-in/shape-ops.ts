// The shape glue torch writes around recurrent operators, followed symbolically: Shape, Gather, Unsqueeze,
// Squeeze, Concat, Slice, ConstantOfShape, Expand, Transpose, Reshape, Cast, Identity, Constant. Data
// passes through them only in the layouts a recurrent operator's input and outputs take.
import type { TensorData } from '../../io/onnx/tensor-data.js';
import type { OnnxNode } from './node.js';
import { intsOf, isZeros, scalarInt, stateAxis, unsupported, type Dim, type StatesValue, type Value } from './values.js';

/** The node's axes: an input (opset 13+) or the attribute `axes` (before). */
function axesOf(node: OnnxNode, input: Value | undefined): number[] | null {
  const a = input ? intsOf(input) : node.ints('axes') ?? null;
  if (a && a.every((d): d is number => typeof d === 'number')) return a;
  return null;
}

/** The ONNX dims of a data value, batch and time as names. */
function shapeOf(v: Value): Dim[] | null {
  if (v.kind === 'tensor') {
    const lw: Dim[] = v.t.shape.map((d, i) => (i === 0 ? 'batch' : d ?? (i === 1 ? 'time' : 'unknown')));
    return v.timeFirst ? [lw[1], lw[0], ...lw.slice(2)] : lw;
  }
  if (v.kind === 'sequence') {
    const H = v.rnn.units, D = v.rnn.directions;
    return { tdbh: ['time', D, 'batch', H], tbdh: ['time', 'batch', D, H], tbf: ['time', 'batch', D * H], btf: ['batch', 'time', D * H], btdh: ['batch', 'time', D, H] }[v.layout] as Dim[];
  }
  if (v.kind === 'states') return v.items[0].rnn.layout === 0 ? [v.items.length, 'batch', v.items[0].rnn.units] : ['batch', v.items.length, v.items[0].rnn.units];
  return null;
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const ints = (values: number[]): TensorData => ({ dims: [values.length], kind: 'int', values });

export function constantOp(node: OnnxNode): Value {
  node.allowOnly(['value', 'value_float', 'value_floats', 'value_int', 'value_ints']);
  const t = node.tensor('value');
  if (t) return { kind: 'const', data: t };
  if (node.has('value_int')) return { kind: 'const', data: { dims: [], kind: 'int', values: [node.int('value_int', 0)] } };
  if (node.has('value_ints')) return { kind: 'const', data: ints(node.ints('value_ints')!) };
  if (node.has('value_float')) return { kind: 'const', data: { dims: [], kind: 'float', values: Float32Array.of(node.float('value_float', 0)) } };
  throw unsupported(node, 'has no value lstm-wasm reads (value, value_float, value_int, value_ints)');
}

export function shapeOp(node: OnnxNode, x: Value | undefined): Value {
  node.allowOnly([]);
  const dims = x && (x.kind === 'const' ? x.data.dims : shapeOf(x));
  if (!dims) throw unsupported(node, 'takes the shape of something lstm-wasm does not follow');
  return { kind: 'dims', dims: [...dims], scalar: false };
}

/** Gather on shapes (an entry of a Shape), or on a constant: others are data (see gatherData). */
export function gatherDims(node: OnnxNode, data: Value, indices: Value | undefined): Value | null {
  const list = intsOf(data);
  const at = scalarInt(indices);
  if (!list || data.kind === 'const' && data.data.dims.length !== 1) return null;
  if (typeof at !== 'number' || node.int('axis', 0) !== 0) throw unsupported(node, 'gathers shape entries by a computed index');
  const k = at < 0 ? at + list.length : at;
  if (k < 0 || k >= list.length) throw unsupported(node, `gathers entry ${at} of ${list.length}`);
  const scalar = indices?.kind === 'const' && indices.data.dims.length === 0;
  return { kind: 'dims', dims: [list[k]], scalar };
}

export function unsqueezeOp(node: OnnxNode, x: Value | undefined, axes: Value | undefined): Value {
  node.allowOnly(['axes']);
  const a = axesOf(node, axes);
  if (x?.kind === 'dims' && x.scalar && a && same(a, [0])) return { kind: 'dims', dims: x.dims, scalar: false };
  if (x?.kind === 'const' && x.data.kind === 'int' && x.data.dims.length === 0 && a && same(a, [0])) return { kind: 'dims', dims: [...(x.data.values as number[])], scalar: false };
  if (isZeros(x)) return { kind: 'zeros' };
  throw unsupported(node, 'unsqueezes something other than a shape entry');
}

export function squeezeOp(node: OnnxNode, x: Value | undefined, axes: Value | undefined): Value | null {
  node.allowOnly(['axes']);
  const a = axesOf(node, axes);
  if (x?.kind === 'sequence' && x.layout === 'tdbh' && x.rnn.directions === 1 && a && same(a, [1])) return { kind: 'sequence', rnn: x.rnn, layout: 'tbf' };
  if (x?.kind === 'states' && x.items.length === 1 && a && same(a, [stateAxis(x)])) return null; // one direction's state: the caller makes it
  if (isZeros(x)) return { kind: 'zeros' };
  throw unsupported(node, `squeezes axes ${a ? `[${a.join(', ')}]` : '(all)'} of something lstm-wasm maps only as Y [T, 1, B, H] on axis 1 or Y_h [1, B, H] on axis 0`);
}

export function concatOp(node: OnnxNode, inputs: (Value | undefined)[]): Value | null {
  const axis = node.int('axis', 0);
  if (inputs.every((v) => v && intsOf(v)) && axis === 0) return { kind: 'dims', dims: inputs.flatMap((v) => intsOf(v)!), scalar: false };
  const states = inputs.filter((v): v is StatesValue => v?.kind === 'states');
  if (states.length === inputs.length && states.every((v) => stateAxis(v) === axis)) return { kind: 'states', items: states.flatMap((v) => v.items) };
  return null; // data: Concatenate
}

export function constantOfShapeOp(node: OnnxNode, shape: Value | undefined): Value {
  node.allowOnly(['value']);
  const value = node.tensor('value');
  if (value && Array.prototype.some.call(value.values, (v: number) => v !== 0)) throw unsupported(node, 'fills with a value other than 0', { attribute: 'value' });
  if (!intsOf(shape)) throw unsupported(node, 'takes its shape from something lstm-wasm does not follow');
  return { kind: 'zeros' };
}

/** Slice of zeros is zeros; of shapes, a constant range of entries. */
export function sliceOp(node: OnnxNode, inputs: (Value | undefined)[]): Value {
  node.allowOnly([]);
  const [x] = inputs;
  if (isZeros(x)) return { kind: 'zeros' };
  const list = intsOf(x);
  const [starts, ends, axes, steps] = inputs.slice(1).map((v) => intsOf(v));
  const plain = (d: Dim[] | null, v: number) => d === null || (d.length === 1 && d[0] === v);
  if (list && x?.kind !== 'const' && starts?.length === 1 && ends?.length === 1 && plain(axes, 0) && plain(steps, 1) && typeof starts[0] === 'number' && typeof ends[0] === 'number') {
    const n = list.length, clamp = (k: number) => Math.max(0, Math.min(n, k < 0 ? k + n : k));
    return { kind: 'dims', dims: list.slice(clamp(starts[0]), clamp(ends[0])), scalar: false };
  }
  // x[:, ::-1] over every step (start -1 or past the end, end before 0, step -1): the steps reversed.
  if (x?.kind === 'tensor' && !x.reversed && starts?.length === 1 && ends?.length === 1 && steps?.length === 1 && steps[0] === -1) {
    const timeAxis = x.timeFirst ? 0 : 1;
    const axis = axes ? axes[0] : 0;
    const T = x.t.shape[1];
    const fromEnd = starts[0] === -1 || (typeof starts[0] === 'number' && typeof T === 'number' && starts[0] >= T - 1);
    const toStart = typeof ends[0] === 'number' && ends[0] <= -(2 ** 31);
    if ((axis === timeAxis || axis === timeAxis - x.t.shape.length) && fromEnd && toStart && x.t.shape.length === 3) return { ...x, reversed: true };
  }
  throw unsupported(node, 'slices something lstm-wasm maps only when it is zeros, a shape, or every step of data reversed (a recurrent X)');
}

export function expandOp(node: OnnxNode, x: Value | undefined): Value {
  node.allowOnly([]);
  if (isZeros(x)) return { kind: 'zeros' };
  throw unsupported(node, 'expands something other than zeros');
}

/** Transpose between the layouts recurrent operators read and write. */
export function transposeOp(node: OnnxNode, x: Value | undefined): Value {
  node.allowOnly(['perm']);
  const perm = node.ints('perm');
  const swap01 = perm !== undefined && same(perm, [1, 0, 2]);
  if (x?.kind === 'tensor' && swap01 && x.t.shape.length === 3) return { ...x, timeFirst: !x.timeFirst };
  if (x?.kind === 'states' && swap01 && stateAxis(x) === 0) return { ...x, batchFirst: true };
  if (x?.kind === 'sequence') {
    if (x.layout === 'tdbh' && perm && same(perm, [0, 2, 1, 3])) return { ...x, layout: 'tbdh' };
    if (x.layout === 'tdbh' && perm && same(perm, [2, 0, 1, 3])) return { ...x, layout: 'btdh' };
    if (x.layout === 'tbf' && swap01) return { ...x, layout: 'btf' };
    if (x.layout === 'btf' && swap01) return { ...x, layout: 'tbf' };
  }
  throw unsupported(node, `has perm [${perm?.join(', ') ?? 'reversed'}] on a tensor lstm-wasm maps only as batch ⇄ time ([1, 0, 2]) or Y's [0, 2, 1, 3]`, { attribute: 'perm' });
}

/**
 * Reshape of Y [T, B, D, H] to [T, B, D·H] (or [B, T, D, H] to [B, T, D·H]): the directions
 * concatenated. Null for batch-first Y_h [B, D, H] → [B, D·H] (layer-ops' reshapeStates).
 */
export function reshapeOp(node: OnnxNode, x: Value | undefined, shape: Value | undefined): Value | null {
  node.allowOnly(['allowzero']);
  const to = intsOf(shape);
  const keeps = (d: Dim | undefined, name: Dim, size: number | null) => d === 0 || d === name || (size !== null && d === size);
  if (x?.kind === 'sequence' && (x.layout === 'tbdh' || x.layout === 'btdh') && to && to.length === 3 && node.int('allowzero', 0) === 0) {
    const DH = x.rnn.directions * x.rnn.units;
    const [t, b] = x.layout === 'tbdh' ? [to[0], to[1]] : [to[1], to[0]];
    // One of the first two may be -1 when the last is D·H.
    const inferred = (d: Dim | undefined) => d === -1 && to[2] === DH;
    const ok = (keeps(t, 'time', x.rnn.steps) || inferred(t)) && (keeps(b, 'batch', null) || inferred(b)) && (to[2] === -1 || to[2] === DH) && !(inferred(t) && inferred(b));
    if (ok) return { kind: 'sequence', rnn: x.rnn, layout: x.layout === 'tbdh' ? 'tbf' : 'btf' };
  }
  if (x?.kind === 'states' && stateAxis(x) === 1 && to && to.length === 2 && node.int('allowzero', 0) === 0) {
    const DH = x.items.length * x.items[0].rnn.units;
    if ((keeps(to[0], 'batch', null) && (to[1] === -1 || to[1] === DH)) || (to[0] === -1 && to[1] === DH)) return null;
  }
  throw unsupported(node, 'reshapes something lstm-wasm maps only as a recurrent Y [T, B, D, H] → [T, B, D·H] (or batch first), or Y_h [B, D, H] → [B, D·H]');
}

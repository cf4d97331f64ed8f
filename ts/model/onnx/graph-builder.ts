// An ONNX graph under construction: nodes with unique tensor names, constant tensors (little-endian
// raw_data), value infos. Knows ONNX, not layers.
import { LwError } from '../../errors.js';
import { ONNX_DTYPE, type OnnxAttributeProto, type OnnxDim, type OnnxNodeProto, type OnnxTensorProto, type OnnxValueInfoProto } from '../../io/onnx/proto.js';

/** An attribute: a whole number is INT; `{ f }` FLOAT, a string STRING, `{ ints }`, `{ floats }`, `{ strings }` lists. */
export type AttrValue = number | string | { f: number } | { ints: number[] } | { floats: number[] } | { strings: string[] };

export type ElemType = keyof typeof ONNX_DTYPE;

/** A tensor in the graph being written: its ONNX name, rank (with the batch) and mask ([batch, time] float). */
export interface Exported {
  name: string;
  rank: number;
  mask?: string;
}

/** Typed arrays are written as they lie in memory, which is ONNX's byte order only on little-endian hosts. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function attribute(name: string, v: AttrValue): OnnxAttributeProto {
  const text = (s: string) => new TextEncoder().encode(s);
  if (typeof v === 'number') return { name, type: 'INT', i: v };
  if (typeof v === 'string') return { name, type: 'STRING', s: text(v) };
  if ('f' in v) return { name, type: 'FLOAT', f: v.f };
  if ('ints' in v) return { name, type: 'INTS', ints: v.ints };
  if ('floats' in v) return { name, type: 'FLOATS', floats: v.floats };
  return { name, type: 'STRINGS', strings: v.strings.map(text) };
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNodeProto[] = [];
  readonly initializers: OnnxTensorProto[] = [];
  private readonly taken = new Set<string>();
  /** Constants made from a layer's weights, by layer and purpose: a layer applied twice shares them. */
  private readonly weightConstants = new WeakMap<object, Map<string, string>>();

  /** @param opset the default-domain opset, which decides how reductions and Split take their arguments */
  constructor(readonly opset: number) {
    if (!LITTLE_ENDIAN) throw new LwError('UNSUPPORTED', 'ONNX export writes tensors in memory order, which is little-endian only: this host is big-endian');
  }

  /** `base`, or `base_1`, `base_2`... if taken; ONNX names every tensor once. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** Adds one node; returns its `outputs` output names (made from `base`). '' as an input means absent. */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base = op.toLowerCase(), outputs = 1): string[] {
    const out = Array.from({ length: outputs }, (_, i) => this.uniqueName(outputs === 1 ? base : `${base}_out${i}`));
    this.nodes.push({
      input: inputs, output: out, name: this.uniqueName(`${base}/${op}`), op_type: op,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** One node with one output. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, base = op.toLowerCase()): string {
    return this.node(op, inputs, attrs, base)[0];
  }

  /** ReduceMean / ReduceMax / ReduceProd / ReduceSum over `axes`: axes an input from opset 18 (ReduceSum: 13). */
  reduce(op: 'ReduceMean' | 'ReduceMax' | 'ReduceProd' | 'ReduceSum', x: string, axes: number[], keepdims: boolean, base: string): string {
    const keep = { keepdims: keepdims ? 1 : 0 };
    if (op === 'ReduceSum' || this.opset >= 18) return this.op(op, [x, this.int64s(`${base}/axes`, axes)], keep, base);
    return this.op(op, [x], { axes: { ints: axes }, ...keep }, base);
  }

  /** `x` split into two equal halves along `axis` (opset 18 asks for the count). */
  halves(x: string, axis: number, base: string): string[] {
    return this.node('Split', [x], { axis, ...(this.opset >= 18 ? { num_outputs: 2 } : {}) }, base, 2);
  }

  /** The constant `make` gives for `owner`'s `purpose`, made once per graph. */
  shared(owner: object, purpose: string, make: () => string): string {
    let made = this.weightConstants.get(owner);
    if (!made) this.weightConstants.set(owner, (made = new Map()));
    let name = made.get(purpose);
    if (name === undefined) made.set(purpose, (name = make()));
    return name;
  }

  /** A float32 constant of shape `dims`. */
  floats(base: string, dims: readonly number[], data: Float32Array): string {
    return this.constant(base, dims, ONNX_DTYPE.float, data);
  }

  /** An int64 vector (shapes, axes, slice bounds). */
  int64s(base: string, values: readonly (number | bigint)[]): string {
    return this.constant(base, [values.length], ONNX_DTYPE.int64, BigInt64Array.from(values, (v) => BigInt(v)));
  }

  /** An int32 scalar (compared with ids). */
  int32Scalar(base: string, value: number): string {
    return this.constant(base, [], ONNX_DTYPE.int32, Int32Array.of(value));
  }

  private constant(base: string, dims: readonly number[], dataType: number, data: Float32Array | Int32Array | BigInt64Array): string {
    const name = this.uniqueName(base);
    const raw_data = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    this.initializers.push({ name, dims: [...dims], data_type: dataType, raw_data });
    return name;
  }
}

/** A graph input's or output's value info; null dimensions get the names `dimNames` gives them. */
export function valueInfo(name: string, type: ElemType, shape: readonly (number | null)[], dimName: (axis: number) => string): OnnxValueInfoProto {
  const dim: OnnxDim[] = shape.map((d, axis) => (d === null ? { dim_param: dimName(axis) } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: ONNX_DTYPE[type], shape: { dim } } } };
}

import { LwError, fmtShape } from './errors.js';

export type DType = 'float32' | 'int32';
export type TypedData = Float32Array | Int32Array;
/** Nested arrays of numbers of any depth. */
export type NestedArray = number | NestedArray[];
export type TensorLike = Tensor | NestedArray | TypedData | number[];

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * An n-dimensional array in JS memory (row-major). Immutable by convention; nothing to dispose.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  private readonly values: TypedData;

  constructor(values: TypedData, shape: readonly number[]) {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new LwError('SHAPE_MISMATCH', `bad shape ${fmtShape(shape)}: dimensions must be whole numbers >= 0`);
    }
    const size = sizeOf(shape);
    if (size !== values.length) {
      throw new LwError('SHAPE_MISMATCH', `shape ${fmtShape(shape)} needs ${size} values, got ${values.length}`, { shape, length: values.length });
    }
    this.values = values;
    this.shape = Object.freeze([...shape]);
    this.dtype = values instanceof Int32Array ? 'int32' : 'float32';
    this.size = size;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The values, row-major (the tensor's own storage: do not modify). */
  dataSync(): TypedData {
    return this.values;
  }

  async data(): Promise<TypedData> {
    return this.values;
  }

  /** Nested arrays (TF.js: `arraySync`). */
  arraySync(): NestedArray {
    if (this.shape.length === 0) return this.values[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      if (dim === this.shape.length - 1) return Array.from(this.values.subarray(offset, offset + n));
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: n }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** Nested arrays; async as in TF.js. */
  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /** Same values, new shape (one dimension may be -1). */
  reshape(shape: readonly number[]): Tensor {
    const known = shape.filter((d) => d !== -1);
    const fill = shape.length - known.length;
    if (fill > 1) throw new LwError('SHAPE_MISMATCH', `reshape to ${fmtShape(shape)}: only one dimension may be -1`);
    const resolved = fill ? shape.map((d) => (d === -1 ? this.size / sizeOf(known) : d)) : shape;
    if (sizeOf(resolved) !== this.size || resolved.some((d) => !Number.isInteger(d))) {
      throw new LwError('SHAPE_MISMATCH', `cannot reshape ${fmtShape(this.shape)} (${this.size} values) to ${fmtShape(shape)}`);
    }
    return new Tensor(this.values, resolved);
  }

  toString(): string {
    return `Tensor ${this.dtype} ${fmtShape(this.shape)}`;
  }
}

/** Infers the shape of nested arrays, rejecting ragged ones. */
function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flatten(values: NestedArray, shape: number[], out: number[], dim: number, path: number[]): void {
  if (dim === shape.length) {
    if (typeof values !== 'number') {
      throw new LwError('DTYPE', `value at [${path.join(', ')}] is ${Array.isArray(values) ? 'an array' : typeof values}, expected a number (ragged nested arrays? pad them with lw.data.padSequences)`);
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim]) {
    throw new LwError(
      'SHAPE_MISMATCH',
      `ragged nested array: at [${path.join(', ')}] expected ${shape[dim]} items, got ${Array.isArray(values) ? values.length : typeof values}`,
      { path },
    );
  }
  for (let i = 0; i < values.length; i++) flatten(values[i], shape, out, dim + 1, [...path, i]);
}

/**
 * Makes a tensor from nested arrays, a typed array, or a flat array with a shape.
 * `lw.tensor([[1, 2], [3, 4]])`, `lw.tensor(new Float32Array(6), [2, 3])`, `lw.tensor([1, 2], [2], 'int32')`.
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  if (values instanceof Tensor) {
    const t = shape ? values.reshape(shape) : values;
    return dtype && dtype !== t.dtype ? cast(t, dtype) : t;
  }
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') {
    throw new LwError('DTYPE', `unknown dtype "${String(dtype)}": use "float32" or "int32"`);
  }
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (values instanceof Float32Array || values instanceof Int32Array) {
    flat = values;
    inferred = [values.length];
  } else if (ArrayBuffer.isView(values)) {
    throw new LwError('DTYPE', `typed array ${values.constructor.name} is not supported: use Float32Array or Int32Array`);
  } else if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values);
    const out: number[] = [];
    flatten(values, inferred, out, 0, []);
    flat = out;
  } else {
    throw new LwError('DTYPE', `cannot make a tensor from ${typeof values}`);
  }
  const finalShape = shape ? [...shape] : inferred;
  const dt: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const data = dt === 'int32' ? toInt32(flat) : flat instanceof Float32Array ? flat : Float32Array.from(flat);
  return new Tensor(data, finalShape);
}

function toInt32(flat: ArrayLike<number>): Int32Array {
  if (flat instanceof Int32Array) return flat;
  const out = new Int32Array(flat.length);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (!Number.isInteger(v)) throw new LwError('DTYPE', `int32 tensor: value ${v} at index ${i} is not a whole number`);
    out[i] = v;
  }
  return out;
}

function cast(t: Tensor, dtype: DType): Tensor {
  const d = t.dataSync();
  return new Tensor(dtype === 'int32' ? toInt32(d) : Float32Array.from(d), t.shape);
}

import { LwError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { ShapedArray } from '../model/data.js';

/** Typed arrays whose rows are single elements. */
export type TypedArrayLike =
  | Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;

/**
 * Data made of rows along its first dimension: a tensor, a typed array with a shape, a 1-D typed array
 * (one element per row) or a plain array (one item per row: numbers, strings, nested arrays, objects).
 */
export type RowData = Tensor | ShapedArray | TypedArrayLike | readonly unknown[];

export function isShapedArray(v: unknown): v is ShapedArray {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Tensor) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && keys.includes('data') && keys.includes('shape') && ArrayBuffer.isView((v as ShapedArray).data);
}

export function isRowData(v: unknown): v is RowData {
  return v instanceof Tensor || Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)) || isShapedArray(v);
}

/** How many rows (first dimension); `what` names the argument in errors. */
export function rowCount(data: RowData, what: string): number {
  if (data instanceof Tensor || isShapedArray(data)) {
    const shape = data.shape;
    if (shape.length === 0) throw new LwError('SHAPE_MISMATCH', `${what}: a scalar has no rows`);
    return shape[0];
  }
  if (Array.isArray(data) || ArrayBuffer.isView(data)) return (data as ArrayLike<unknown>).length;
  throw new LwError('DTYPE', `${what}: expected a Tensor, an array or a typed array, got ${data === null ? 'null' : typeof data}`);
}

function checkIndices(idx: ArrayLike<number>, n: number, what: string): void {
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j];
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new LwError('ID_OUT_OF_RANGE', `${what}: index ${i} at position ${j} is not a row of data with ${n} rows`, { position: j, index: i, rows: n });
    }
  }
}

function takeFlat<A extends TypedArrayLike>(values: A, rowSize: number, idx: ArrayLike<number>): A {
  const Ctor = values.constructor as new (n: number) => A;
  const out = new Ctor(idx.length * rowSize);
  if (rowSize === 1) {
    for (let j = 0; j < idx.length; j++) out[j] = values[idx[j]];
  } else {
    for (let j = 0; j < idx.length; j++) out.set(values.subarray(idx[j] * rowSize, (idx[j] + 1) * rowSize), j * rowSize);
  }
  return out;
}

/**
 * The rows `idx` of `data` (in that order, repeats allowed), as the same kind of value: a tensor of the
 * same dtype, a typed array of the same type, or a plain array (items are shared, not copied).
 * An index outside [0, rows) throws ID_OUT_OF_RANGE.
 */
export function takeRows<T extends RowData>(data: T, idx: ArrayLike<number>): T;
export function takeRows(data: RowData, idx: ArrayLike<number>): RowData {
  const n = rowCount(data, 'takeRows');
  checkIndices(idx, n, 'takeRows');
  if (data instanceof Tensor || isShapedArray(data)) {
    const values = data instanceof Tensor ? data.dataSync() : data.data;
    const shape = data.shape;
    const rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
    if (values.length !== n * rowSize) {
      throw new LwError('SHAPE_MISMATCH', `takeRows: shape ${fmtShape(shape)} needs ${n * rowSize} values, got ${values.length}`);
    }
    const out = takeFlat(values, rowSize, idx);
    const outShape = [idx.length, ...shape.slice(1)];
    return data instanceof Tensor ? new Tensor(out, outShape) : { data: out, shape: outShape };
  }
  if (Array.isArray(data)) return Array.from(idx, (i) => data[i]);
  return takeFlat(data as TypedArrayLike, 1, idx);
}

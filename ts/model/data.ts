// What fit, predict and evaluate take as data (tensors, nested arrays, typed arrays, by input name) and its
// normalisation to one float32 tensor per model input or output.
import { LwError } from '../errors.js';
import { Tensor, tensor, type TensorLike } from '../tensor.js';

/** A typed array with its shape: `{ data: Float32Array, shape: [n, 50] }`. */
export interface ShapedArray {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** One tensor's worth of data: a tensor, nested arrays, a typed array (1-D) or a typed array with a shape. */
export type DataLike = TensorLike | ShapedArray;

/** What fit/predict/evaluate take: one input's data, or a list / a record by input name. */
export type ModelData = DataLike | DataLike[] | Record<string, DataLike>;

function isShaped(v: unknown): v is ShapedArray {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 2 && keys.includes('data') && keys.includes('shape') && ArrayBuffer.isView((v as ShapedArray).data);
}

const isTensorLike = (v: unknown) => v instanceof Tensor || ArrayBuffer.isView(v) || typeof v === 'number' || isShaped(v);

function toTensor(v: DataLike): Tensor {
  return isShaped(v) ? tensor(v.data, v.shape) : tensor(v);
}

/**
 * Normalises model data to one float32 tensor per model input (or output), in model order.
 * A plain nested array is one tensor unless the model has several inputs and it has exactly
 * that many entries that are each arrays/tensors.
 */
export function toTensorList(data: ModelData, count: number, what: string, names: string[]): Tensor[] {
  if (data === undefined || data === null) throw new LwError('BAD_ARGUMENT', `${what} is missing`);
  let list: DataLike[];
  if (isTensorLike(data)) list = [data as DataLike];
  else if (Array.isArray(data)) {
    // [t1, t2] for several inputs, or [t] (TF.js style) for one: a list when its items are tensors.
    const looksLikeList = data.length === count && (count > 1 ? data.every((d) => isTensorLike(d) || Array.isArray(d)) : isTensorLike(data[0]) && typeof data[0] !== 'number');
    // A list of tensors is a list even when its length is wrong: report that length, not 1.
    const tensorList = count > 1 && data.length > 0 && data.every((d) => isTensorLike(d) && typeof d !== 'number');
    list = looksLikeList || tensorList ? (data as DataLike[]) : [data as TensorLike];
  } else if (typeof data === 'object') {
    const rec = data as Record<string, DataLike>;
    const unknown = Object.keys(rec).filter((k) => !names.includes(k));
    if (unknown.length) throw new LwError('BAD_ARGUMENT', `${what}: no input/output named ${unknown.map((u) => `"${u}"`).join(', ')}; names are ${names.join(', ')}`);
    list = names.map((n) => {
      if (!(n in rec)) throw new LwError('BAD_ARGUMENT', `${what}: missing data for "${n}"`);
      return rec[n];
    });
  } else throw new LwError('DTYPE', `${what}: cannot use ${typeof data} as data`);
  if (list.length !== count) {
    throw new LwError('SHAPE_MISMATCH', `${what}: the model has ${count} ${count === 1 ? 'tensor' : 'tensors'} here (${names.join(', ')}), got ${list.length}`);
  }
  return list.map((d, i) => {
    const t = toTensor(d);
    const f = t.dtype === 'float32' ? t : tensor(Float32Array.from(t.dataSync()), t.shape);
    if (f.rank === 0) throw new LwError('SHAPE_MISMATCH', `${what} "${names[i]}": a scalar is not a batch of samples`);
    return f.rank === 1 ? f.reshape([f.shape[0], 1]) : f;
  });
}

import { LwError } from '../errors.js';
import { Tensor, tensor, type TensorLike } from '../tensor.js';

/** What fit/predict/evaluate take: one input's data, or a list / a record by input name. */
export type ModelData = TensorLike | TensorLike[] | Record<string, TensorLike>;

const isTensorLike = (v: unknown) => v instanceof Tensor || ArrayBuffer.isView(v) || typeof v === 'number';

/**
 * Normalises model data to one float32 tensor per model input (or output), in model order.
 * A plain nested array is one tensor unless the model has several inputs and it has exactly
 * that many entries that are each arrays/tensors.
 */
export function toTensorList(data: ModelData, count: number, what: string, names: string[]): Tensor[] {
  if (data === undefined || data === null) throw new LwError('BAD_ARGUMENT', `${what} is missing`);
  let list: TensorLike[];
  if (isTensorLike(data)) list = [data as TensorLike];
  else if (Array.isArray(data)) {
    const looksLikeList = count > 1 && data.length === count && data.every((d) => d instanceof Tensor || ArrayBuffer.isView(d) || Array.isArray(d));
    list = looksLikeList ? (data as TensorLike[]) : [data as TensorLike];
  } else if (typeof data === 'object') {
    const rec = data as Record<string, TensorLike>;
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
    const t = tensor(d);
    const f = t.dtype === 'float32' ? t : tensor(Float32Array.from(t.dataSync()), t.shape);
    if (f.rank === 0) throw new LwError('SHAPE_MISMATCH', `${what} "${names[i]}": a scalar is not a batch of samples`);
    return f.rank === 1 ? f.reshape([f.shape[0], 1]) : f;
  });
}

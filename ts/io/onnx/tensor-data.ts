// A TensorProto's values, checked before anything is allocated: the dims must be whole numbers whose
// product fits the bytes the file really holds (raw_data or the typed lists), so a tensor declaring
// 10^12 floats in a 1 KB file is BAD_MODEL_FILE, not an allocation.
import { LwError } from '../../errors.js';

/** TensorProto as decoded (protobufjs toObject: int64 as numbers, bytes as Uint8Array, enums as names). */
export interface DecodedTensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  data_location?: string;
  external_data?: unknown[];
}

/** A tensor's values: floats as Float32Array, integer types as plain numbers (int64 exact below 2^53). */
export interface TensorData {
  dims: number[];
  /** 'float' for FLOAT and DOUBLE, 'int' for INT32, INT64 and BOOL. */
  kind: 'float' | 'int';
  values: Float32Array | number[];
}

const DTYPES: Record<number, { kind: 'float' | 'int'; bytes: number; name: string }> = {
  1: { kind: 'float', bytes: 4, name: 'FLOAT' },
  6: { kind: 'int', bytes: 4, name: 'INT32' },
  7: { kind: 'int', bytes: 8, name: 'INT64' },
  9: { kind: 'int', bytes: 1, name: 'BOOL' },
  11: { kind: 'float', bytes: 8, name: 'DOUBLE' },
};

const bad = (what: string, message: string) => new LwError('BAD_MODEL_FILE', `${what}: ${message}`, { tensor: what });

/** The element count of `dims`, refusing negative, fractional or overflowing dims. */
export function elementCount(dims: readonly number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw bad(what, `dimension ${d} is not a size`);
    n *= d;
    if (n > 2 ** 32) throw bad(what, `declares ${fmtDims(dims)}: more values than any file lstm-wasm reads`);
  }
  return n;
}

const fmtDims = (dims: readonly number[]) => `[${dims.join(', ')}]`;

/** The values of `t` (`what` names it in errors). */
export function tensorData(t: DecodedTensor, what: string): TensorData {
  const dims = t.dims ?? [];
  const type = DTYPES[t.data_type ?? 0];
  if (!type) throw new LwError('UNSUPPORTED', `${what} has data type ${t.data_type}: lstm-wasm reads FLOAT, DOUBLE, INT32, INT64 and BOOL tensors`, { tensor: what });
  if (t.data_location === 'EXTERNAL' || (t.external_data?.length ?? 0) > 0) {
    throw new LwError('UNSUPPORTED', `${what} keeps its values in an external file: save the model with its weights inside (onnx.save_model(m, path, save_as_external_data=False))`, { tensor: what });
  }
  const n = elementCount(dims, what);
  const raw = t.raw_data && t.raw_data.length > 0 ? t.raw_data : null;
  if (raw) {
    if (raw.length !== n * type.bytes) throw bad(what, `declares ${fmtDims(dims)} ${type.name} (${n * type.bytes} bytes) but holds ${raw.length} bytes`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type.kind === 'float') {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = type.bytes === 4 ? view.getFloat32(4 * i, true) : view.getFloat64(8 * i, true);
      return { dims, kind: 'float', values: out };
    }
    const out: number[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = type.bytes === 8 ? Number(view.getBigInt64(8 * i, true)) : type.bytes === 4 ? view.getInt32(4 * i, true) : view.getUint8(i);
    return { dims, kind: 'int', values: out };
  }
  const list = type.name === 'FLOAT' ? t.float_data : type.name === 'DOUBLE' ? t.double_data : type.name === 'INT64' ? t.int64_data : t.int32_data;
  const values = list ?? [];
  if (values.length !== n) throw bad(what, `declares ${fmtDims(dims)} (${n} values) but holds ${values.length}`);
  return { dims, kind: type.kind, values: type.kind === 'float' ? Float32Array.from(values) : values.map(Number) };
}

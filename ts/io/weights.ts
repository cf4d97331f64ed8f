// The TF.js weights manifest: specs ({name, shape, dtype, group?, quantization?}) describing one
// little-endian byte buffer, weights back to back in spec order.
import { LwError } from '../errors.js';
import { badFile, describe, isObject, own } from './json.js';

export interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** 'optimizer' for optimizer state (TF.js keeps it apart from the model's weights). */
  group?: string;
  quantization?: Quantization;
}

/** One group of the manifest in model.json: the files holding the bytes of its weights. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface NamedWeight {
  name: string;
  shape: readonly number[];
  values: Float32Array;
  group?: string;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

/** Bytes a spec takes in the buffer. */
function specBytes(spec: WeightSpec): number {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  return n * BYTES[spec.quantization?.dtype ?? spec.dtype];
}

/** Specs and one buffer for the weights, float32, in the given order. */
export function encodeWeights(weights: NamedWeight[]): { specs: WeightSpec[]; data: ArrayBuffer } {
  if (!LITTLE_ENDIAN) throw new LwError('UNSUPPORTED', 'saving models needs a little-endian platform');
  const total = weights.reduce((a, w) => a + w.values.length * 4, 0);
  const bytes = new Uint8Array(total);
  const specs: WeightSpec[] = [];
  let offset = 0;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.values.buffer, w.values.byteOffset, w.values.byteLength), offset);
    offset += w.values.byteLength;
    const spec: WeightSpec = { name: w.name, shape: [...w.shape], dtype: 'float32' };
    if (w.group) spec.group = w.group;
    specs.push(spec);
  }
  return { specs, data: bytes.buffer };
}

/** Checks one spec from a file: a string name, a shape of whole numbers, a dtype we can read. */
export function validateSpec(raw: unknown, where: string): WeightSpec {
  if (!isObject(raw)) throw badFile(`${where} must be an object {name, shape, dtype}, got ${describe(raw)}`);
  const name = own(raw, 'name');
  const shape = own(raw, 'shape');
  const dtype = own(raw, 'dtype') ?? 'float32';
  const group = own(raw, 'group');
  if (typeof name !== 'string' || !name) throw badFile(`${where}: "name" must be a non-empty string, got ${describe(name)}`);
  const label = `${where} "${name}"`;
  const dimsOk = Array.isArray(shape) && shape.length <= 16 && shape.every((d) => Number.isInteger(d) && d >= 0 && d <= 2 ** 31);
  if (!dimsOk) throw badFile(`${label}: "shape" must be a list of whole numbers, got ${describe(shape)}`, { weight: name });
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw badFile(`${label}: dtype "${String(dtype)}" is not supported (float32 or int32)`, { weight: name });
  }
  if (group !== undefined && group !== null && typeof group !== 'string') throw badFile(`${label}: "group" must be a string`, { weight: name });
  const spec: WeightSpec = { name, shape: [...(shape as number[])], dtype };
  if (typeof group === 'string') spec.group = group;
  const q = own(raw, 'quantization');
  if (q !== undefined && q !== null) spec.quantization = validateQuantization(q, label);
  return spec;
}

function validateQuantization(q: unknown, label: string): Quantization {
  if (!isObject(q)) throw badFile(`${label}: "quantization" must be an object`);
  const dtype = own(q, 'dtype');
  if (dtype !== 'uint8' && dtype !== 'uint16' && dtype !== 'float16') {
    throw badFile(`${label}: quantization dtype "${String(dtype)}" is not supported (uint8, uint16, float16)`);
  }
  if (dtype === 'float16') return { dtype };
  const scale = own(q, 'scale');
  const min = own(q, 'min');
  if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min)) {
    throw badFile(`${label}: ${dtype} quantization needs finite "scale" and "min"`);
  }
  return { dtype, scale, min };
}

/** Checks names are unique and the declared bytes equal the bytes there are, before reading any. */
export function checkSpecsAgainstBytes(specs: WeightSpec[], byteLength: number, source: string): void {
  const seen = new Set<string>();
  let declared = 0;
  for (const s of specs) {
    if (seen.has(s.name)) throw badFile(`the weights manifest lists "${s.name}" twice`, { weight: s.name });
    seen.add(s.name);
    declared += specBytes(s);
  }
  if (declared !== byteLength) {
    const hint = declared > byteLength ? ' (truncated or wrong weights file?)' : ' (extra bytes: wrong weights file or manifest?)';
    throw badFile(`${source} has ${byteLength} bytes but the manifest's ${specs.length} weights take ${declared}${hint}`, { declared, actual: byteLength });
  }
}

/** Values of every spec as float32, by name (`bytes` already checked with checkSpecsAgainstBytes). */
export function decodeWeights(specs: WeightSpec[], bytes: Uint8Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    const q = s.quantization;
    if (q?.dtype === 'uint8') for (let i = 0; i < n; i++) v[i] = view.getUint8(offset + i) * q.scale! + q.min!;
    else if (q?.dtype === 'uint16') for (let i = 0; i < n; i++) v[i] = view.getUint16(offset + 2 * i, true) * q.scale! + q.min!;
    else if (q?.dtype === 'float16') for (let i = 0; i < n; i++) v[i] = halfToFloat(view.getUint16(offset + 2 * i, true));
    else if (s.dtype === 'int32') for (let i = 0; i < n; i++) v[i] = view.getInt32(offset + 4 * i, true);
    else if (LITTLE_ENDIAN) v.set(new Float32Array(bytes.slice(offset, offset + 4 * n).buffer));
    else for (let i = 0; i < n; i++) v[i] = view.getFloat32(offset + 4 * i, true);
    offset += specBytes(s);
    out.set(s.name, v);
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Joins byte chunks (TF.js WeightData may be one buffer or a list). */
export function concatBytes(chunks: (ArrayBuffer | Uint8Array)[]): Uint8Array {
  const parts = chunks.map((c) => (c instanceof Uint8Array ? c : new Uint8Array(c)));
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** CRC-32 (IEEE) of bytes: ties a weights file to the model.json written with it. */
export function crc32(bytes: Uint8Array): number {
  let c = ~0;
  const t = crcTable();
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

let table: Int32Array | null = null;
function crcTable(): Int32Array {
  if (table) return table;
  table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

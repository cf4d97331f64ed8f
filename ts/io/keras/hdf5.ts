// HDF5 files from strangers (Keras weights) through jsfive, a pure-JS reader: every call into it is
// wrapped so its exceptions become BAD_MODEL_FILE naming the path, and a dataset is read only after
// its shape is the one the model needs and its byte size fits the bytes actually there.
import type { Dataset as Jsfive5Dataset, Group as Jsfive5Group } from 'jsfive';
import type { KerasParsers } from './load-parsers.js';
import { badFile } from '../json.js';

/** The HDF5 signature; a file may start with a user block of 512 · 2^k bytes before it. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether `bytes` holds an HDF5 file (signature at 0, 512, 1024, 2048, ...). */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + SIGNATURE.length <= bytes.length; at = at ? at * 2 : 512) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

/** Largest output of a deflate stream per input byte: a compressed dataset cannot hold more. */
const MAX_DEFLATE_RATIO = 1032;

/** Runs a jsfive call; anything it throws is BAD_MODEL_FILE naming `what`. */
function guarded<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw badFile(`${what}: the HDF5 data is damaged (${(e as Error)?.message ?? String(e)})`);
  }
}

/** Fixed-length HDF5 strings (Keras 2.0-2.2) come NUL-padded. */
const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\0+$/, '') : v);

export class H5Group {
  private constructor(private readonly g: Jsfive5Group, readonly path: string, private readonly file: H5File) {}

  static root(g: Jsfive5Group, file: H5File): H5Group {
    return new H5Group(g, '/', file);
  }

  /** Names of the members, sorted as HDF5 lists them. */
  keys(): string[] {
    return guarded(this.path, () => [...this.g.keys]);
  }

  /** An attribute's value, strings with padding stripped; undefined when absent. */
  attr(name: string): unknown {
    const attrs = guarded(`${this.path} attributes`, () => {
      this.file.checkAttributeSizes(this.g as unknown as { _dataobjects?: DataObjects }, this.path);
      return this.g.attrs;
    });
    if (!Object.prototype.hasOwnProperty.call(attrs, name)) return undefined;
    const v = attrs[name];
    return Array.isArray(v) ? v.map(text) : text(v);
  }

  /** A string attribute as a list (Keras splits long lists into `name0`, `name1`, ...). */
  stringList(name: string): string[] | undefined {
    let parts: unknown[] | undefined;
    const whole = this.attr(name);
    if (whole !== undefined) parts = [whole];
    else for (let i = 0; this.attr(`${name}${i}`) !== undefined; i++) (parts ??= []).push(this.attr(`${name}${i}`));
    if (!parts) return undefined;
    const out: string[] = [];
    for (const p of parts) {
      const list = typeof p === 'string' ? [p] : p;
      // Keras writes an empty list as an empty float64 array.
      if (!Array.isArray(list) && !ArrayBuffer.isView(list)) throw badFile(`${this.path}: attribute "${name}" must be a list of strings`);
      for (const s of Array.from(list as ArrayLike<unknown>)) {
        if (typeof s !== 'string') throw badFile(`${this.path}: attribute "${name}" must be a list of strings, it holds ${typeof s}`);
        out.push(s);
      }
    }
    return out;
  }

  private child(name: string): Jsfive5Group | Jsfive5Dataset | null {
    if (!this.keys().includes(name.split('/')[0])) return null;
    return guarded(`${this.join(name)}`, () => this.g.get(name));
  }

  private join(name: string): string {
    return this.path === '/' ? `/${name}` : `${this.path}/${name}`;
  }

  group(name: string): H5Group | null {
    const c = this.child(name);
    return c instanceof this.file.jsfive.Group ? new H5Group(c, this.join(name), this.file) : null;
  }

  dataset(name: string): H5Dataset | null {
    const c = this.child(name);
    return c instanceof this.file.jsfive.Dataset ? new H5Dataset(c, this.join(name), this.file) : null;
  }
}

/** Float dtypes a weight may be stored in: jsfive names them like numpy ('<f4'). */
const FLOAT_BYTES: Record<string, number> = { '<f4': 4, '>f4': 4, '<f8': 8, '>f8': 8, '<f2': 2, '>f2': 2 };

export class H5Dataset {
  constructor(private readonly d: Jsfive5Dataset, readonly path: string, private readonly file: H5File) {}

  get shape(): number[] {
    const s = guarded(this.path, () => this.d.shape);
    // A scalar dataset has shape [] (jsfive: null or []).
    return Array.isArray(s) ? [...s] : [];
  }

  /**
   * The values as float32, when the dataset has exactly `expected` shape; BAD_MODEL_FILE (naming
   * `owner`) otherwise. The size is checked against the file before jsfive allocates anything.
   */
  readFloats(expected: readonly number[], owner: string): Float32Array {
    const shape = this.shape;
    const same = shape.length === expected.length && shape.every((d, i) => d === expected[i]);
    if (!same) throw badFile(`${this.path} has shape [${shape.join(', ')}], but ${owner} needs [${expected.join(', ')}]`, { path: this.path, shape, expected: [...expected] });
    const dtype = guarded(this.path, () => this.d.dtype);
    const itemBytes = typeof dtype === 'string' ? FLOAT_BYTES[dtype] : undefined;
    if (!itemBytes) throw badFile(`${this.path}: weights must be float16/32/64, the dataset is ${JSON.stringify(dtype)}`, { path: this.path });
    const n = expected.reduce((a, b) => a * b, 1);
    const filtered = guarded(this.path, () => (this.d._dataobjects.filter_pipeline ?? []).length > 0);
    const room = this.file.byteLength * (filtered ? MAX_DEFLATE_RATIO : 1);
    if (n * itemBytes > room) throw badFile(`${this.path} declares ${n * itemBytes} bytes of data, more than the ${this.file.byteLength}-byte file can hold`, { path: this.path });
    const v = guarded(this.path, () => this.d.value);
    if (!ArrayBuffer.isView(v) && !Array.isArray(v)) throw badFile(`${this.path}: the data could not be read as numbers`);
    const values = v as ArrayLike<number>;
    if (values.length !== n) throw badFile(`${this.path}: ${values.length} values read, the shape needs ${n}`);
    const out = Float32Array.from(values);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i])) throw badFile(`${this.path}: value ${i} is ${out[i]} (weights must be finite numbers)`, { path: this.path });
    }
    return out;
  }
}

/**
 * The file length the superblock records (its end-of-file address), or null when the superblock
 * is not one this knows. jsfive does not compare it with the bytes; a shorter file was cut off.
 */
function recordedLength(bytes: Uint8Array): number | null {
  if (bytes.length < 48) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = bytes[8];
  // Version 0 and 1 keep it after 24 (v0) or 28 (v1) bytes of fields and two addresses; 2 and 3 after two addresses.
  const at = version === 0 ? 40 : version === 1 ? 44 : version === 2 || version === 3 ? 28 : -1;
  if (at < 0 || at + 8 > bytes.length) return null;
  return Number(view.getBigUint64(at, true));
}

/** jsfive's parsed object header: its messages, each with its type, size and where it starts. */
interface DataObjects {
  msgs?: Map<string, number>[];
}

const ATTRIBUTE_MESSAGE = 0x000c;
const padded = (n: number, multiple: number) => Math.ceil(n / multiple) * multiple;

/** An HDF5 file read with jsfive. */
export class H5File {
  readonly root: H5Group;
  readonly byteLength: number;
  private readonly view: DataView;
  private readonly checked = new WeakSet<object>();

  /**
   * Refuses an object whose attribute messages declare more values than they hold. jsfive reads
   * every declared value, past the end of the data too (a flipped bit once declared 8 million
   * strings in a 15 KB file: 3 s), so the count is read here from the message first: its
   * dataspace's dimensions times its datatype's size must fit the message's own size.
   */
  checkAttributeSizes(group: { _dataobjects?: DataObjects }, path: string): void {
    const objects = group._dataobjects;
    if (!objects || this.checked.has(objects)) return;
    const v = this.view;
    for (const msg of objects.msgs ?? []) {
      if (msg.get('type') !== ATTRIBUTE_MESSAGE) continue;
      const at = msg.get('offset_to_message') ?? -1;
      const size = msg.get('size') ?? 0;
      if (at < 0 || at + 9 > this.byteLength) throw badFile(`${path}: an attribute message lies outside the file`);
      const version = v.getUint8(at);
      if (version !== 1 && version !== 3) continue; // jsfive refuses other versions itself
      const [head, pad] = version === 1 ? [8, 8] : [9, 1];
      const typeAt = at + head + padded(v.getUint16(at + 2, true), pad);
      const spaceAt = typeAt + padded(v.getUint16(at + 4, true), pad);
      if (spaceAt + 8 > this.byteLength) throw badFile(`${path}: an attribute message runs past the end of the file`);
      const itemBytes = Math.max(1, v.getUint32(typeAt + 4, true));
      const rank = v.getUint8(spaceAt + 1);
      const dims = spaceAt + (v.getUint8(spaceAt) === 1 ? 8 : 4);
      if (dims + 8 * rank > this.byteLength) throw badFile(`${path}: an attribute's dataspace runs past the end of the file`);
      let items = 1;
      for (let d = 0; d < rank; d++) items *= Number(v.getBigUint64(dims + 8 * d, true));
      if (items * itemBytes > size) {
        throw badFile(`${path}: an attribute declares ${items} values of ${itemBytes} bytes, more than its ${size}-byte message holds`, { path });
      }
    }
    this.checked.add(objects);
  }

  constructor(bytes: Uint8Array, readonly name: string, readonly jsfive: KerasParsers['jsfive']) {
    this.byteLength = bytes.byteLength;
    const recorded = recordedLength(bytes);
    if (recorded !== null && recorded > bytes.byteLength) {
      throw badFile(`${name} is cut off: its HDF5 superblock records ${recorded} bytes, the file has ${bytes.byteLength}`);
    }
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    this.view = new DataView(buffer);
    const f = guarded(name, () => new jsfive.File(buffer, name));
    this.root = H5Group.root(f, this);
  }
}

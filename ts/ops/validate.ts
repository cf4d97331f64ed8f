import { LwError, fmtShape } from '../errors.js';
import { Tensor, tensor, type TensorLike } from '../tensor.js';

/** Converts an op argument to a float32 tensor, naming the argument in errors. */
export function asFloat(name: string, v: TensorLike): Tensor {
  const t = tensor(v);
  if (t.dtype !== 'float32') throw new LwError('DTYPE', `${name} must be float32, got ${t.dtype}`);
  return t;
}

export function asFloatOpt(name: string, v: TensorLike | null | undefined): Tensor | null {
  return v === undefined || v === null ? null : asFloat(name, v);
}

/** Checks a tensor's shape exactly (-1 in `want` matches any size). */
export function expectShape(op: string, name: string, t: Tensor, want: readonly number[]): void {
  const ok = t.shape.length === want.length && want.every((d, i) => d === -1 || d === t.shape[i]);
  if (!ok) {
    throw new LwError('SHAPE_MISMATCH', `${op}: ${name} has shape ${fmtShape(t.shape)}, expected ${fmtShape(want.map((d) => (d === -1 ? '?' : d)) as number[])}`, {
      op, argument: name, shape: [...t.shape], expected: [...want],
    });
  }
}

export function expectRank(op: string, name: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) {
    throw new LwError('SHAPE_MISMATCH', `${op}: ${name} must have rank ${rank}, got shape ${fmtShape(t.shape)}`, { op, argument: name, shape: [...t.shape] });
  }
}

/** Integer ids in [0, limit), as an int32 tensor. */
export function asIds(op: string, name: string, v: TensorLike, limit: number): Tensor {
  const t = tensor(v);
  const d = t.dataSync();
  const out = new Int32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const id = d[i];
    if (!Number.isInteger(id) || id < 0 || id >= limit) {
      throw new LwError('ID_OUT_OF_RANGE', `${op}: ${name}[${i}] = ${id} is outside [0, ${limit})`, { op, argument: name, index: i, value: id, limit });
    }
    out[i] = id;
  }
  return new Tensor(out, t.shape);
}

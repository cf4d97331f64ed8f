import { LwError } from '../errors.js';

/** The row indices [start, end). */
export function range(start: number, end: number): Int32Array {
  const a = new Int32Array(end - start);
  for (let i = 0; i < a.length; i++) a[i] = start + i;
  return a;
}

/** A batch size (or another count) checked to be a whole number >= 1. */
export function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new LwError('BAD_ARGUMENT', `${what} must be a whole number >= 1, got ${v}`);
  return v;
}

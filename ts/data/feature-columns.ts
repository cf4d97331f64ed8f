import { LwError, fmtShape } from '../errors.js';
import { Tensor, tensor, type TensorLike } from '../tensor.js';

/** Values viewed as rows of features: the last axis is the feature axis (a 1-D input is one feature). */
export interface FeatureColumns {
  values: Float32Array | Int32Array;
  shape: readonly number[];
  features: number;
  rows: number;
}

/** Scaler input as feature columns; `what` names the call in errors. */
export function featureColumns(x: TensorLike, what: string): FeatureColumns {
  const t = x instanceof Tensor ? x : tensor(x);
  if (t.rank === 0) throw new LwError('SHAPE_MISMATCH', `${what}: expected [n, features] or [n, time, features], got a scalar`);
  const features = t.rank === 1 ? 1 : t.shape[t.rank - 1];
  const rows = features === 0 ? 0 : t.size / features;
  return { values: t.dataSync(), shape: t.shape, features, rows };
}

/** Fitting needs rows and finite values. */
export function checkFitData(c: FeatureColumns, what: string): void {
  if (c.rows === 0 || c.features === 0) throw new LwError('EMPTY_DATA', `${what}: no values to fit (shape ${fmtShape(c.shape)})`);
  const v = c.values;
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) {
      throw new LwError('NON_FINITE', `${what}: value ${v[k]} at row ${Math.floor(k / c.features)}, feature ${k % c.features} (flat index ${k})`, { index: k });
    }
  }
}

export function checkFeatureCount(c: FeatureColumns, expected: number, what: string): void {
  if (c.features !== expected) {
    throw new LwError('SHAPE_MISMATCH', `${what}: the scaler was fitted on ${expected} features, got ${c.features} (shape ${fmtShape(c.shape)})`);
  }
}

function perFeature(c: FeatureColumns, a: readonly number[], b: readonly number[], subtractDivide: boolean): Tensor {
  const out = new Float32Array(c.values.length);
  const f = c.features;
  for (let r = 0; r < c.rows; r++) {
    const o = r * f;
    if (subtractDivide) for (let j = 0; j < f; j++) out[o + j] = (c.values[o + j] - a[j]) / b[j];
    else for (let j = 0; j < f; j++) out[o + j] = c.values[o + j] * a[j] + b[j];
  }
  return new Tensor(out, c.shape);
}

/** (x - sub[f]) / div[f] per feature, in float64, stored as float32 in the input's shape. */
export const subtractDivide = (c: FeatureColumns, sub: readonly number[], div: readonly number[]) => perFeature(c, sub, div, true);

/** x * mul[f] + add[f] per feature, in float64, stored as float32 in the input's shape. */
export const multiplyAdd = (c: FeatureColumns, mul: readonly number[], add: readonly number[]) => perFeature(c, mul, add, false);

/** A JSON field that must be an array of `length` finite numbers. */
export function numberArray(v: unknown, length: number | undefined, what: string): number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length) || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new LwError('BAD_ARGUMENT', `${what} must be an array of ${length ?? 'some'} finite numbers`);
  }
  return v as number[];
}

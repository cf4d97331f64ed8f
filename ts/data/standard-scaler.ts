import { LwError } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { checkFeatureCount, checkFitData, featureColumns, multiplyAdd, numberArray, subtractDivide } from './feature-columns.js';

export interface StandardScalerArgs {
  /** Subtract the mean (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation (default true). */
  withStd?: boolean;
}

/** scikit-learn's test for a feature that is constant up to rounding (its variance is rounding noise). */
function isConstant(variance: number, mean: number, n: number): boolean {
  const eps = Number.EPSILON;
  return variance <= n * eps * variance + (n * mean * eps) ** 2;
}

/**
 * scikit-learn `StandardScaler`: z = (x - mean) / std per feature (the last axis), population std.
 * Fits [n, features] or [n, time, features] (every step of every sequence is a sample); a 1-D input is one
 * feature. A constant feature gets scale 1, so it maps to 0 instead of dividing by zero.
 * Outputs are float32 tensors of the input's shape; NaN passes through transform unchanged.
 */
export class StandardScaler {
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Per-feature mean, variance and scale (std, or 1 for a constant feature) after `fit`. */
  mean: number[] | null = null;
  variance: number[] | null = null;
  scale: number[] | null = null;
  nSamplesSeen = 0;

  constructor(args: StandardScalerArgs = {}) {
    this.withMean = args.withMean ?? true;
    this.withStd = args.withStd ?? true;
  }

  fit(x: TensorLike): this {
    const c = featureColumns(x, 'StandardScaler.fit');
    checkFitData(c, 'StandardScaler.fit');
    const { values, rows, features: f } = c;
    // two passes in float64: the mean first, then squared deviations (no cancellation)
    const mean = new Array<number>(f).fill(0);
    for (let r = 0; r < rows; r++) for (let j = 0; j < f; j++) mean[j] += values[r * f + j];
    for (let j = 0; j < f; j++) mean[j] /= rows;
    const variance = new Array<number>(f).fill(0);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < f; j++) {
        const d = values[r * f + j] - mean[j];
        variance[j] += d * d;
      }
    }
    for (let j = 0; j < f; j++) variance[j] /= rows;
    this.mean = mean;
    this.variance = variance;
    this.scale = variance.map((v, j) => (isConstant(v, mean[j], rows) ? 1 : Math.sqrt(v)));
    this.nSamplesSeen = rows;
    return this;
  }

  private fitted(what: string): { mean: number[]; scale: number[] } {
    if (!this.mean || !this.scale) throw new LwError('BAD_ARGUMENT', `StandardScaler.${what}: call fit first`);
    return {
      mean: this.withMean ? this.mean : this.mean.map(() => 0),
      scale: this.withStd ? this.scale : this.scale.map(() => 1),
    };
  }

  transform(x: TensorLike): Tensor {
    const { mean, scale } = this.fitted('transform');
    const c = featureColumns(x, 'StandardScaler.transform');
    checkFeatureCount(c, mean.length, 'StandardScaler.transform');
    return subtractDivide(c, mean, scale);
  }

  inverseTransform(x: TensorLike): Tensor {
    const { mean, scale } = this.fitted('inverseTransform');
    const c = featureColumns(x, 'StandardScaler.inverseTransform');
    checkFeatureCount(c, mean.length, 'StandardScaler.inverseTransform');
    return multiplyAdd(c, scale, mean);
  }

  fitTransform(x: TensorLike): Tensor {
    return this.fit(x).transform(x);
  }

  toJSON(): Record<string, unknown> {
    return {
      class_name: 'StandardScaler',
      config: { with_mean: this.withMean, with_std: this.withStd },
      mean: this.mean, var: this.variance, scale: this.scale, n_samples_seen: this.nSamplesSeen,
    };
  }

  static fromJSON(json: unknown): StandardScaler {
    const j = json as Record<string, unknown> | null;
    if (!j || typeof j !== 'object' || j.class_name !== 'StandardScaler' || typeof j.config !== 'object' || j.config === null) {
      throw new LwError('BAD_ARGUMENT', 'StandardScaler.fromJSON: not a StandardScaler JSON (class_name "StandardScaler" and a config)');
    }
    const c = j.config as Record<string, unknown>;
    const s = new StandardScaler({ withMean: c.with_mean !== false, withStd: c.with_std !== false });
    if (j.mean === null || j.mean === undefined) return s;
    const mean = numberArray(j.mean, undefined, 'StandardScaler.fromJSON: mean');
    s.variance = numberArray(j.var, mean.length, 'StandardScaler.fromJSON: var');
    s.scale = numberArray(j.scale, mean.length, 'StandardScaler.fromJSON: scale');
    if (s.scale.some((v) => v <= 0)) throw new LwError('BAD_ARGUMENT', 'StandardScaler.fromJSON: scale must be > 0');
    s.mean = mean;
    s.nSamplesSeen = Number(j.n_samples_seen ?? 0);
    return s;
  }
}

import { LwError } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { checkFeatureCount, checkFitData, featureColumns, multiplyAdd, numberArray, subtractDivide } from './feature-columns.js';

export interface MinMaxScalerArgs {
  /** The range each feature is mapped to, [lo, hi] with lo < hi (default [0, 1]). */
  featureRange?: [number, number];
}

/**
 * scikit-learn `MinMaxScaler`: maps each feature's [min, max] seen in `fit` onto `featureRange`:
 * x * scale + min with scale = (hi - lo) / (max - min). Fits [n, features] or [n, time, features]
 * (per last-axis feature); a 1-D input is one feature. A constant feature gets data range 1, so it maps
 * to lo instead of dividing by zero. Values outside the fitted range map outside featureRange (no clipping).
 */
export class MinMaxScaler {
  readonly featureRange: readonly [number, number];
  dataMin: number[] | null = null;
  dataMax: number[] | null = null;
  /** Per feature: transform(x) = x * scale + min. */
  scale: number[] | null = null;
  min: number[] | null = null;
  nSamplesSeen = 0;

  constructor(args: MinMaxScalerArgs = {}) {
    const range = args.featureRange ?? [0, 1];
    if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
      throw new LwError('BAD_ARGUMENT', `MinMaxScaler: featureRange must be [lo, hi] with finite lo < hi, got ${JSON.stringify(range)}`);
    }
    this.featureRange = Object.freeze([range[0], range[1]]) as readonly [number, number];
  }

  fit(x: TensorLike): this {
    const c = featureColumns(x, 'MinMaxScaler.fit');
    checkFitData(c, 'MinMaxScaler.fit');
    const { values, rows, features: f } = c;
    const lo = new Array<number>(f).fill(Infinity);
    const hi = new Array<number>(f).fill(-Infinity);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < f; j++) {
        const v = values[r * f + j];
        if (v < lo[j]) lo[j] = v;
        if (v > hi[j]) hi[j] = v;
      }
    }
    this.setStats(lo, hi, rows);
    return this;
  }

  private setStats(dataMin: number[], dataMax: number[], rows: number): void {
    const [a, b] = this.featureRange;
    this.dataMin = dataMin;
    this.dataMax = dataMax;
    this.scale = dataMin.map((m, j) => (b - a) / (dataMax[j] - m === 0 ? 1 : dataMax[j] - m));
    this.min = dataMin.map((m, j) => a - m * this.scale![j]);
    this.nSamplesSeen = rows;
  }

  private fitted(what: string): { scale: number[]; min: number[] } {
    if (!this.scale || !this.min) throw new LwError('BAD_ARGUMENT', `MinMaxScaler.${what}: call fit first`);
    return { scale: this.scale, min: this.min };
  }

  transform(x: TensorLike): Tensor {
    const { scale, min } = this.fitted('transform');
    const c = featureColumns(x, 'MinMaxScaler.transform');
    checkFeatureCount(c, scale.length, 'MinMaxScaler.transform');
    return multiplyAdd(c, scale, min);
  }

  inverseTransform(x: TensorLike): Tensor {
    const { scale, min } = this.fitted('inverseTransform');
    const c = featureColumns(x, 'MinMaxScaler.inverseTransform');
    checkFeatureCount(c, scale.length, 'MinMaxScaler.inverseTransform');
    return subtractDivide(c, min, scale);
  }

  fitTransform(x: TensorLike): Tensor {
    return this.fit(x).transform(x);
  }

  toJSON(): Record<string, unknown> {
    return {
      class_name: 'MinMaxScaler',
      config: { feature_range: [...this.featureRange] },
      data_min: this.dataMin, data_max: this.dataMax, n_samples_seen: this.nSamplesSeen,
    };
  }

  static fromJSON(json: unknown): MinMaxScaler {
    const j = json as Record<string, unknown> | null;
    const config = j?.config as Record<string, unknown> | undefined;
    if (!j || typeof j !== 'object' || j.class_name !== 'MinMaxScaler' || typeof config !== 'object' || config === null) {
      throw new LwError('BAD_ARGUMENT', 'MinMaxScaler.fromJSON: not a MinMaxScaler JSON (class_name "MinMaxScaler" and a config)');
    }
    const s = new MinMaxScaler({ featureRange: config.feature_range as [number, number] });
    if (j.data_min === null || j.data_min === undefined) return s;
    const dataMin = numberArray(j.data_min, undefined, 'MinMaxScaler.fromJSON: data_min');
    const dataMax = numberArray(j.data_max, dataMin.length, 'MinMaxScaler.fromJSON: data_max');
    if (dataMin.some((m, i) => m > dataMax[i])) throw new LwError('BAD_ARGUMENT', 'MinMaxScaler.fromJSON: data_min is above data_max');
    s.setStats(dataMin, dataMax, Number(j.n_samples_seen ?? 0));
    return s;
  }
}

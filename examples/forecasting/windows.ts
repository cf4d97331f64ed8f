// Multi-step windows for forecasting a trending, seasonal series. Each window is taken relative to its
// last observed value: the model learns the shape of the next months (season + growth), not the level,
// so the held-out years, which lie above every level seen in training, are no extrapolation for it.
import * as lw from 'lstm-wasm';

export interface ForecastWindows {
  /** [n, window, 1] inputs in ppm minus the window's last value. */
  x: lw.Tensor;
  /** [n, horizon] targets in ppm minus the window's last value. */
  y: lw.Tensor;
  /** [n] the last observed value of each window (ppm). */
  last: Float32Array;
  /** [n * horizon] the true future values (ppm). */
  actual: Float32Array;
  /** [n * horizon] seasonal-naive forecasts: the value one season (12 months) before each target. */
  seasonalNaive: Float32Array;
}

/** Windows of `window` months → the next `horizon` months, with the seasonal-naive forecast of each. */
export function forecastWindows(series: ArrayLike<number>, window: number, horizon: number, season = 12): ForecastWindows {
  if (window < season || horizon > season) {
    throw new Error(`forecastWindows: seasonal naive needs window >= ${season} and horizon <= ${season}, got window ${window}, horizon ${horizon}`);
  }
  const { x, y } = lw.data.timeseriesWindows(series, { window, horizon });
  const n = x.shape[0];
  const xs = x.dataSync() as Float32Array;
  const ys = y.dataSync() as Float32Array;
  const last = new Float32Array(n);
  const xRel = new Float32Array(n * window);
  const yRel = new Float32Array(n * horizon);
  const seasonalNaive = new Float32Array(n * horizon);
  for (let i = 0; i < n; i++) {
    const base = xs[i * window + window - 1];
    last[i] = base;
    for (let t = 0; t < window; t++) xRel[i * window + t] = xs[i * window + t] - base;
    for (let h = 0; h < horizon; h++) {
      yRel[i * horizon + h] = ys[i * horizon + h] - base;
      // target step h (0-based) is window + h; one season earlier is window + h - season, inside the window
      seasonalNaive[i * horizon + h] = xs[i * window + window + h - season];
    }
  }
  return {
    x: lw.tensor(xRel, [n, window, 1]),
    y: lw.tensor(yRel, [n, horizon]),
    last,
    actual: ys.slice(),
    seasonalNaive,
  };
}

/**
 * Scales inputs and targets with one StandardScaler fitted on the training inputs only (they share
 * the unit, ppm relative to the last value), and maps predictions back to ppm.
 */
export class WindowScaler {
  readonly scaler = new lw.data.StandardScaler();

  fit(train: ForecastWindows): this {
    this.scaler.fit(train.x);
    return this;
  }

  inputs(w: ForecastWindows): lw.Tensor {
    return this.scaler.transform(w.x);
  }

  targets(w: ForecastWindows): lw.Tensor {
    const [n, horizon] = w.y.shape;
    return lw.tensor(this.scaler.transform(lw.tensor(w.y.dataSync(), [n, horizon, 1])).dataSync(), [n, horizon]);
  }

  /** Scaled predictions [n, horizon] → ppm, adding back each window's last value. */
  toPpm(pred: lw.Tensor, w: ForecastWindows): Float32Array {
    const [n, horizon] = pred.shape;
    const rel = this.scaler.inverseTransform(lw.tensor(pred.dataSync(), [n, horizon, 1])).dataSync();
    const out = new Float32Array(n * horizon);
    for (let i = 0; i < n; i++) for (let h = 0; h < horizon; h++) out[i * horizon + h] = rel[i * horizon + h] + w.last[i];
    return out;
  }
}

export function meanAbsError(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(pred[i] - actual[i]);
  return s / actual.length;
}

/** MAE at each step ahead (1..horizon) over all windows. */
export function maeByStep(pred: ArrayLike<number>, actual: ArrayLike<number>, horizon: number): number[] {
  const out = new Array<number>(horizon).fill(0);
  const n = actual.length / horizon;
  for (let i = 0; i < n; i++) for (let h = 0; h < horizon; h++) out[h] += Math.abs(pred[i * horizon + h] - actual[i * horizon + h]);
  return out.map((s) => s / n);
}

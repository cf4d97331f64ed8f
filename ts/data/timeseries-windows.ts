import { LwError, fmtShape, positiveInt } from '../errors.js';
import { Tensor } from '../tensor.js';

/**
 * One series (`number[]`, a typed array, a 1-D tensor), several as rows `[time][feature]` (nested
 * arrays or a 2-D tensor [time, features]), or named series of equal length (`{ temp: [...], wind: [...] }`,
 * features in key order).
 */
export type SeriesData = ArrayLike<number> | ArrayLike<number>[] | Tensor | Record<string, ArrayLike<number>>;

export interface TimeseriesWindowsArgs {
  /** Time steps in each input window (>= 1). */
  window: number;
  /** Steps predicted after each window (>= 1, default 1). */
  horizon?: number;
  /** Steps between the starts of consecutive windows (>= 1, default 1). */
  stride?: number;
  /** The predicted features: indices, or names for named series; one or a list. Default all features. */
  targets?: number | string | (number | string)[];
}

export interface TimeseriesWindows {
  /** [n, window, features]: steps s .. s+window-1 of window i, s = i * stride. */
  x: Tensor;
  /**
   * The `horizon` steps after each window (s+window .. s+window+horizon-1) at the target features:
   * horizon 1 → [n, targets]; several steps and one target → [n, horizon]; otherwise [n, horizon, targets].
   */
  y: Tensor;
}

interface Table {
  values: Float32Array;
  steps: number;
  features: number;
  names?: string[];
}

const isArrayLike = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

function finite(out: Float32Array, k: number, v: unknown, where: () => string): void {
  if (typeof v !== 'number') throw new LwError('DTYPE', `timeseriesWindows: ${where()} is ${typeof v}, expected a number`);
  out[k] = v;
  if (!Number.isFinite(out[k])) {
    throw new LwError('NON_FINITE', `timeseriesWindows: ${where()} is ${v}${Number.isFinite(v) ? ' (too large for float32)' : ''}; fill or drop missing values first`);
  }
}

/** The series as a row-major [steps, features] float32 table, every value checked. */
function toTable(series: SeriesData): Table {
  if (series instanceof Tensor) {
    if (series.rank !== 1 && series.rank !== 2) {
      throw new LwError('SHAPE_MISMATCH', `timeseriesWindows: a series tensor must be [time] or [time, features], got ${fmtShape(series.shape)}`);
    }
    const features = series.rank === 2 ? series.shape[1] : 1;
    const src = series.dataSync();
    const values = new Float32Array(src.length);
    for (let k = 0; k < src.length; k++) finite(values, k, src[k], () => `step ${Math.floor(k / features)}, feature ${k % features}`);
    return { values, steps: series.shape[0], features };
  }
  if (isArrayLike(series)) {
    const steps = series.length;
    if (steps > 0 && isArrayLike(series[0])) {
      const rows = series as ArrayLike<ArrayLike<number>>;
      const features = rows[0].length;
      const values = new Float32Array(steps * features);
      for (let t = 0; t < steps; t++) {
        const row = rows[t];
        if (!isArrayLike(row) || row.length !== features) {
          throw new LwError('SHAPE_MISMATCH', `timeseriesWindows: step ${t} has ${isArrayLike(row) ? row.length : typeof row} features, step 0 has ${features}`);
        }
        for (let f = 0; f < features; f++) finite(values, t * features + f, row[f], () => `step ${t}, feature ${f}`);
      }
      return { values, steps, features };
    }
    const values = new Float32Array(steps);
    for (let t = 0; t < steps; t++) finite(values, t, series[t], () => `index ${t}`);
    return { values, steps, features: 1 };
  }
  if (typeof series === 'object' && series !== null) {
    const names = Object.keys(series);
    const columns = names.map((name) => {
      const col = (series as Record<string, unknown>)[name];
      if (!isArrayLike(col)) throw new LwError('DTYPE', `timeseriesWindows: series "${name}" is ${typeof col}, expected an array of numbers`);
      return col;
    });
    const steps = columns.length ? columns[0].length : 0;
    columns.forEach((col, f) => {
      if (col.length !== steps) {
        throw new LwError('SHAPE_MISMATCH', `timeseriesWindows: series "${names[f]}" has ${col.length} steps, "${names[0]}" has ${steps}`);
      }
    });
    const features = names.length;
    const values = new Float32Array(steps * features);
    columns.forEach((col, f) => {
      for (let t = 0; t < steps; t++) finite(values, t * features + f, col[t], () => `series "${names[f]}" at index ${t}`);
    });
    return { values, steps, features, names };
  }
  throw new LwError('DTYPE', `timeseriesWindows: cannot use ${series === null ? 'null' : typeof series} as a series`);
}

function targetIndices(targets: TimeseriesWindowsArgs['targets'], table: Table): number[] {
  if (targets === undefined) return Array.from({ length: table.features }, (_, f) => f);
  const list = Array.isArray(targets) ? targets : [targets];
  if (list.length === 0) throw new LwError('BAD_ARGUMENT', 'timeseriesWindows: targets is empty; leave it out to predict every feature');
  const idx = list.map((t) => {
    if (typeof t === 'string') {
      const f = table.names?.indexOf(t) ?? -1;
      if (f < 0) {
        throw new LwError('BAD_ARGUMENT', table.names
          ? `timeseriesWindows: no series named "${t}"; names are ${table.names.map((n) => `"${n}"`).join(', ')}`
          : `timeseriesWindows: target "${t}" is a name, but the series are not named; use feature indices`);
      }
      return f;
    }
    if (!Number.isInteger(t) || t < 0 || t >= table.features) {
      throw new LwError('BAD_ARGUMENT', `timeseriesWindows: target ${t} is not a feature index in [0, ${table.features})`);
    }
    return t;
  });
  const dup = idx.find((f, j) => idx.indexOf(f) !== j);
  if (dup !== undefined) throw new LwError('BAD_ARGUMENT', `timeseriesWindows: feature ${table.names?.[dup] ?? dup} is a target twice`);
  return idx;
}

/**
 * Sliding windows over a time series for sequence-to-value models. Window i covers steps
 * s .. s+window-1 with s = i * stride; its target is the next `horizon` steps of the target features.
 * Only windows whose targets lie inside the series are made: n = floor((T - window - horizon) / stride) + 1.
 *
 * `const { x, y } = timeseriesWindows(prices, { window: 30 })` → x [n, 30, 1], y [n, 1].
 */
export function timeseriesWindows(series: SeriesData, args: TimeseriesWindowsArgs): TimeseriesWindows {
  if (typeof args !== 'object' || args === null) throw new LwError('BAD_ARGUMENT', 'timeseriesWindows: options { window } are required');
  const window = positiveInt(args.window, 'timeseriesWindows: window');
  const horizon = positiveInt(args.horizon ?? 1, 'timeseriesWindows: horizon');
  const stride = positiveInt(args.stride ?? 1, 'timeseriesWindows: stride');
  const table = toTable(series);
  if (table.steps === 0 || table.features === 0) {
    throw new LwError('EMPTY_DATA', `timeseriesWindows: the series is empty (${table.steps} steps, ${table.features} features)`);
  }
  const targets = targetIndices(args.targets, table);
  const { values, steps, features } = table;
  if (steps < window + horizon) {
    throw new LwError('EMPTY_DATA', `timeseriesWindows: a series of ${steps} steps is too short for window ${window} + horizon ${horizon} (needs at least ${window + horizon})`, { steps, window, horizon });
  }
  const n = Math.floor((steps - window - horizon) / stride) + 1;
  const tc = targets.length;
  const x = new Float32Array(n * window * features);
  const y = new Float32Array(n * horizon * tc);
  for (let i = 0; i < n; i++) {
    const s = i * stride;
    x.set(values.subarray(s * features, (s + window) * features), i * window * features);
    for (let h = 0; h < horizon; h++) {
      const row = (s + window + h) * features;
      for (let j = 0; j < tc; j++) y[(i * horizon + h) * tc + j] = values[row + targets[j]];
    }
  }
  const yShape = horizon === 1 ? [n, tc] : tc === 1 ? [n, horizon] : [n, horizon, tc];
  return { x: new Tensor(x, [n, window, features]), y: new Tensor(y, yShape) };
}

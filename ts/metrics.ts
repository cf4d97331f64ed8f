import { LwError } from './errors.js';
import type { LossName } from './backend/kernels/index.js';

/** Accumulates a metric over batches: sum of per-row values and the row count. */
export interface Metric {
  /** Keras / TF.js history key: 'acc', 'mse', 'mae'. */
  key: string;
  /** Adds a batch: pred [rows, cols] (f32), target [rows, cols] or ids [rows]. Returns the sum over rows. */
  batchSum(pred: ArrayLike<number>, target: ArrayLike<number>, rows: number, cols: number): number;
}

function binaryAccuracy(pred: ArrayLike<number>, target: ArrayLike<number>, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    let rowHits = 0;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if ((pred[i] > 0.5 ? 1 : 0) === (target[i] > 0.5 ? 1 : 0)) rowHits++;
    }
    hits += rowHits / cols;
  }
  return hits;
}

function argmax(a: ArrayLike<number>, off: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (a[off + j] > a[off + best]) best = j;
  return best;
}

function categoricalAccuracy(pred: ArrayLike<number>, target: ArrayLike<number>, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(pred, r * cols, cols) === argmax(target, r * cols, cols)) hits++;
  return hits;
}

function sparseAccuracy(pred: ArrayLike<number>, ids: ArrayLike<number>, rows: number, cols: number): number {
  let hits = 0;
  for (let r = 0; r < rows; r++) if (argmax(pred, r * cols, cols) === ids[r]) hits++;
  return hits;
}

function meanOver(f: (d: number) => number) {
  return (pred: ArrayLike<number>, target: ArrayLike<number>, rows: number, cols: number) => {
    let s = 0;
    for (let r = 0; r < rows; r++) {
      let row = 0;
      for (let c = 0; c < cols; c++) row += f(pred[r * cols + c] - target[r * cols + c]);
      s += row / cols;
    }
    return s;
  };
}

/** Resolves a metric name; 'accuracy' picks binary, categorical or sparse as Keras does (from the loss and output size). */
export function getMetric(name: string, loss: LossName, outputCols: number): Metric {
  const n = name.replace(/_/g, '').toLowerCase();
  if (n === 'accuracy' || n === 'acc') {
    if (loss === 'sparseCategoricalCrossentropy') return { key: 'acc', batchSum: sparseAccuracy };
    if (loss === 'binaryCrossentropy' || outputCols === 1) return { key: 'acc', batchSum: binaryAccuracy };
    return { key: 'acc', batchSum: categoricalAccuracy };
  }
  if (n === 'binaryaccuracy') return { key: 'binary_accuracy', batchSum: binaryAccuracy };
  if (n === 'categoricalaccuracy') return { key: 'categorical_accuracy', batchSum: categoricalAccuracy };
  if (n === 'mse' || n === 'meansquarederror') return { key: 'mse', batchSum: meanOver((d) => d * d) };
  if (n === 'mae' || n === 'meanabsoluteerror') return { key: 'mae', batchSum: meanOver(Math.abs) };
  throw new LwError('BAD_ARGUMENT', `unknown metric "${name}": use accuracy, binaryAccuracy, categoricalAccuracy, mse or mae`);
}

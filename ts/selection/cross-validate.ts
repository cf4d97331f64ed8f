import { LwError } from '../errors.js';
import { kFold } from '../data/k-fold.js';
import { rowCount, takeRows, type RowData } from '../data/take-rows.js';
import type { DataLike } from '../model/data.js';
import type { FitArgs } from '../model/fit.js';
import type { LayersModel } from '../model/model.js';
import { setSeed } from '../random.js';

/** Builds a fresh compiled model; `fold` is the fold index, or -1 for the final refit on all data. */
export type BuildModel = (info: { fold: number }) => LayersModel | Promise<LayersModel>;

export interface CrossValidateArgs {
  /** Number of folds, >= 2 (default 5). */
  folds?: number;
  /** Shuffle the rows before cutting folds (default true; false keeps time order, e.g. for series windows). */
  shuffle?: boolean;
  /**
   * Makes the run repeatable: seeds the fold shuffle, `lw.setSeed(seed)` before every build (so every
   * fold and every grid point start from the same initial-weight stream) and each fold's fit.
   */
  seed?: number;
  epochs?: number;
  batchSize?: number;
  /** More fit arguments (callbacks, validation is the held-out fold so validationSplit is not allowed). */
  fit?: Omit<FitArgs, 'epochs' | 'batchSize' | 'validationData' | 'validationSplit' | 'seed'>;
  /** Called after each fold. */
  onFold?: (result: FoldResult) => void | Promise<void>;
}

export interface FoldResult {
  fold: number;
  trainSize: number;
  testSize: number;
  /** Held-out loss and metrics under Keras validation names: val_loss, val_acc, val_mae, ... */
  metrics: Record<string, number>;
  /** The fold's training history (loss, acc, ... per epoch, and the held-out fold as val_*). */
  history: Record<string, number[]>;
  seconds: number;
}

export interface CrossValidation {
  folds: FoldResult[];
  /** Mean over folds of every held-out metric. */
  mean: Record<string, number>;
  /** Population standard deviation over folds (as scikit-learn's std_test_score). */
  std: Record<string, number>;
  /** Trainable and non-trainable parameters of the model. */
  params: number;
  seconds: number;
}

/** Mean and population std of each key over records with the same keys. */
export function meanStd(records: Record<string, number>[]): { mean: Record<string, number>; std: Record<string, number> } {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const key of Object.keys(records[0] ?? {})) {
    const v = records.map((r) => r[key]);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    mean[key] = m;
    std[key] = Math.sqrt(v.reduce((a, b) => a + (b - m) * (b - m), 0) / v.length);
  }
  return { mean, std };
}

export async function buildChecked(build: BuildModel, fold: number, seed: number | undefined, what: string): Promise<LayersModel> {
  if (seed !== undefined) setSeed(seed);
  const model = await build({ fold });
  if (!model || typeof (model as LayersModel).fit !== 'function') {
    throw new LwError('BAD_ARGUMENT', `${what}: build must return a model, got ${model === null ? 'null' : typeof model}`);
  }
  if (!model.optimizer) throw new LwError('NOT_READY', `${what}: build must return a compiled model (call model.compile before returning it)`);
  return model;
}

export function checkRows(x: RowData, y: RowData, what: string): number {
  const n = rowCount(x, `${what} x`);
  const m = rowCount(y, `${what} y`);
  if (n !== m) throw new LwError('SHAPE_MISMATCH', `${what}: x has ${n} rows, y has ${m}`, { x: n, y: m });
  return n;
}

/**
 * k-fold cross-validation (scikit-learn `cross_validate`): for each fold a fresh model from `build` is
 * trained on the other folds and evaluated on this one. Returns every fold's held-out metrics
 * (val_loss, val_acc, ...) with their mean and standard deviation.
 *
 * `const cv = await lw.selection.crossValidate(() => makeModel(), x, y, { folds: 5, epochs: 10, seed: 1 })`
 */
export async function crossValidate(build: BuildModel, x: RowData, y: RowData, args: CrossValidateArgs = {}): Promise<CrossValidation> {
  if (typeof build !== 'function') throw new LwError('BAD_ARGUMENT', 'crossValidate: build must be a function returning a compiled model');
  const started = Date.now();
  const n = checkRows(x, y, 'crossValidate');
  const shuffle = args.shuffle ?? true;
  const folds = kFold(n, { k: args.folds ?? 5, shuffle, seed: shuffle ? args.seed : undefined });
  const results: FoldResult[] = [];
  let params = 0;
  for (let f = 0; f < folds.length; f++) {
    const t0 = Date.now();
    const { trainIdx, testIdx } = folds[f];
    const model = await buildChecked(build, f, args.seed, 'crossValidate');
    try {
      params = model.countParams();
      const xTrain = takeRows(x, trainIdx) as DataLike;
      const yTrain = takeRows(y, trainIdx) as DataLike;
      const xTest = takeRows(x, testIdx) as DataLike;
      const yTest = takeRows(y, testIdx) as DataLike;
      const batchSize = args.batchSize ?? 32;
      const { history } = await model.fit(xTrain, yTrain, {
        verbose: 0, ...args.fit, epochs: args.epochs ?? 1, batchSize,
        seed: args.seed !== undefined ? args.seed + f : undefined, validationData: [xTest, yTest],
      });
      // the held-out fold as the fitted model finally scores it (the last epoch's val_* in the history)
      const metrics = model.evaluateLogs(xTest, yTest, batchSize, 'val_');
      const result: FoldResult = { fold: f, trainSize: trainIdx.length, testSize: testIdx.length, metrics, history, seconds: (Date.now() - t0) / 1000 };
      results.push(result);
      await args.onFold?.(result);
    } finally {
      model.dispose();
    }
  }
  return { folds: results, ...meanStd(results.map((r) => r.metrics)), params, seconds: (Date.now() - started) / 1000 };
}

import { LwError } from '../errors.js';
import type { RowData } from '../data/take-rows.js';
import type { DataLike } from '../model/data.js';
import type { History } from '../model/fit.js';
import type { LayersModel } from '../model/model.js';
import { buildChecked, checkRows, crossValidate, type CrossValidateArgs, type FoldResult } from './cross-validate.js';

/** Candidate values per hyper-parameter: `{ cell: ['lstm', 'gru'], units: [32, 64] }`. */
export type ParamGrid = Record<string, readonly unknown[]>;

/** One point of a grid: one value per key. */
export type GridPoint<G extends ParamGrid> = { [K in keyof G]: G[K][number] };

export interface GridSearchArgs<G extends ParamGrid> extends Omit<CrossValidateArgs, 'onFold'> {
  grid: G;
  /** A fresh compiled model for a grid point (`fold` is -1 for the final refit). */
  build: (params: GridPoint<G>, info: { fold: number }) => LayersModel | Promise<LayersModel>;
  x: RowData;
  y: RowData;
  /**
   * The held-out metric that ranks the grid points (a key of the fold metrics: 'val_loss', 'val_acc',
   * 'val_mae', ...). Default 'val_acc' when the models report accuracy, else 'val_loss'.
   */
  metric?: string;
  /** 'max' or 'min' is better; default 'max' for accuracies, 'min' for anything else. */
  mode?: 'min' | 'max';
  /** Retrain the best grid point on all of x, y and return it as bestModel (default true). */
  refit?: boolean;
  /** Called after each grid point's cross-validation (index counts from 0). */
  onResult?: (result: GridResult<GridPoint<G>>, index: number, total: number) => void | Promise<void>;
  onFold?: (params: GridPoint<G>, fold: FoldResult) => void | Promise<void>;
}

export interface GridResult<P> {
  params: P;
  /** Mean and std over folds of the ranking metric. */
  score: number;
  scoreStd: number;
  mean: Record<string, number>;
  std: Record<string, number>;
  folds: FoldResult[];
  /** Parameter count of the model. */
  paramCount: number;
  /** Wall time of all the point's folds. */
  seconds: number;
  /** 1 = best. */
  rank: number;
}

export interface GridSearchResult<P> {
  metric: string;
  mode: 'min' | 'max';
  /** Every grid point, best first. */
  results: GridResult<P>[];
  best: GridResult<P>;
  /** The best point retrained on all the data (unless refit: false). */
  bestModel?: LayersModel;
  refitHistory?: Record<string, number[]>;
  seconds: number;
}

/** Every combination of the grid's values, the first key varying slowest. */
export function gridPoints<G extends ParamGrid>(grid: G): GridPoint<G>[] {
  if (typeof grid !== 'object' || grid === null || Array.isArray(grid)) throw new LwError('BAD_ARGUMENT', 'gridSearch: grid must be an object of value lists, e.g. { units: [32, 64] }');
  const keys = Object.keys(grid);
  if (keys.length === 0) throw new LwError('BAD_ARGUMENT', 'gridSearch: the grid has no parameters');
  let points: Record<string, unknown>[] = [{}];
  for (const key of keys) {
    const values = grid[key];
    if (!Array.isArray(values) || values.length === 0) throw new LwError('BAD_ARGUMENT', `gridSearch: grid.${key} must be a non-empty list of values`);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points as GridPoint<G>[];
}

/** 'max' for accuracy-like metrics, 'min' for losses and errors. */
export function metricMode(metric: string): 'min' | 'max' {
  return /acc|accuracy|precision|recall|f1|auc/i.test(metric) ? 'max' : 'min';
}

/**
 * Grid search with k-fold cross-validation (scikit-learn `GridSearchCV`): every grid point is
 * cross-validated on the same folds, the points are ranked by the mean held-out metric, and the best
 * one is retrained on all the data.
 *
 * ```ts
 * const search = await lw.selection.gridSearch({
 *   grid: { cell: ['lstm', 'gru'], units: [32, 64] },
 *   build: ({ cell, units }) => makeModel(cell, units), x, y, folds: 5, epochs: 10, seed: 1,
 * });
 * search.results[0].params, search.best.score, search.bestModel
 * ```
 */
export async function gridSearch<G extends ParamGrid>(args: GridSearchArgs<G>): Promise<GridSearchResult<GridPoint<G>>> {
  if (typeof args !== 'object' || args === null) throw new LwError('BAD_ARGUMENT', 'gridSearch takes { grid, build, x, y, ... }');
  if (typeof args.build !== 'function') throw new LwError('BAD_ARGUMENT', 'gridSearch: build must be a function (params) => compiled model');
  if (args.mode !== undefined && args.mode !== 'min' && args.mode !== 'max') throw new LwError('BAD_ARGUMENT', `gridSearch: mode must be 'min' or 'max', got ${String(args.mode)}`);
  const started = Date.now();
  const points = gridPoints(args.grid);
  checkRows(args.x, args.y, 'gridSearch');
  let metric = args.metric;
  const unranked: Omit<GridResult<GridPoint<G>>, 'rank' | 'score' | 'scoreStd'>[] = [];
  for (let i = 0; i < points.length; i++) {
    const params = points[i];
    const cv = await crossValidate((info) => args.build(params, info), args.x, args.y, {
      ...args, onFold: args.onFold ? (f) => args.onFold!(params, f) : undefined,
    });
    metric ??= 'val_acc' in cv.mean ? 'val_acc' : 'val_loss';
    if (!(metric in cv.mean)) {
      throw new LwError('BAD_ARGUMENT', `gridSearch: metric "${metric}" is not among the held-out metrics ${Object.keys(cv.mean).join(', ')}`);
    }
    const entry = { params, mean: cv.mean, std: cv.std, folds: cv.folds, paramCount: cv.params, seconds: cv.seconds };
    unranked.push(entry);
    await args.onResult?.({ ...entry, score: cv.mean[metric], scoreStd: cv.std[metric], rank: 0 }, i, points.length);
  }
  const m = metric!;
  const mode = args.mode ?? metricMode(m);
  const sign = mode === 'max' ? -1 : 1;
  // stable sort: equal scores keep grid order
  const results = unranked
    .map((r) => ({ ...r, score: r.mean[m], scoreStd: r.std[m], rank: 0 }))
    .sort((a, b) => sign * (a.score - b.score))
    .map((r, i) => ({ ...r, rank: i + 1 }));
  const out: GridSearchResult<GridPoint<G>> = { metric: m, mode, results, best: results[0], seconds: 0 };
  if (args.refit ?? true) {
    const model = await buildChecked((info) => args.build(results[0].params, info), -1, args.seed, 'gridSearch');
    const history: History = await model.fit(args.x as DataLike, args.y as DataLike, {
      verbose: 0, ...args.fit, epochs: args.epochs ?? 1, batchSize: args.batchSize ?? 32, seed: args.seed,
    });
    out.bestModel = model;
    out.refitHistory = history.history;
  }
  out.seconds = (Date.now() - started) / 1000;
  return out;
}

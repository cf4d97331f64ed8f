import type { Tokenizer } from '../../data/tokenizer.js';
import type { LayersModel } from '../../model/model.js';
import type { Tensor } from '../../tensor.js';
import type { TrainOptions } from '../options.js';
import type { Preprocessing } from '../preprocessing.js';

/** Model inputs and targets. */
export interface Encoded {
  x: Tensor;
  y: Tensor;
}

export interface Fitted {
  prep: Preprocessing;
  data: Encoded;
  tokenizer?: Tokenizer;
  /** What was read, for the run's first lines. */
  describe: string;
}

/** Columns named on the command line of evaluate / predict (default: the ones trained on). */
export interface ColumnFlags {
  textColumn?: string;
  labelColumn?: string;
  column?: string;
}

/** One prediction: a class and its probability, a number, numbers (forecast steps) or a next token. */
export type Prediction =
  | { label: string; probability: number }
  | { value: number }
  | { values: number[] }
  | { token: string; probability: number };

/** What each task does to data: fit preprocessing, encode labelled data, predict, extra metrics. */
export interface TaskHandler {
  fit(opts: TrainOptions): Promise<Fitted>;
  /** A labelled file through the saved preprocessing (evaluate). */
  encode(prep: Preprocessing, file: string, cols: ColumnFlags): Promise<Encoded>;
  /** Metrics beyond the model's loss and metrics (precision, original units, bits per character). */
  extraMetrics(prep: Preprocessing, model: LayersModel, data: Encoded, logs: Record<string, number>): Record<string, number>;
  /** Predictions for a --data file or texts / numbers given on the command line. */
  predict(prep: Preprocessing, model: LayersModel, input: { file?: string; args: string[] }, cols: ColumnFlags): Promise<Prediction[]>;
  /** Training logs worth adding to the final metrics (e.g. bits per character from the loss). */
  derived?(prep: Preprocessing, logs: Record<string, number>): Record<string, number>;
}

export const pct = (v: number) => `${(100 * v).toFixed(v < 0.1 ? 1 : 0)}%`;
export const count = (n: number) => n.toLocaleString('en-US');

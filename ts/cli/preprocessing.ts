// preprocessing.json: everything besides the weights that turns raw data into model inputs and
// model outputs back into labels or numbers (tokenizer, scaler, label names, lengths, task).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '../data/tokenizer.js';
import { StandardScaler } from '../data/standard-scaler.js';
import { CliError } from './errors.js';
import { TASKS, type ModelSpec, type Task } from './options.js';

const PREPROCESSING_FILE = 'preprocessing.json';
const FORMAT = 'lstm-wasm-cli-preprocessing';

export interface Preprocessing {
  format: typeof FORMAT;
  version: 1;
  task: Task;
  /** Text tasks: the columns trained on (defaults for evaluate / predict). */
  textColumn?: string;
  labelColumn?: string;
  /** Text tasks and language models: tokens per input. */
  maxLen?: number;
  /** Tokenizer.toJSON() (Keras format). */
  tokenizer?: Record<string, unknown>;
  /** Classifiers: class names by output index (binary: [negative, positive]). */
  labels?: string[];
  /** Regression: StandardScaler.toJSON() of the target. */
  targetScaler?: Record<string, unknown>;
  /** Forecast: the series column (tables), window, horizon and StandardScaler.toJSON() of the series. */
  column?: string;
  window?: number;
  horizon?: number;
  scaler?: Record<string, unknown>;
  /** Language model. */
  level?: 'char' | 'word';
  /** The network and how it was trained. */
  model: ModelSpec;
  training: { epochs: number; batchSize: number; validationSplit: number; seed: number; samples: number };
}

export function newPreprocessing(task: Task, model: ModelSpec, training: Preprocessing['training']): Preprocessing {
  return { format: FORMAT, version: 1, task, model, training };
}

export async function savePreprocessing(dir: string, prep: Preprocessing): Promise<string> {
  const path = join(dir, PREPROCESSING_FILE);
  await writeFile(path, `${JSON.stringify(prep, null, 1)}\n`);
  return path;
}

/** Reads and checks DIR/preprocessing.json. */
export async function loadPreprocessing(dir: string): Promise<Preprocessing> {
  const path = join(dir, PREPROCESSING_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(code === 'ENOENT' || code === 'ENOTDIR'
      ? `--model ${dir}: no ${PREPROCESSING_FILE} there (give the --out folder of lstm-wasm train or select)`
      : `cannot read ${path}: ${code ?? (err as Error).message}`);
  }
  let json: Preprocessing;
  try {
    json = JSON.parse(text) as Preprocessing;
  } catch (err) {
    throw new CliError(`${path} is not valid JSON (${(err as Error).message})`);
  }
  if (json?.format !== FORMAT || json.version !== 1 || !TASKS.includes(json.task)) {
    throw new CliError(`${path} is not an lstm-wasm ${PREPROCESSING_FILE} (format ${JSON.stringify(FORMAT)}, version 1, a known task)`);
  }
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new CliError(`${path}: ${what} is missing or malformed for task ${json.task}`);
  };
  const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  if (json.task === 'forecast') {
    need(int(json.window) && int(json.horizon), 'window / horizon');
    need(typeof json.scaler === 'object' && json.scaler !== null, 'scaler');
  } else {
    need(int(json.maxLen), 'maxLen');
    need(typeof json.tokenizer === 'object' && json.tokenizer !== null, 'tokenizer');
  }
  if (json.task === 'binary' || json.task === 'multiclass') need(Array.isArray(json.labels) && json.labels.length >= 2, 'labels');
  if (json.task === 'regression') need(typeof json.targetScaler === 'object' && json.targetScaler !== null, 'targetScaler');
  return json;
}

/** The tokenizer of a loaded preprocessing state; a bad one is a CliError naming the file. */
export function tokenizerOf(prep: Preprocessing): Tokenizer {
  try {
    return Tokenizer.fromJSON(prep.tokenizer);
  } catch (err) {
    throw new CliError(`${PREPROCESSING_FILE}: bad tokenizer (${(err as Error).message})`);
  }
}

export function scalerOf(json: Record<string, unknown> | undefined, what: string): StandardScaler {
  try {
    return StandardScaler.fromJSON(json);
  } catch (err) {
    throw new CliError(`${PREPROCESSING_FILE}: bad ${what} (${(err as Error).message.replace(/^\[[A-Z_]+\] /, '')})`);
  }
}

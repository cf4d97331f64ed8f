// Flags of train / select and each task's defaults.
import type { FlagSpecs, FlagValue } from './args.js';
import { CliError } from './errors.js';

export const TASKS = ['binary', 'multiclass', 'regression', 'forecast', 'language-model'] as const;
export type Task = (typeof TASKS)[number];
export const CELL_NAMES = ['lstm', 'gru', 'simpleRNN'] as const;
export type CellName = (typeof CELL_NAMES)[number];

/** The network: what `train` takes one of and `select` searches over (cell, units, layers). */
export interface ModelSpec {
  cell: CellName;
  units: number;
  layers: number;
  bidirectional: boolean;
  embeddingDim: number;
  learningRate: number;
  clipNorm?: number;
}

/** Everything a training run needs besides the network's shape. */
export interface TrainOptions {
  task: Task;
  data: string;
  textColumn?: string;
  labelColumn?: string;
  column?: string;
  /** Input length in tokens; undefined = from the data (text tasks). */
  maxLen?: number;
  vocab?: number;
  window: number;
  horizon: number;
  level: 'char' | 'word';
  stride: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  seed: number;
  out?: string;
  model: ModelSpec;
}

/** Flags both train and select take. */
export const DATA_FLAGS: FlagSpecs = {
  data: { type: 'string', help: 'training data: .csv, .tsv, .jsonl (text + label columns, or a numeric series) or .txt (text, or numbers)', placeholder: 'FILE' },
  task: { type: 'string', choices: TASKS, help: 'what to learn' },
  'text-column': { type: 'string', help: 'column with the text (default "text", else the first column)', placeholder: 'NAME' },
  'label-column': { type: 'string', help: 'column with the label / target (default "label", else the last column)', placeholder: 'NAME' },
  column: { type: 'string', help: 'forecast: the numeric column to forecast (default the only numeric one)', placeholder: 'NAME' },
  'max-len': { type: 'int', min: 1, help: 'tokens per input (default: text tasks 95th percentile of the lengths, at most 200; language model 40 chars / 10 words)' },
  vocab: { type: 'int', min: 2, help: 'keep the N-1 most frequent tokens (default 10000 words; all characters)' },
  'embedding-dim': { type: 'int', min: 1, help: 'embedding size (default 64; 32 for characters)' },
  window: { type: 'int', min: 1, help: 'forecast: steps in each input window (default 24)' },
  horizon: { type: 'int', min: 1, help: 'forecast: steps predicted after each window (default 1)' },
  level: { type: 'string', choices: ['char', 'word'], help: 'language model: characters (default) or words' },
  stride: { type: 'int', min: 1, help: 'language model: tokens between training windows (default 3 chars / 1 word)' },
  bidirectional: { type: 'bool', help: 'run every recurrent layer in both directions' },
  epochs: { type: 'int', min: 1, help: 'passes over the training data (default 10; forecast 20)' },
  'batch-size': { type: 'int', min: 1, help: 'samples per step (default 32; language model 64)' },
  'learning-rate': { type: 'number', min: Number.MIN_VALUE, help: 'Adam learning rate (default 0.001; language model 0.003)' },
  'clip-norm': { type: 'number', min: Number.MIN_VALUE, help: 'clip each gradient to this norm (default none; language model 1)' },
  seed: { type: 'int', min: 0, help: 'seed of weights, shuffles and splits (default 42)' },
  out: { type: 'string', help: 'folder for the model, preprocessing.json, metrics.json and training.svg (default runs/<task>-<time>)', placeholder: 'DIR' },
  json: { type: 'bool', help: 'print one JSON object (final metrics and history) as the last line of stdout' },
  quiet: { type: 'bool', help: 'no progress bar' },
  debug: { type: 'bool', help: 'print the stack of an internal error' },
};

export const TRAIN_FLAGS: FlagSpecs = {
  ...DATA_FLAGS,
  cell: { type: 'string', choices: CELL_NAMES, help: 'recurrent cell (default lstm)' },
  units: { type: 'int', min: 1, help: 'units per recurrent layer (default 64; forecast 32; language model 128)' },
  layers: { type: 'int', min: 1, help: 'stacked recurrent layers (default 1)' },
  'validation-split': { type: 'number', min: 0, below: 1, help: 'fraction held out for validation, from the end (default 0.1)' },
};

/** Which flags belong to which tasks (the others apply to all). */
const TASK_FLAGS: Record<string, readonly Task[]> = {
  'text-column': ['binary', 'multiclass', 'regression'],
  'label-column': ['binary', 'multiclass', 'regression'],
  'max-len': ['binary', 'multiclass', 'regression', 'language-model'],
  vocab: ['binary', 'multiclass', 'regression', 'language-model'],
  'embedding-dim': ['binary', 'multiclass', 'regression', 'language-model'],
  column: ['forecast'],
  window: ['forecast'],
  horizon: ['forecast'],
  level: ['language-model'],
  stride: ['language-model'],
};

function checkTaskFlags(flags: Record<string, FlagValue>, task: Task): void {
  for (const name of Object.keys(flags)) {
    const tasks = TASK_FLAGS[name];
    if (tasks && !tasks.includes(task)) throw new CliError(`--${name} does not apply to --task ${task} (only to ${tasks.join(', ')})`);
  }
}

export function requireString(flags: Record<string, FlagValue>, name: string, hint: string): string {
  const v = flags[name];
  if (v === undefined) throw new CliError(`--${name} is required: ${hint}`);
  return v as string;
}

/** Resolves the flags shared by train and select with the task's defaults; `model` comes from the caller. */
export function resolveTrainOptions(flags: Record<string, FlagValue>, model: Partial<ModelSpec>): TrainOptions {
  const data = requireString(flags, 'data', 'the training file (--data FILE)');
  const task = requireString(flags, 'task', `one of ${TASKS.join(', ')}`) as Task;
  checkTaskFlags(flags, task);
  const lm = task === 'language-model';
  const level = (flags.level as 'char' | 'word' | undefined) ?? 'char';
  const num = (name: string) => flags[name] as number | undefined;
  return {
    task, data,
    textColumn: flags['text-column'] as string | undefined,
    labelColumn: flags['label-column'] as string | undefined,
    column: flags.column as string | undefined,
    maxLen: num('max-len') ?? (lm ? (level === 'char' ? 40 : 10) : undefined),
    vocab: num('vocab') ?? (lm && level === 'char' ? undefined : 10000),
    window: num('window') ?? 24,
    horizon: num('horizon') ?? 1,
    level,
    stride: num('stride') ?? (level === 'char' ? 3 : 1),
    epochs: num('epochs') ?? (task === 'forecast' ? 20 : 10),
    batchSize: num('batch-size') ?? (lm ? 64 : 32),
    validationSplit: num('validation-split') ?? 0.1,
    seed: num('seed') ?? 42,
    out: flags.out as string | undefined,
    model: {
      cell: model.cell ?? 'lstm',
      units: model.units ?? (task === 'forecast' ? 32 : lm ? 128 : 64),
      layers: model.layers ?? 1,
      bidirectional: flags.bidirectional === true,
      embeddingDim: num('embedding-dim') ?? (lm && level === 'char' ? 32 : 64),
      learningRate: num('learning-rate') ?? (lm ? 0.003 : 0.001),
      clipNorm: num('clip-norm') ?? (lm ? 1 : undefined),
    },
  };
}

// binary, multiclass and regression: a text column → a label or a number.
import { padSequences } from '../../data/pad-sequences.js';
import { StandardScaler } from '../../data/standard-scaler.js';
import { Tokenizer } from '../../data/tokenizer.js';
import { binaryReport } from '../../report/classification.js';
import { Random } from '../../random.js';
import { Tensor } from '../../tensor.js';
import { OOV_TOKEN } from '../../text/language-model.js';
import { labelValues, numberValues, requireColumn, textAndLabelColumns, textValues } from '../columns.js';
import { fileKind, readTable, readText, type Table } from '../data-file.js';
import { CliError } from '../errors.js';
import type { TrainOptions } from '../options.js';
import { newPreprocessing, scalerOf, tokenizerOf, type Preprocessing } from '../preprocessing.js';
import { count, pct, type ColumnFlags, type Encoded, type Fitted, type Prediction, type TaskHandler } from './task.js';

const MAX_AUTO_LEN = 200;
const NOT_A_NUMBER = 'task regression predicts numbers (use --task binary or multiclass for class labels)';

/** Sorted distinct labels: numerically when all are numbers ("2" before "10"), else by text. */
function sortedLabels(labels: string[]): string[] {
  const names = [...new Set(labels)];
  const numeric = names.every((n) => Number.isFinite(Number(n)));
  return names.sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
}

function checkClasses(task: 'binary' | 'multiclass', names: string[], col: string, rows: number, path: string): void {
  const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')}, ...` : names.join(', ');
  if (names.length < 2) throw new CliError(`${path}: column ${JSON.stringify(col)} has only one label (${shown}); a classifier needs at least 2`);
  if (task === 'binary' && names.length > 2) {
    throw new CliError(`${path}: --task binary needs exactly 2 labels, column ${JSON.stringify(col)} has ${names.length} (${shown}); use --task multiclass`);
  }
  if (task === 'multiclass' && names.length > 50 && names.length > rows / 2 && names.every((n) => Number.isFinite(Number(n)))) {
    throw new CliError(`${path}: column ${JSON.stringify(col)} has ${names.length} different numbers in ${rows} rows: it looks like a number to predict; use --task regression`);
  }
}

/** Default input length: the 95th percentile of the token counts, between 1 and 200. */
function autoMaxLen(seqs: number[][]): number {
  const lens = seqs.map((s) => s.length).sort((a, b) => a - b);
  return Math.max(1, Math.min(MAX_AUTO_LEN, lens[Math.min(lens.length - 1, Math.ceil(0.95 * lens.length) - 1)]));
}

function encodeTexts(prep: Preprocessing, tok: Tokenizer, texts: string[]): Tensor {
  return padSequences(tok.textsToSequences(texts), { maxLen: prep.maxLen! });
}

async function tableFor(task: string, file: string): Promise<Table> {
  if (fileKind(file) === 'txt') throw new CliError(`${file}: --task ${task} reads a table (.csv, .tsv or .jsonl) with a text column and a label column, not a .txt file`);
  return readTable(file);
}

function targetsOf(prep: Preprocessing, table: Table, col: string): Float32Array {
  if (prep.task === 'regression') {
    const v = numberValues(table, col, NOT_A_NUMBER);
    return scalerOf(prep.targetScaler, 'target scaler').transform(Float32Array.from(v)).dataSync() as Float32Array;
  }
  const index = new Map(prep.labels!.map((l, i) => [l, i]));
  return Float32Array.from(labelValues(table, col), (l, i) => {
    const k = index.get(l);
    if (k === undefined) throw new CliError(`${table.path}: row ${i + 1} has label ${JSON.stringify(l)}, which the model does not know (its labels are ${prep.labels!.join(', ')})`);
    return k;
  });
}

const permute = <T>(values: T[], order: number[]): T[] => order.map((i) => values[i]);

/** MAE and RMSE after undoing the target scaling. */
export function originalUnitErrors(scaler: StandardScaler, pred: ArrayLike<number>, truth: ArrayLike<number>): Record<string, number> {
  const p = scaler.inverseTransform(Float32Array.from(pred)).dataSync();
  const t = scaler.inverseTransform(Float32Array.from(truth)).dataSync();
  let abs = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    abs += Math.abs(p[i] - t[i]);
    sq += (p[i] - t[i]) ** 2;
  }
  return { mae_original_units: abs / p.length, rmse_original_units: Math.sqrt(sq / p.length) };
}

/** Texts of a predict --data file: lines of a .txt, or the text column of a table. */
async function textsToPredict(prep: Preprocessing, file: string, cols: ColumnFlags): Promise<string[]> {
  if (fileKind(file) === 'txt') return (await readText(file)).split(/\r?\n/).filter((l) => l.trim() !== '');
  const table = await readTable(file);
  const wanted = cols.textColumn ?? prep.textColumn!;
  const col = cols.textColumn === undefined && !table.columns.includes(wanted) && table.columns.length === 1 ? table.columns[0] : requireColumn(table, wanted, 'text-column');
  return textValues(table, col);
}

export const textTask: TaskHandler = {
  async fit(opts: TrainOptions): Promise<Fitted> {
    const task = opts.task as 'binary' | 'multiclass' | 'regression';
    const table = await tableFor(task, opts.data);
    const cols = textAndLabelColumns(table, opts.textColumn, opts.labelColumn);
    // read (and check, with the file's row numbers) first, then shuffle once so that the validation
    // rows (taken from the end) are not one class of a sorted file
    const n = table.rows.length;
    const order = Array.from(table.rows.keys());
    new Random(opts.seed).shuffle(order);
    const texts = permute(textValues(table, cols.text), order);
    const nTrain = n - Math.floor(n * opts.validationSplit);
    const prep = newPreprocessing(task, opts.model, { epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: opts.validationSplit, seed: opts.seed, samples: n });
    prep.textColumn = cols.text;
    prep.labelColumn = cols.label;
    let about: string;
    let targets: Float32Array;
    if (task === 'regression') {
      const v = Float32Array.from(permute(Array.from(numberValues(table, cols.label, NOT_A_NUMBER)), order));
      const scaler = new StandardScaler().fit(v.subarray(0, nTrain));
      prep.targetScaler = scaler.toJSON();
      targets = scaler.transform(v).dataSync() as Float32Array;
      about = `target mean ${scaler.mean![0].toPrecision(4)}, std ${Math.sqrt(scaler.variance![0]).toPrecision(4)} (standardised for training)`;
    } else {
      const labels = permute(labelValues(table, cols.label), order);
      const names = sortedLabels(labels);
      checkClasses(task, names, cols.label, n, table.path);
      prep.labels = names;
      const index = new Map(names.map((l, i) => [l, i]));
      targets = Float32Array.from(labels, (l) => index.get(l)!);
      const freq = names.map((name) => `${name} ${pct(labels.filter((l) => l === name).length / n)}`);
      about = `${names.length} labels: ${freq.length > 8 ? `${freq.slice(0, 8).join(', ')}, ...` : freq.join(', ')}`;
    }
    // the tokenizer learns only from the training rows
    const tok = new Tokenizer({ numWords: opts.vocab, oovToken: OOV_TOKEN });
    tok.fitOnTexts(texts.slice(0, nTrain));
    const seqs = tok.textsToSequences(texts);
    if (seqs.every((s) => s.length === 0)) throw new CliError(`${table.path}: column ${JSON.stringify(cols.text)} has no words`);
    prep.maxLen = opts.maxLen ?? autoMaxLen(seqs);
    prep.tokenizer = tok.toJSON();
    const x = padSequences(seqs, { maxLen: prep.maxLen });
    const y = new Tensor(targets, [n, 1]);
    const words = tok.wordIndex.size - 1;
    const kept = Math.min(words, (opts.vocab ?? Infinity) - 2);
    return {
      prep, tokenizer: tok, data: { x, y },
      describe: `${task}: ${count(n)} rows of ${JSON.stringify(cols.text)} → ${JSON.stringify(cols.label)}; ${about}; ${count(words)} distinct words (${count(kept)} kept), max-len ${prep.maxLen}`,
    };
  },

  async encode(prep, file, cols): Promise<Encoded> {
    const table = await tableFor(prep.task, file);
    const text = requireColumn(table, cols.textColumn ?? prep.textColumn!, 'text-column');
    const label = requireColumn(table, cols.labelColumn ?? prep.labelColumn!, 'label-column');
    const x = encodeTexts(prep, tokenizerOf(prep), textValues(table, text));
    return { x, y: new Tensor(targetsOf(prep, table, label), [table.rows.length, 1]) };
  },

  extraMetrics(prep, model, data) {
    const pred = (model.predict(data.x, { batchSize: 256 }) as Tensor).dataSync();
    const truth = data.y.dataSync();
    if (prep.task === 'binary') {
      const r = binaryReport(pred, truth);
      return { precision: r.precision, recall: r.recall, f1: r.f1 };
    }
    if (prep.task === 'regression') return originalUnitErrors(scalerOf(prep.targetScaler, 'target scaler'), pred, truth);
    return {};
  },

  async predict(prep, model, input, cols): Promise<Prediction[]> {
    const texts = input.file ? await textsToPredict(prep, input.file, cols) : input.args;
    if (texts.length === 0) throw new CliError('nothing to predict: give --data FILE or texts after the options');
    const out = model.predict(encodeTexts(prep, tokenizerOf(prep), texts), { batchSize: 256 }) as Tensor;
    const p = out.dataSync();
    const k = out.shape[1];
    const scaler = prep.task === 'regression' ? scalerOf(prep.targetScaler, 'target scaler') : null;
    const values = scaler ? scaler.inverseTransform(Float32Array.from(p)).dataSync() : null;
    return texts.map((_, i): Prediction => {
      if (values) return { value: values[i] };
      if (prep.task === 'binary') return p[i] > 0.5 ? { label: prep.labels![1], probability: p[i] } : { label: prep.labels![0], probability: 1 - p[i] };
      let best = 0;
      for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
      return { label: prep.labels![best], probability: p[i * k + best] };
    });
  },
};

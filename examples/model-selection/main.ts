// Model selection on the spam task (the seed FAQ's "how many units, which cell?"): k-fold
// cross-validation over LSTM / GRU / SimpleRNN × units on the SpamAssassin training e-mails, a
// leaderboard (mean ± std of held-out accuracy, parameters, time), then the best configuration
// retrained on all training e-mails and scored on e-mails no fold ever saw.
// The same from the command line, on a CSV of texts and labels:
//   npx lstm-wasm select --data spam.csv --task binary --cells lstm,gru,simpleRNN --units 16,32 --folds 3 --epochs 3
// One command: `npm run example:model-selection` (options: --limit N, --folds N, --epochs N, --seed N).
import * as lw from 'lstm-wasm';
import { loadSpamAssassin, spamEncoder, spamSplit } from '../spam-data.js';
import { argNumber, isMain } from '../lib/cli.js';
import { logOf, type ExampleOptions } from '../lib/options.js';
import { stopwatch } from '../lib/timing.js';

export interface ModelSelectionOptions extends Omit<ExampleOptions, 'verbose'> {
  /** Use this many e-mails (default all, about 6,000). */
  limit?: number;
  cells?: ('lstm' | 'gru' | 'simpleRNN')[];
  units?: number[];
  folds?: number;
  epochs?: number;
  maxLen?: number;
  vocab?: number;
}

export interface ModelSelectionResult {
  search: lw.selection.GridSearchResult<{ cell: 'lstm' | 'gru' | 'simpleRNN'; units: number }>;
  leaderboard: string;
  /** The best configuration, retrained on all training e-mails, on the held-out test e-mails. */
  test: lw.report.BinaryReport;
  trainSize: number;
  testSize: number;
  seconds: number;
}

const EMBEDDING = 32;

export async function runModelSelection(opts: ModelSelectionOptions = {}): Promise<ModelSelectionResult> {
  const elapsed = stopwatch();
  const log = logOf(opts);
  const seed = opts.seed ?? 42;
  const maxLen = opts.maxLen ?? 50;
  const vocab = opts.vocab ?? 10000;
  await lw.ready();

  const data = loadSpamAssassin();
  const { trainIdx, testIdx } = spamSplit(data, seed, opts.limit);
  // the tokenizer sees the training e-mails only; the folds share it (a small, usual shortcut)
  const { tokenizer, encode, targets } = spamEncoder(data, trainIdx, vocab, maxLen);
  const x = encode(trainIdx);
  const y = targets(trainIdx);
  const inputDim = Math.min(vocab, tokenizer.wordIndex.size + 1);

  const grid = { cell: opts.cells ?? ['lstm', 'gru', 'simpleRNN'], units: opts.units ?? [16, 32] };
  const folds = opts.folds ?? 3;
  const epochs = opts.epochs ?? 3;
  const points = grid.cell.length * grid.units.length;
  log(`SpamAssassin: ${trainIdx.length} e-mails for ${folds}-fold cross-validation, ${testIdx.length} held out for the test; ${points} configurations, ${epochs} epochs each; backend ${lw.getBackend()}`);

  const build = ({ cell, units }: { cell: 'lstm' | 'gru' | 'simpleRNN'; units: number }) => {
    const recurrent = cell === 'lstm' ? lw.layers.lstm({ units }) : cell === 'gru' ? lw.layers.gru({ units }) : lw.layers.simpleRNN({ units });
    const model = lw.sequential([
      lw.layers.embedding({ inputDim, outputDim: EMBEDDING, inputLength: maxLen, maskZero: true }),
      recurrent,
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    return model;
  };

  const search = await lw.selection.gridSearch({
    grid, build, x, y, folds, epochs, batchSize: 64, seed,
    onResult: (r, i) => log(`[${i + 1}/${points}] ${r.params.cell} ${r.params.units} units: val_acc ${r.score.toFixed(4)} ± ${r.scoreStd.toFixed(4)} (${r.seconds.toFixed(1)} s)`),
  });
  const leaderboard = lw.selection.formatLeaderboard(search);
  log('');
  log(leaderboard);

  const scores = (search.bestModel!.predict(encode(testIdx), { batchSize: 256 }) as lw.Tensor).dataSync();
  const test = lw.report.binaryReport(scores, testIdx.map((i) => data.labels[i]));
  const seconds = elapsed();
  log('');
  log(`best: ${search.best.params.cell} with ${search.best.params.units} units, retrained on all ${trainIdx.length} training e-mails: test accuracy ${(test.accuracy * 100).toFixed(2)}% (precision ${(test.precision * 100).toFixed(2)}%, recall ${(test.recall * 100).toFixed(2)}%) on ${testIdx.length} e-mails`);
  log(`done in ${seconds.toFixed(1)} s`);
  return { search, leaderboard, test, trainSize: trainIdx.length, testSize: testIdx.length, seconds };
}

if (isMain(import.meta.url)) {
  await runModelSelection({ limit: argNumber('limit'), folds: argNumber('folds'), epochs: argNumber('epochs'), seed: argNumber('seed') });
}

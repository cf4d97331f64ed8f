// The main job (`npm start`): the seed article's model on the SpamAssassin corpus, end to end.
// Tokenises subject + body (10,000 most frequent words, padded/truncated to 50), trains
// embedding 10000x64 → LSTM 64 (sequences) → LSTM 32 → dense sigmoid with Adam and binary
// cross-entropy at batch 64, reports held-out accuracy, precision, recall and the confusion
// matrix, and writes the model (TF.js format), the tokenizer and a training plot to runs/<time>/.
// Options: --epochs N (default 10), --limit N (use N e-mails), --out DIR, --seed N.
import * as lw from 'lstm-wasm';
import { loadSpamAssassin, spamEncoder, spamSplit } from '../spam-data.js';
import { argNumber, argString, isMain } from '../lib/cli.js';
import { startRun, type RunFolderOptions, type RunFolderResult } from '../lib/options.js';
import { RunFolder } from '../lib/run-folder.js';

export interface MainJobOptions extends RunFolderOptions {
  epochs?: number;
  limit?: number;
}

export interface MainJobResult extends RunFolderResult {
  report: lw.report.BinaryReport;
  history: Record<string, number[]>;
  seconds: number;
}

const VOCAB = 10000;
const MAX_LEN = 50;

export async function runMainJob(opts: MainJobOptions = {}): Promise<MainJobResult> {
  const { elapsed, log, seed } = await startRun(opts, 42);

  const data = loadSpamAssassin();
  const { trainIdx, testIdx } = spamSplit(data, seed, opts.limit);
  const { labels } = data;
  const used = [...testIdx, ...trainIdx];
  log(`SpamAssassin: ${used.length} e-mails (${used.filter((i) => labels[i] === 1).length} spam); ${trainIdx.length} for training (10% of them for validation), ${testIdx.length} held out for the test`);

  const { tokenizer, encode, targets } = spamEncoder(data, trainIdx, VOCAB, MAX_LEN);
  const xTrain = encode(trainIdx);
  const yTrain = targets(trainIdx);
  const xTest = encode(testIdx);

  const model = lw.sequential([
    lw.layers.embedding({ inputDim: VOCAB, outputDim: 64, inputLength: MAX_LEN }),
    lw.layers.lstm({ units: 64, returnSequences: true }),
    lw.layers.lstm({ units: 32 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  model.summary(80, log);
  log(`backend: ${lw.getBackend()}`);

  const { history } = await model.fit(xTrain, yTrain, {
    epochs: opts.epochs ?? 10, batchSize: 64, validationSplit: 0.1, seed, verbose: opts.verbose ?? 1,
  });

  const scores = (model.predict(xTest, { batchSize: 256 }) as lw.Tensor).dataSync();
  const report = lw.report.binaryReport(scores, testIdx.map((i) => labels[i]));
  log('');
  log(`test accuracy ${(report.accuracy * 100).toFixed(2)}%   precision ${(report.precision * 100).toFixed(2)}%   recall ${(report.recall * 100).toFixed(2)}%   F1 ${(report.f1 * 100).toFixed(2)}%   (${report.support} e-mails)`);
  log(lw.report.formatConfusion(report.confusion, ['ham', 'spam']));

  const run = new RunFolder(opts.out);
  await model.save(`file://${run.path('model')}`);
  run.add(run.path('model', 'model.json'), run.path('model', 'weights.bin'));
  run.write('tokenizer.json', JSON.stringify(tokenizer.toJSON()));
  run.writeJson('metrics.json', { test: report, history, maxLen: MAX_LEN, vocab: VOCAB });
  await run.writeChart('training', lw.report.historySvg(history, 'Seed LSTM on SpamAssassin: loss and accuracy per epoch'));
  const seconds = elapsed();
  log(run.summary());
  log(`done in ${seconds.toFixed(1)} s`);
  return { report, history, outDir: run.dir, files: run.files, seconds };
}

if (isMain(import.meta.url)) {
  await runMainJob({ epochs: argNumber('epochs'), limit: argNumber('limit'), seed: argNumber('seed'), out: argString('out') });
}

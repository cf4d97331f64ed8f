// The main job (`npm start`): the seed article's model on the SpamAssassin corpus, end to end.
// Tokenises subject + body (10,000 most frequent words, padded/truncated to 50), trains
// embedding 10000x64 → LSTM 64 (sequences) → LSTM 32 → dense sigmoid with Adam and binary
// cross-entropy at batch 64, reports held-out accuracy, precision, recall and the confusion
// matrix, and writes the model (TF.js format), the tokenizer and a training plot to runs/<time>/.
// Options: --epochs N (default 10), --limit N (use N e-mails), --out DIR, --seed N.
import * as lw from 'lstm-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSpamAssassin } from '../spam-data.js';
import { writePng } from '../lib/png.js';

export interface MainJobOptions {
  epochs?: number;
  limit?: number;
  seed?: number;
  /** Run folder; default runs/<timestamp> */
  out?: string;
  verbose?: 0 | 1 | 2;
  log?: (line: string) => void;
}

export interface MainJobResult {
  report: lw.report.BinaryReport;
  history: Record<string, number[]>;
  outDir: string;
  files: string[];
  seconds: number;
}

const VOCAB = 10000;
const MAX_LEN = 50;

export async function runMainJob(opts: MainJobOptions = {}): Promise<MainJobResult> {
  const started = Date.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const seed = opts.seed ?? 42;
  await lw.ready();
  lw.setSeed(seed);

  const { texts, labels } = loadSpamAssassin();
  const order = Array.from(texts.keys());
  new lw.Random(seed).shuffle(order);
  const take = order.slice(0, opts.limit ?? order.length);
  const nTest = Math.floor(take.length * 0.2);
  const testIdx = take.slice(0, nTest);
  const trainIdx = take.slice(nTest);
  log(`SpamAssassin: ${take.length} e-mails (${take.filter((i) => labels[i] === 1).length} spam); ${trainIdx.length} for training (10% of them for validation), ${testIdx.length} held out for the test`);

  const tokenizer = new lw.data.Tokenizer({ numWords: VOCAB });
  tokenizer.fitOnTexts(trainIdx.map((i) => texts[i]));
  const encode = (idx: number[]) => lw.data.padSequences(tokenizer.textsToSequences(idx.map((i) => texts[i])), { maxLen: MAX_LEN });
  const xTrain = encode(trainIdx);
  const yTrain = lw.tensor(trainIdx.map((i) => [labels[i]]));
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

  const outDir = resolve(opts.out ?? join('runs', new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)));
  mkdirSync(outDir, { recursive: true });
  await model.save(`file://${join(outDir, 'model')}`);
  const files = [join(outDir, 'model', 'model.json'), join(outDir, 'model', 'weights.bin')];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(outDir, name), data);
    files.push(join(outDir, name));
  };
  write('tokenizer.json', JSON.stringify(tokenizer.toJSON()));
  write('metrics.json', JSON.stringify({ test: report, history, maxLen: MAX_LEN, vocab: VOCAB }, null, 2));
  const svg = lw.report.historySvg(history, 'Seed LSTM on SpamAssassin: loss and accuracy per epoch');
  write('training.svg', svg);
  const png = await writePng(svg, join(outDir, 'training.png'));
  if (png) files.push(png);
  const seconds = (Date.now() - started) / 1000;
  log(`wrote ${files.map((f) => f.replace(`${process.cwd()}/`, '')).join(', ')}`);
  log(`done in ${seconds.toFixed(1)} s`);
  return { report, history, outDir, files, seconds };
}

const isMain = typeof process !== 'undefined' && process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  await runMainJob({ epochs: num('epochs'), limit: num('limit'), seed: num('seed'), out: arg('out') });
}

// The seed article's Keras example, verbatim in lstm-wasm, on real data (SpamAssassin):
//   Embedding(10000, 64, input_length=50) → LSTM(64, return_sequences) → LSTM(32) → Dense(1, sigmoid)
//   adam, binary_crossentropy, accuracy, 10 epochs, batch 64; prints held-out accuracy.
// Run: npm run example:seed   (options: --epochs N --limit N for a quick run)
import * as lw from 'lstm-wasm';
import { loadSpamAssassin, spamEncoder, spamSplit } from './spam-data.js';
import { argNumber, isMain } from './lib/cli.js';
import { stopwatch } from './lib/timing.js';

export interface SeedExampleResult {
  testAccuracy: number;
  testLoss: number;
  history: Record<string, number[]>;
  seconds: number;
  samples: { train: number; test: number };
}

export async function runSeedExample(opts: { epochs?: number; limit?: number; seed?: number; verbose?: 0 | 1 } = {}): Promise<SeedExampleResult> {
  const elapsed = stopwatch();
  await lw.ready();
  const seed = opts.seed ?? 42;
  lw.setSeed(seed);
  // Shuffle once (seeded), then hold out 20% for the test.
  const data = loadSpamAssassin();
  const { trainIdx, testIdx } = spamSplit(data, seed, opts.limit);
  const { encode, targets } = spamEncoder(data, trainIdx, 10000, 50);
  const xTrain = encode(trainIdx);
  const xTest = encode(testIdx);
  const yTrain = targets(trainIdx);
  const yTest = targets(testIdx);

  const model = lw.sequential([
    lw.layers.embedding({ inputDim: 10000, outputDim: 64, inputLength: 50 }),
    lw.layers.lstm({ units: 64, returnSequences: true }),
    lw.layers.lstm({ units: 32 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const { history } = await model.fit(xTrain, yTrain, { epochs: opts.epochs ?? 10, batchSize: 64, seed, verbose: opts.verbose ?? 1 });
  const [testLoss, testAccuracy] = model.evaluate(xTest, yTest, { batchSize: 256 }) as number[];
  return { testAccuracy, testLoss, history, seconds: elapsed(), samples: { train: trainIdx.length, test: testIdx.length } };
}

if (isMain(import.meta.url)) {
  const r = await runSeedExample({ epochs: argNumber('epochs'), limit: argNumber('limit') });
  console.log(`backend ${lw.getBackend()}: ${r.samples.train} training e-mails, ${r.samples.test} held out`);
  console.log(`held-out accuracy ${(r.testAccuracy * 100).toFixed(2)}% (loss ${r.testLoss.toFixed(4)}) in ${r.seconds.toFixed(1)} s`);
}

// The seed article's Keras example, verbatim in lstm-wasm, on real data (SpamAssassin):
//   Embedding(10000, 64, input_length=50) → LSTM(64, return_sequences) → LSTM(32) → Dense(1, sigmoid)
//   adam, binary_crossentropy, accuracy, 10 epochs, batch 64; prints held-out accuracy.
// Run: npm run example:seed   (options: --epochs N --limit N for a quick run)
import * as lw from 'lstm-wasm';
import { loadSpamAssassin } from './spam-data.js';

export interface SeedExampleResult {
  testAccuracy: number;
  testLoss: number;
  history: Record<string, number[]>;
  seconds: number;
  samples: { train: number; test: number };
}

export async function runSeedExample(opts: { epochs?: number; limit?: number; seed?: number; verbose?: 0 | 1 } = {}): Promise<SeedExampleResult> {
  const started = Date.now();
  await lw.ready();
  const seed = opts.seed ?? 42;
  lw.setSeed(seed);
  const { texts, labels } = loadSpamAssassin();
  // Shuffle once (seeded), then hold out 20% for the test.
  const order = Array.from(texts.keys());
  new lw.Random(seed).shuffle(order);
  const take = order.slice(0, opts.limit ?? order.length);
  const nTest = Math.floor(take.length * 0.2);
  const testIdx = take.slice(0, nTest);
  const trainIdx = take.slice(nTest);

  const tokenizer = new lw.data.Tokenizer({ numWords: 10000 });
  tokenizer.fitOnTexts(trainIdx.map((i) => texts[i]));
  const encode = (idx: number[]) => lw.data.padSequences(tokenizer.textsToSequences(idx.map((i) => texts[i])), { maxLen: 50 });
  const xTrain = encode(trainIdx);
  const xTest = encode(testIdx);
  const yTrain = lw.tensor(trainIdx.map((i) => [labels[i]]));
  const yTest = lw.tensor(testIdx.map((i) => [labels[i]]));

  const model = lw.sequential([
    lw.layers.embedding({ inputDim: 10000, outputDim: 64, inputLength: 50 }),
    lw.layers.lstm({ units: 64, returnSequences: true }),
    lw.layers.lstm({ units: 32 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const { history } = await model.fit(xTrain, yTrain, { epochs: opts.epochs ?? 10, batchSize: 64, seed, verbose: opts.verbose ?? 1 });
  const [testLoss, testAccuracy] = model.evaluate(xTest, yTest, { batchSize: 256 }) as number[];
  return { testAccuracy, testLoss, history, seconds: (Date.now() - started) / 1000, samples: { train: trainIdx.length, test: testIdx.length } };
}

const isMain = typeof process !== 'undefined' && process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const r = await runSeedExample({ epochs: arg('epochs'), limit: arg('limit') });
  console.log(`backend ${lw.getBackend()}: ${r.samples.train} training e-mails, ${r.samples.test} held out`);
  console.log(`held-out accuracy ${(r.testAccuracy * 100).toFixed(2)}% (loss ${r.testLoss.toFixed(4)}) in ${r.seconds.toFixed(1)} s`);
}

// lstm-wasm in Deno: trains a small LSTM to tell whether a sequence of numbers sums to more than
// zero, then predicts a few new sequences. It imports the BUILT package through an import map
// (import_map.json: "lstm-wasm" -> ../../dist/index.js), which loads ../../wasm/kernels-simd.wasm
// from disk, so it needs read access to wasm/ and nothing else:
//
//   npm run build
//   deno run --allow-read=wasm --import-map examples/deno/import_map.json examples/deno/train.ts
//
// Prints one JSON line: { backend, losses, accuracy, predictions }.
import * as lw from 'lstm-wasm';

const STEPS = 12;

/** Deterministic generator so every run sees the same data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** `count` sequences of uniform numbers in [-1, 1); the label is 1 when the sequence sums above 0. */
function sequences(count: number, seed: number): { x: lw.Tensor; y: lw.Tensor } {
  const rand = lcg(seed);
  const x = new Float32Array(count * STEPS);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let t = 0; t < STEPS; t++) sum += x[i * STEPS + t] = 2 * rand() - 1;
    y[i] = sum > 0 ? 1 : 0;
  }
  return { x: lw.tensor(x, [count, STEPS, 1]), y: lw.tensor(y, [count, 1]) };
}

const backend = await lw.ready();
const train = sequences(512, 3);
const test = sequences(256, 4);

lw.setSeed(2);
const model = lw.sequential([
  lw.layers.lstm({ units: 8, inputShape: [STEPS, 1] }),
  lw.layers.dense({ units: 1, activation: 'sigmoid' }),
]);
model.compile({ optimizer: lw.train.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

const started = performance.now();
const { history } = await model.fit(train.x, train.y, { epochs: 20, batchSize: 32, seed: 1, verbose: 0 });
const trainMs = performance.now() - started;
const [testLoss, accuracy] = model.evaluate(test.x, test.y) as number[];

// Three new sequences: clearly positive, clearly negative, and positive only by its last steps.
const probe = lw.tensor([
  Array.from({ length: STEPS }, () => [0.5]),
  Array.from({ length: STEPS }, () => [-0.5]),
  Array.from({ length: STEPS }, (_, t) => [t < STEPS - 3 ? -0.2 : 1]),
]);
const predictions = Array.from((model.predict(probe) as lw.Tensor).dataSync());

console.log(JSON.stringify({ runtime: 'deno', backend, losses: history.loss, testLoss, accuracy, predictions, trainMs: Math.round(trainMs) }));

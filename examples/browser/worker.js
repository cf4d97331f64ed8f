// Module worker: trains a small LSTM to continue sine waves, off the page's main thread.
// It imports the BUILT package; dist/runtime finds the kernels at ../../wasm/ from its own URL,
// i.e. /wasm/kernels-simd.wasm, just as inside an installed package.
import * as lw from '/dist/index.js';

const STEPS = 32; // time steps seen per sample
const TRAIN = 1024;
const TEST = 256;
const EPOCHS = 20;

/** Deterministic generator so every run sees the same waves. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** `count` windows of sin(f t + p) with random frequency and phase; the target is the next value. */
function sineWindows(count, rand) {
  const x = new Float32Array(count * STEPS);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const freq = 0.2 + 0.4 * rand();
    const phase = 2 * Math.PI * rand();
    for (let t = 0; t < STEPS; t++) x[i * STEPS + t] = Math.sin(freq * t + phase);
    y[i] = Math.sin(freq * STEPS + phase);
  }
  return { x: lw.tensor(x, [count, STEPS, 1]), y: lw.tensor(y, [count, 1]), raw: { x, y } };
}

const post = (msg) => self.postMessage(msg);

async function main() {
  // Decided here, by the code that trains: a worker has no document and runs in a WorkerGlobalScope.
  const inWorker = typeof document === 'undefined' && typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;
  const backend = await lw.ready();
  post({ type: 'ready', backend, inWorker, crossOriginIsolated: self.crossOriginIsolated === true });

  const rand = lcg(7);
  const train = sineWindows(TRAIN, rand);
  const test = sineWindows(TEST, rand);

  lw.setSeed(1);
  const model = lw.sequential([
    lw.layers.lstm({ units: 32, inputShape: [STEPS, 1] }),
    lw.layers.dense({ units: 1 }),
  ]);
  model.compile({ optimizer: lw.train.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });

  const started = performance.now();
  const history = await model.fit(train.x, train.y, {
    epochs: EPOCHS,
    batchSize: 32,
    seed: 1,
    verbose: 0,
    callbacks: {
      onBatchEnd: (batch, logs) => post({ type: 'batch', loss: logs.loss }),
      onEpochEnd: (epoch, logs) => post({ type: 'epoch', epoch, loss: logs.loss }),
    },
  });
  const trainMs = performance.now() - started;

  // Held-out windows: the model against the naive forecast "the next value equals the last one".
  const testMse = model.evaluate(test.x, test.y);
  const predicted = model.predict(test.x).dataSync();
  let naiveMse = 0;
  for (let i = 0; i < TEST; i++) naiveMse += (test.raw.x[i * STEPS + STEPS - 1] - test.raw.y[i]) ** 2 / TEST;
  post({
    type: 'done',
    losses: history.history.loss,
    trainMs,
    testMse,
    naiveMse,
    // predict() agrees with evaluate(): the mean squared error of the predicted next values.
    predictMse: predicted.reduce((s, p, i) => s + (p - test.raw.y[i]) ** 2, 0) / TEST,
  });
}

main().catch((e) => post({ type: 'error', message: `${e?.name ?? 'Error'}: ${e?.message ?? e}` }));

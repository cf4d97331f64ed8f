// Thread-pool benchmark on the seed model: Embedding(10000, 64) over 50 tokens -> LSTM(64,
// returnSequences) -> LSTM(32) -> Dense(1, sigmoid), adam + binary cross-entropy + accuracy.
// Prints training samples/s at batch 64 and batch-1 predict latency for each thread count.
//
//   npx tsc -p tsconfig.bench.json && node dist-bench/bench/threads.js [--threads=1,2] [--rounds=6] [--quick]
//
// Every figure is a median over timed calls after a warm-up. Thread counts are measured in
// alternating rounds (1, 2, 2, 1, 1, 2, ...), so slow and fast spells of a shared machine hit both; the
// table gives the median over all rounds' calls (and the best round's median). The load average
// is printed before and after.
// Writes bench/results/threads-<YYYY-MM-DD>.json.
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as lw from '../ts/index.js';
import { cellCacheFloats, cellForward, cellWsFloats, createBackend, poolOf } from '../ts/kernels.js';
import { repoRoot } from './lib/backends.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { summarize, type Summary } from './lib/stats.js';
import { fmt, fmtRatio, isoDay, markdownTable, writeJson } from './lib/report.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = process.argv.includes('--quick');
const THREADS = (arg('threads') ?? '1,2').split(',').map(Number);
const ROUNDS = Number(arg('rounds') ?? (quick ? 1 : 6));
const BATCH = 64;
const TOKENS = 50;
const VOCAB = 10000;
/** Training steps per round (after warm-up) and predict calls per round. */
const TRAIN_STEPS = quick ? 8 : 20;
const PREDICT_CALLS = quick ? 50 : 300;
const WARMUP_MS = quick ? 300 : 1000;

const wasmDir = join(repoRoot(), 'wasm');
const wasm = {
  simd: pathToFileURL(join(wasmDir, 'kernels-simd.wasm')),
  scalar: pathToFileURL(join(wasmDir, 'kernels-scalar.wasm')),
  simdThreads: pathToFileURL(join(wasmDir, 'kernels-simd-threads.wasm')),
};

/** Seeded token ids and labels: `batches` training batches of BATCH rows. */
function makeData(batches: number) {
  const rand = new lw.Random(7);
  const xs: lw.Tensor[] = [];
  const ys: lw.Tensor[] = [];
  for (let b = 0; b < batches; b++) {
    const ids = new Int32Array(BATCH * TOKENS);
    for (let i = 0; i < ids.length; i++) ids[i] = 1 + Math.floor(rand.next() * (VOCAB - 1));
    const labels = new Float32Array(BATCH);
    for (let i = 0; i < BATCH; i++) labels[i] = rand.next() < 0.5 ? 1 : 0;
    xs.push(lw.tensor(ids, [BATCH, TOKENS], 'int32'));
    ys.push(lw.tensor(labels, [BATCH, 1]));
  }
  return { xs, ys, one: lw.tensor(xs[0].dataSync().slice(0, TOKENS), [1, TOKENS], 'int32') };
}

function seedModel(): lw.LayersModel {
  lw.setSeed(42);
  const model = lw.sequential([
    lw.layers.embedding({ inputDim: VOCAB, outputDim: 64, inputLength: TOKENS }),
    lw.layers.lstm({ units: 64, returnSequences: true }),
    lw.layers.lstm({ units: 32 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Calls fn for warmupMs, then times `calls` calls; milliseconds per call. */
function timeCalls(fn: () => void, calls: number, warmupMs: number): Summary & { samples: number[] } {
  const start = performance.now();
  do fn();
  while (performance.now() - start < warmupMs);
  const t: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return { ...summarize(t), samples: t };
}

/**
 * The seed model's two LSTM forwards at batch 1 (what predict runs) on a 1-thread and a
 * `threads`-thread backend, calls interleaved one by one so a drift of the machine's speed cannot
 * favour either; median µs per pair of forwards.
 */
async function batchOneKernels(threads: number): Promise<{ single: number; pooled: number }> {
  const backends = [await createBackend('simd', { wasm }), await createBackend('simd', { wasm, threads })];
  const runs = backends.map((b) => {
    const k = b.kernels;
    const buf = (n: number) => {
      const p = b.allocFloats(n);
      b.writeFloats(p, Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.3));
      return p;
    };
    const layer = (I: number, U: number) => {
      const G = 4 * U;
      const x = buf(TOKENS * I), kernel = buf(I * G), rec = buf(U * G), bias = buf(G), hs = buf(TOKENS * U), hT = buf(U), cT = buf(U);
      const dims = { B: 1, T: TOKENS, I, U };
      const cache = buf(cellCacheFloats(k, 'lstm', dims)), ws = buf(cellWsFloats(k, 'lstm', dims));
      return () => cellForward(k, 'lstm', { ...dims, x, kernel, recurrentKernel: rec, bias, hs, hT, cT, cache, ws });
    };
    const first = layer(64, 64);
    const second = layer(64, 32);
    return () => { first(); second(); };
  });
  const times: number[][] = [[], []];
  for (let i = 0; i < 200; i++) runs.forEach((r) => r());
  for (let i = 0; i < 2000; i++) {
    runs.forEach((r, j) => {
      const t0 = performance.now();
      r();
      times[j].push(performance.now() - t0);
    });
  }
  poolOf(backends[1])?.close();
  return { single: summarize(times[0]).median * 1000, pooled: summarize(times[1]).median * 1000 };
}

interface Row {
  threads: number;
  /** Medians over every timed call of every round. */
  trainMsPerBatch: number;
  trainSamplesPerSec: number;
  predictMs: number;
  /** The best round's medians. */
  bestTrainMsPerBatch: number;
  bestPredictMs: number;
  trainRounds: number[];
  predictRounds: number[];
  trainSamples: number[];
  predictSamples: number[];
}

async function main() {
  const machine = machineInfo();
  const loadBefore = os.loadavg();
  console.log(`# Thread-pool benchmark${quick ? ' (quick)' : ''}\n\n${describeMachine(machine)}`);
  console.log(`load average before: ${loadBefore.map((x) => x.toFixed(2)).join(' ')}\n`);
  const data = makeData(8);
  const rows = new Map<number, Row>();
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    // 1, 2, 2, 1, 1, 2, ...: a drift of the machine's speed hits every thread count alike.
    for (const threads of round % 2 === 0 ? THREADS : [...THREADS].reverse()) {
      await lw.ready({ backend: 'simd', threads, wasm });
      const got = lw.getThreads();
      if (got !== threads) throw new Error(`asked for ${threads} threads, the backend has ${got}`);
      const model = seedModel();
      let b = 0;
      const train = timeCalls(() => {
        model.trainOnBatch(data.xs[b], data.ys[b]);
        b = (b + 1) % data.xs.length;
      }, TRAIN_STEPS, WARMUP_MS);
      const predict = timeCalls(() => void model.predict(data.one), PREDICT_CALLS, WARMUP_MS / 3);
      model.dispose();
      const row = rows.get(threads) ?? {
        threads, trainMsPerBatch: NaN, trainSamplesPerSec: NaN, predictMs: NaN, bestTrainMsPerBatch: Infinity,
        bestPredictMs: Infinity, trainRounds: [], predictRounds: [], trainSamples: [], predictSamples: [],
      };
      row.trainRounds.push(train.median);
      row.predictRounds.push(predict.median);
      row.trainSamples.push(...train.samples);
      row.predictSamples.push(...predict.samples);
      row.trainMsPerBatch = summarize(row.trainSamples).median;
      row.trainSamplesPerSec = (BATCH / row.trainMsPerBatch) * 1000;
      row.predictMs = summarize(row.predictSamples).median;
      row.bestTrainMsPerBatch = Math.min(row.bestTrainMsPerBatch, train.median);
      row.bestPredictMs = Math.min(row.bestPredictMs, predict.median);
      rows.set(threads, row);
      console.log(`round ${round + 1}, ${threads} thread(s): train ${fmt(train.median)} ms/batch, predict ${fmt(predict.median * 1000)} µs`);
    }
  }
  await lw.ready({ threads: 1, wasm });
  const loadAfter = os.loadavg();
  const base = rows.get(THREADS[0])!;
  console.log('');
  console.log(markdownTable(
    ['threads', 'train ms/batch (B=64)', 'train samples/s', 'vs 1st', 'predict B=1 µs', 'vs 1st', 'best round: train ms, predict µs'],
    [...rows.values()].map((r) => [
      String(r.threads), fmt(r.trainMsPerBatch), fmt(r.trainSamplesPerSec), fmtRatio(r.trainSamplesPerSec / base.trainSamplesPerSec),
      fmt(r.predictMs * 1000), fmtRatio(base.predictMs / r.predictMs), `${fmt(r.bestTrainMsPerBatch)}, ${fmt(r.bestPredictMs * 1000)}`,
    ]),
  ));
  const b1 = THREADS.length > 1 ? await batchOneKernels(THREADS[THREADS.length - 1]) : undefined;
  if (b1) {
    console.log(`\nSeed LSTM forwards at batch 1, calls interleaved: ${fmt(b1.single)} µs on 1 thread, ` +
      `${fmt(b1.pooled)} µs on a ${THREADS[THREADS.length - 1]}-thread backend (${fmtRatio(b1.single / b1.pooled)})`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nMedians over ${ROUNDS} alternating round(s) of ${TRAIN_STEPS} training steps / ${PREDICT_CALLS} predict calls, each after a warm-up. ` +
    `"vs 1st": speed relative to ${THREADS[0]} thread(s) (>1 is faster). Took ${seconds.toFixed(0)} s.`);
  console.log(`load average after: ${loadAfter.map((x) => x.toFixed(2)).join(' ')}`);
  const file = join(repoRoot(), 'bench', 'results', `threads-${isoDay()}.json`);
  writeJson(file, {
    machine, loadBefore, loadAfter, batch: BATCH, rounds: ROUNDS, trainSteps: TRAIN_STEPS, predictCalls: PREDICT_CALLS, batchOneKernelsMicros: b1,
    rows: [...rows.values()].map(({ trainSamples, predictSamples, ...r }) => ({ ...r, trainCalls: trainSamples.length, predictCalls: predictSamples.length })),
  });
  console.log(`Wrote ${file}`);
}

await main();

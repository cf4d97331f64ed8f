#!/usr/bin/env node
// Long runs and full fuzz counts (`npm run soak`): 100,000 predict calls and 200 epochs of fit on
// an embedding → LSTM model, sampling the wasm memory, the backend heap, the JS heap (after gc) and
// the process RSS; then the fuzz and property tests with their full counts (LW_SOAK=1).
// Prints a JSON record (and writes it with --out FILE); exits 1 when anything grew after warm-up.
//
//   node --expose-gc scripts/soak.mjs [--predicts 100000] [--epochs 200] [--lib dist/index.js]
//                                     [--out FILE] [--skip-tests] [--json]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { predicts: 100_000, epochs: 200, lib: resolve(ROOT, 'dist/index.js'), out: null, skipTests: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--predicts') opts.predicts = Number(argv[++i]);
    else if (a === '--epochs') opts.epochs = Number(argv[++i]);
    else if (a === '--lib') opts.lib = resolve(argv[++i]);
    else if (a === '--out') opts.out = resolve(argv[++i]);
    else if (a === '--skip-tests') opts.skipTests = true;
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// Heap figures need a collection first: run again with --expose-gc when it is not on.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const log = (...a) => { if (!opts.json) console.error(...a); };
const lw = await import(pathToFileURL(opts.lib).href);
const { currentBackend } = await import(new URL('./runtime/ready.js', pathToFileURL(opts.lib)).href);

/** Deterministic token sequences and labels. */
function tokenData(n, len, vocab, seed) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * len);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const used = 1 + Math.floor(next() * len);
    for (let t = 0; t < used; t++) x[i * len + t] = 1 + Math.floor(next() * (vocab - 1));
    y[i] = x[i * len] % 2;
  }
  return { x: lw.tensor(x, [n, len]), y: lw.tensor(y, [n, 1]) };
}

function textModel() {
  lw.setSeed(1);
  const m = lw.sequential([
    lw.layers.embedding({ inputDim: 2000, outputDim: 32, inputLength: 40, maskZero: true }),
    lw.layers.lstm({ units: 32 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

function sample(done) {
  globalThis.gc();
  const b = currentBackend();
  const mem = process.memoryUsage();
  return { done, wasmBytes: b.memory.byteLength, heapUsed: b.heap.usedBytes, heapTop: b.heap.topBytes, jsHeapUsed: mem.heapUsed, rss: mem.rss };
}

/** Growth of every figure from the first sample after warm-up to the last. */
function growth(samples) {
  const a = samples[0];
  const z = samples[samples.length - 1];
  return { wasmBytes: z.wasmBytes - a.wasmBytes, heapUsed: z.heapUsed - a.heapUsed, heapTop: z.heapTop - a.heapTop, jsHeapUsed: z.jsHeapUsed - a.jsHeapUsed, rss: z.rss - a.rss };
}

async function predictRun(calls) {
  const m = textModel();
  const { x } = tokenData(16, 40, 2000, 7);
  const warmup = Math.max(100, Math.floor(calls * 0.05));
  const every = Math.max(1, Math.floor((calls - warmup) / 20));
  const first = Array.from(m.predict(x).dataSync());
  for (let i = 0; i < warmup; i++) m.predict(x);
  const samples = [sample(warmup)];
  const t0 = performance.now();
  for (let i = warmup; i < calls; i++) {
    const p = m.predict(x);
    if ((i + 1 - warmup) % every === 0 || i === calls - 1) {
      samples.push(sample(i + 1));
      if (!Array.from(p.dataSync()).every((v, k) => v === first[k])) throw new Error(`predict call ${i + 1} gave other values than the first`);
      log(`predict ${i + 1}/${calls}`);
    }
  }
  return { calls, warmup, msPerCall: (performance.now() - t0) / (calls - warmup), samples, growth: growth(samples) };
}

async function fitRun(epochs) {
  const m = textModel();
  const { x, y } = tokenData(256, 40, 2000, 9);
  const warmup = Math.min(epochs, Math.max(2, Math.floor(epochs * 0.05)));
  const samples = [];
  const every = Math.max(1, Math.floor((epochs - warmup) / 20));
  const t0 = performance.now();
  const h = await m.fit(x, y, {
    epochs, batchSize: 32, seed: 3, verbose: 0,
    callbacks: [{
      onEpochEnd(epoch) {
        const done = epoch + 1;
        if (done === warmup || (done > warmup && ((done - warmup) % every === 0 || done === epochs))) {
          samples.push(sample(done));
          log(`fit epoch ${done}/${epochs}`);
        }
      },
    }],
  });
  const loss = h.history.loss;
  return { epochs, warmup, msPerEpoch: (performance.now() - t0) / epochs, firstLoss: loss[0], lastLoss: loss[loss.length - 1], samples, growth: growth(samples) };
}

/** Limits for "flat": the wasm memory and the backend heap must not move; JS figures get slack for noise. */
const LIMITS = { wasmBytes: 0, heapUsed: 0, heapTop: 0, jsHeapUsed: 4 << 20, rss: 48 << 20 };

function verdict(run) {
  return Object.entries(LIMITS).filter(([k, limit]) => run.growth[k] > limit).map(([k]) => `${k} grew by ${run.growth[k]} bytes`);
}

const record = { date: new Date().toISOString(), node: process.version, backend: null, predict: null, fit: null, tests: null, problems: [] };
record.backend = await lw.ready();
record.predict = await predictRun(opts.predicts);
record.fit = await fitRun(opts.epochs);
record.problems.push(...verdict(record.predict).map((p) => `predict: ${p}`), ...verdict(record.fit).map((p) => `fit: ${p}`));

if (!opts.skipTests) {
  log('fuzz and property tests with full counts (LW_SOAK=1) ...');
  const t0 = performance.now();
  const files = ['test/io/fuzz-model-files.test.ts', 'test/io/fuzz-keras-files.test.ts', 'test/io/fuzz-onnx-files.test.ts', 'test/model/bad-input.test.ts', 'test/io/save-faults.test.ts'];
  const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', ...files], {
    cwd: ROOT, env: { ...process.env, LW_SOAK: '1' }, stdio: opts.json ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  record.tests = { files, passed: r.status === 0, seconds: Math.round((performance.now() - t0) / 1000) };
  if (r.status !== 0) record.problems.push('the LW_SOAK=1 tests failed');
}

const text = JSON.stringify(record, null, 2);
if (opts.out) writeFileSync(opts.out, text + '\n');
if (opts.json) console.log(JSON.stringify(record));
else {
  const g = (run) => Object.entries(run.growth).map(([k, v]) => `${k} ${v >= 0 ? '+' : ''}${v}`).join(', ');
  console.log(`backend ${record.backend}, node ${record.node}`);
  console.log(`predict: ${record.predict.calls} calls, ${record.predict.msPerCall.toFixed(3)} ms/call; growth after ${record.predict.warmup} warm-up calls: ${g(record.predict)}`);
  console.log(`fit: ${record.fit.epochs} epochs, ${record.fit.msPerEpoch.toFixed(1)} ms/epoch, loss ${record.fit.firstLoss.toFixed(4)} → ${record.fit.lastLoss.toFixed(4)}; growth after ${record.fit.warmup} warm-up epochs: ${g(record.fit)}`);
  if (record.tests) console.log(`LW_SOAK=1 tests: ${record.tests.passed ? 'passed' : 'FAILED'} in ${record.tests.seconds} s`);
  console.log(record.problems.length ? `PROBLEMS: ${record.problems.join('; ')}` : 'flat: no growth after warm-up');
}
process.exit(record.problems.length ? 1 : 0);

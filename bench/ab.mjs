// Interleaved A/B timing of two builds of lstm-wasm on the seed model, in ONE process: calls
// alternate A, B, A, B... so a noisy machine slows both alike (separate runs here differ by 30%).
//
//   node bench/ab.mjs <A: dist/index.js> <B: dist/index.js> [b1|b64|train|train-floats] [seconds]
//   (train-floats: the seed model without its Embedding, on float inputs [64, 50, 64])
//   WASM_A=path/kernels-simd.wasm WASM_B=... node bench/ab.mjs dist/index.js dist/index.js b64
//   THREADS=2 node bench/ab.mjs ...
//   TOKENS=uniform|zipf node bench/ab.mjs ... train   (token frequencies, see tokenAt)
//
// A and B are two built copies of the package (e.g. a worktree of the previous commit, built with
// `npm run build`), or two copies of one build with two kernel modules (WASM_A / WASM_B: the simd
// flavour; the simd-threads file beside it is used with THREADS > 1). They must be different
// files: ES modules are cached by URL, so one path would give one library (one backend) for both. Prints medians, p10 and min of each, the
// B/A ratio of the medians, and (for predicts) the largest difference between A's and B's outputs.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const [libA, libB, which = 'b64', secs = '6'] = process.argv.slice(2);
if (!libA || !libB || !['b1', 'b64', 'train', 'train-floats'].includes(which)) {
  console.error('usage: node bench/ab.mjs <A dist/index.js> <B dist/index.js> [b1|b64|train|train-floats] [seconds]');
  process.exit(2);
}
if (resolve(libA) === resolve(libB)) {
  console.error('A and B are the same file, which Node loads once: copy the build (cp -r dist /tmp/b/dist) for B');
  process.exit(2);
}
const threads = Number(process.env.THREADS ?? 1);
// TOKENS=distinct (default: every token of a batch differs), uniform (random over the vocabulary,
// as npm run bench draws them: ~86% of a batch distinct) or zipf (word-like frequencies, s = 1).
const tokenAt = {
  distinct: (i) => 1 + ((i * 7919) % 9999),
  uniform: (i) => 1 + Math.floor(hash(i) * 9999),
  zipf: (i) => Math.min(9999, Math.floor(Math.exp(hash(i) * Math.log(10000)))),
}[process.env.TOKENS ?? 'distinct'];
function hash(i) {
  let t = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  t ^= t >>> 13;
  t = Math.imul(t, 0xc2b2ae35);
  return ((t ^ (t >>> 16)) >>> 0) / 4294967296;
}

/** The seed model on build `lib`, and its timed call. */
async function setup(lib, wasm) {
  const lw = await import(pathToFileURL(resolve(lib)).href);
  const simd = wasm && pathToFileURL(resolve(wasm));
  const simdThreads = wasm && pathToFileURL(resolve(wasm.replace(/kernels-simd\.wasm$/, 'kernels-simd-threads.wasm')));
  // The best backend (SIMD), named 'wasm-simd' or 'simd' depending on the build's age.
  await lw.ready({ threads, ...(wasm ? { wasm: { simd, simdThreads } } : {}) });
  lw.setSeed(1);
  const floats = which === 'train-floats';
  const model = lw.sequential([
    ...(floats ? [] : [lw.layers.embedding({ inputDim: 10000, outputDim: 64, inputLength: 50 })]),
    lw.layers.lstm({ units: 64, returnSequences: true, ...(floats ? { inputShape: [50, 64] } : {}) }),
    lw.layers.lstm({ units: 32 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const tokens = (n) => lw.tensor(Int32Array.from({ length: n * 50 }, (_, i) => tokenAt(i)), [n, 50], 'int32');
  const x = floats
    ? lw.tensor(Float32Array.from({ length: 64 * 50 * 64 }, (_, i) => Math.sin(i)), [64, 50, 64])
    : tokens(which === 'b1' ? 1 : 64);
  const y = lw.tensor(Float32Array.from({ length: 64 }, (_, i) => i % 2), [64, 1]);
  const predict = () => model.predict(x, { batchSize: 64 }).dataSync();
  return { run: which.startsWith('train') ? () => model.trainOnBatch(x, y) : predict, predict };
}

const A = await setup(libA, process.env.WASM_A);
const B = await setup(libB, process.env.WASM_B);
for (let i = 0; i < 30; i++) { A.run(); B.run(); }
const ta = [];
const tb = [];
const end = performance.now() + Number(secs) * 1000;
while (performance.now() < end) {
  let t0 = performance.now();
  A.run();
  ta.push(performance.now() - t0);
  t0 = performance.now();
  B.run();
  tb.push(performance.now() - t0);
}
const samples = which === 'b1' ? 1 : 64;
// Each pair ran back to back, so its ratio cancels the machine's slow drift; taken before sorting.
const pairRatios = tb.map((t, i) => t / ta[i]).sort((a, b) => a - b);
const median = (t) => t[t.length >> 1];
const line = (name, t) => {
  t.sort((a, b) => a - b);
  return `${which} ${name}: median ${median(t).toFixed(3)} ms, p10 ${t[Math.floor(t.length * 0.1)].toFixed(3)}, min ${t[0].toFixed(3)} (${(samples / median(t) * 1000).toFixed(0)} samples/s)`;
};
console.log(line('A', ta));
console.log(`${line('B', tb)}; B/A of the medians ${(median(tb) / median(ta)).toFixed(3)}, median of the pairs' B/A ${median(pairRatios).toFixed(3)} over ${ta.length} pairs`);
if (!which.startsWith('train')) {
  const a = A.predict();
  const b = B.predict();
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  console.log(`largest |A - B| of the predictions: ${d.toExponential(2)}`);
}

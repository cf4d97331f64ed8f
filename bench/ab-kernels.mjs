// Interleaved A/B timing of two builds of the simd kernels on the seed model's recurrent layers:
// LSTM B64 T50 I64 U64 (returning sequences) and U32 (last state), forward + backward, called
// A, B, A, B... in one process so a noisy machine slows both alike.
//
//   npm run build:ts && node bench/ab-kernels.mjs <A kernels-simd.wasm> <B kernels-simd.wasm> [seconds]
//
// The calls go through the library's kernel bindings (lstm-wasm/kernels: dist/kernels.js), given each module's
// raw exports.
// Both modules get the same inputs; prints medians, p10 and min per call of both layers, and the
// median of the pairs' B/A ratios.
import { readFileSync } from 'node:fs';
import { cellBackward, cellCacheFloats, cellForward, cellWsFloats } from '../dist/kernels.js';

const [fileA, fileB, secs = '12'] = process.argv.slice(2);
if (!fileA || !fileB) {
  console.error('usage: node bench/ab-kernels.mjs <A kernels-simd.wasm> <B kernels-simd.wasm> [seconds]');
  process.exit(2);
}

async function load(path) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65535 });
  const { instance } = await WebAssembly.instantiate(readFileSync(path), { env: { memory } });
  const k = instance.exports;
  let top = Number(k.__heap_base.value);
  const alloc = (n) => {
    const p = (top + 63) & ~63;
    top = p + n * 4;
    const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
    if (need > 0) memory.grow(need);
    return p;
  };
  const rand = (p, n) => {
    const f = new Float32Array(memory.buffer, p, n);
    let s = 1;
    for (let i = 0; i < n; i++) {
      s = (s * 16807) % 2147483647;
      f[i] = (s / 2147483647 - 0.5) * 0.6;
    }
  };
  const B = 64, T = 50, I = 64;
  const calls = [];
  for (const U of [64, 32]) {
    const G = 4 * U;
    const x = alloc(B * T * I), ker = alloc(I * G), rk = alloc(U * G), bias = alloc(G), hs = alloc(B * T * U), hT = alloc(B * U), cT = alloc(B * U);
    const dims = { B, T, I, U };
    const cache = alloc(cellCacheFloats(k, 'lstm', dims)), ws = alloc(cellWsFloats(k, 'lstm', dims));
    const dHs = alloc(B * T * U), dHT = alloc(B * U), dx = alloc(B * T * I), dK = alloc(I * G), dR = alloc(U * G), dB = alloc(G);
    for (const [p, n] of [[x, B * T * I], [ker, I * G], [rk, U * G], [bias, G], [dHs, B * T * U], [dHT, B * U]]) rand(p, n);
    const seq = U === 64;
    const shared = { ...dims, x, kernel: ker, recurrentKernel: rk, hs, cache, ws };
    calls.push(() => {
      // ids (the forward's last argument, ABI 2) is 0: ignored by modules of ABI 1
      cellForward(k, 'lstm', { ...shared, bias, hT, cT });
      cellBackward(k, 'lstm', { ...shared, dHs: seq ? dHs : 0, dHT: seq ? 0 : dHT, dx, dKernel: dK, dRecurrentKernel: dR, dBias: dB });
    });
  }
  return () => calls.forEach((c) => c());
}

const A = await load(fileA);
const B = await load(fileB);
for (let i = 0; i < 5; i++) { A(); B(); }
const ta = [];
const tb = [];
const end = performance.now() + Number(secs) * 1000;
while (performance.now() < end) {
  let t = performance.now();
  A();
  ta.push(performance.now() - t);
  t = performance.now();
  B();
  tb.push(performance.now() - t);
}
const pairs = tb.map((v, i) => v / ta[i]).sort((a, b) => a - b);
const stats = (v) => {
  v.sort((a, b) => a - b);
  return `median ${v[v.length >> 1].toFixed(2)} ms, p10 ${v[Math.floor(v.length / 10)].toFixed(2)}, min ${v[0].toFixed(2)}`;
};
console.log(`A: ${stats(ta)}`);
console.log(`B: ${stats(tb)}; median of the pairs' B/A ${pairs[pairs.length >> 1].toFixed(3)} over ${ta.length} pairs`);

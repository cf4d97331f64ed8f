// The libraries lstm-wasm could read Keras files with, side by side in one process (interleaved
// rounds): HDF5 through jsfive (pure JS) and h5wasm (the HDF5 C library in WebAssembly), zips
// through fflate and JSZip. Speed: reading every dataset of a weights file of 8 x 1M float32 (as
// model.weights.h5 holds them) and a stored 32 MB zip member. Damaged input: 300 bit-flipped,
// truncated or size-patched copies of a small Keras weights file, counting how each library fails.
//   npm install --no-save h5wasm@0.10 jszip@3.10 && node bench/keras-readers.mjs
import os from 'node:os';
import * as jsfive from 'jsfive';
import * as fflate from 'fflate';

const h5wasm = await import('h5wasm/node').catch(() => null);
const JSZip = (await import('jszip').catch(() => null))?.default;
if (!h5wasm || !JSZip) {
  console.error('install the peers first: npm install --no-save h5wasm@0.10 jszip@3.10');
  process.exit(1);
}
await h5wasm.ready;
console.log(`${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}`);

/** An HDF5 file written by h5wasm: `count` datasets of `size` floats under layers/x/vars. */
function writeH5(count, size, path) {
  const f = new h5wasm.File(path, 'w');
  const g = f.create_group('layers').create_group('dense').create_group('vars');
  for (let i = 0; i < count; i++) g.create_dataset({ name: String(i), data: new Float32Array(size).map((_, k) => (k % 97) / 97), shape: [size], dtype: '<f' });
  f.close();
  const bytes = h5wasm.FS.readFile(path);
  h5wasm.FS.unlink(path);
  return bytes;
}

function readJsfive(bytes) {
  const f = new jsfive.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const g = f.get('layers/dense/vars');
  let n = 0;
  for (const k of g.keys) n += g.get(k).value.length;
  return n;
}

function readH5wasm(bytes) {
  h5wasm.FS.writeFile('/in.h5', bytes);
  const f = new h5wasm.File('/in.h5', 'r');
  const g = f.get('layers/dense/vars');
  let n = 0;
  for (const k of g.keys()) n += g.get(k).value.length;
  f.close();
  h5wasm.FS.unlink('/in.h5');
  return n;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function interleaved(cases, rounds) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of Object.entries(cases)) {
      const t = performance.now();
      await f();
      times[name].push(performance.now() - t);
    }
  }
  for (const [name, ts] of Object.entries(times)) console.log(`  ${name.padEnd(28)} median ${median(ts).toFixed(1)} ms over ${rounds} rounds`);
}

const big = writeH5(8, 1 << 20, '/big.h5');
console.log(`HDF5: read 8 x 1M float32 (${(big.length / 2 ** 20).toFixed(1)} MB)`);
await interleaved({ jsfive: () => readJsfive(big), h5wasm: () => readH5wasm(big) }, 15);

const member = new Uint8Array(32 << 20).map((_, i) => i & 255);
const zip = fflate.zipSync({ 'model.weights.h5': [member, { level: 0 }], 'config.json': fflate.strToU8('{}') });
console.log('zip: one stored 32 MB member');
await interleaved({
  'fflate (streamed, 4 KB pieces)': () => {
    const u = new fflate.Unzip();
    u.register(fflate.UnzipInflate);
    u.onfile = (file) => { file.ondata = () => {}; file.start(); };
    for (let at = 0; at < zip.length; at += 4096) u.push(zip.subarray(at, at + 4096), at + 4096 >= zip.length);
  },
  'fflate unzipSync': () => fflate.unzipSync(zip),
  'JSZip loadAsync': async () => (await JSZip.loadAsync(zip)).file('model.weights.h5').async('uint8array'),
}, 15);

// Damaged input: a small weights file, mutated.
const small = writeH5(3, 64, '/small.h5');
let seed = 7;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const outcomes = { jsfive: {}, h5wasm: {} };
const count = (o, k) => { o[k] = (o[k] ?? 0) + 1; };
let slowest = { jsfive: 0, h5wasm: 0 };
for (let i = 0; i < 300; i++) {
  const b = small.slice();
  if (i % 3 === 0) for (let k = 0; k < 4; k++) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
  else if (i % 3 === 1) b.fill(0, Math.floor(rand() * b.length));
  else new DataView(b.buffer).setUint32(Math.floor(rand() * (b.length - 4)), 0xfffffff0, true);
  for (const [name, read] of [['jsfive', readJsfive], ['h5wasm', readH5wasm]]) {
    const t = performance.now();
    try {
      read(b);
      count(outcomes[name], 'read (values may be wrong)');
    } catch (e) {
      count(outcomes[name], `threw ${e?.constructor?.name ?? typeof e}`);
      if (name === 'h5wasm') { try { h5wasm.FS.unlink('/in.h5'); } catch {} }
    }
    slowest[name] = Math.max(slowest[name], performance.now() - t);
  }
}
console.log('damaged input (300 mutations of a 3-dataset weights file):');
for (const name of ['jsfive', 'h5wasm']) console.log(`  ${name}: ${JSON.stringify(outcomes[name])}, slowest ${slowest[name].toFixed(1)} ms`);

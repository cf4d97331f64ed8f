// Imports the built package by its name (Node: package self-reference; Deno: an import map
// pointing 'lstm-wasm' at dist/) and runs one kernel through lw.ops; prints one JSON line.
import * as lw from 'lstm-wasm';

const backend = await lw.ready();
const c = lw.ops.gemm([[1, 2], [3, 4]], [[5, 6], [7, 8]]);
console.log(JSON.stringify({ backend, c: Array.from(c.dataSync()), shape: c.shape }));

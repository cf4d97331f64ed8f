// threads-check.mjs in Deno (or Node) against the built package; prints one JSON line.
//   deno run --allow-read --import-map test/helpers/runtimes/deno-import-map.json test/helpers/runtimes/threads-smoke.mjs
import * as lw from 'lstm-wasm';
import { currentBackend, poolOf } from '../../../dist/kernels.js';
import { getThreads } from '../../../dist/index.js';
import { threadsCheck } from './threads-check.mjs';

console.log(JSON.stringify(await threadsCheck(lw, { getThreads, currentBackend, poolOf })));
// Workers keep a Deno process alive.
globalThis.Deno?.exit(0);

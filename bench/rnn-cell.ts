// A user-written LSTM cell in lw.layers.rnn against the fused lw.layers.lstm with the same weights
// (simd backend, one thread): a training step (trainOnBatch) and a prediction of one batch, for a
// few small sizes. The cell's step runs ~15 ops per time step, each a kernel call or a JS loop
// recorded on a tape; the fused layer is one kernel call for the whole sequence.
//
//   npm run bench:cells            (about 1 minute)
//   npm run bench:cells -- --quick
import * as lw from '../ts/index.js';
import type { AddWeight, StepOps, StepTensor } from '../ts/layers/index.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './lib/backends.js';
import { measureRounds } from './lib/timing.js';
import { fmt, markdownTable } from './lib/report.js';

const quick = process.argv.includes('--quick');

/** Keras' LSTM as a cell: gates i, f, c, o; kernel [I, 4U], recurrent_kernel [U, 4U], bias [4U]. */
class LSTMCell extends lw.layers.RNNCell {
  readonly stateSize: number[];
  constructor(readonly units: number) {
    super();
    this.stateSize = [units, units];
  }
  override build(shape: (number | null)[], addWeight: AddWeight) {
    addWeight('kernel', [shape[shape.length - 1] as number, 4 * this.units]);
    addWeight('recurrent_kernel', [this.units, 4 * this.units], 'orthogonal');
    addWeight('bias', [4 * this.units], 'zeros');
  }
  call(ops: StepOps, x: StepTensor, [h, c]: StepTensor[], w: Record<string, StepTensor>) {
    const z = ops.add(ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel)), w.bias);
    const [i, f, g, o] = ops.split(z, 4);
    const c2 = ops.add(ops.mul(ops.sigmoid(f), c), ops.mul(ops.sigmoid(i), ops.tanh(g)));
    const h2 = ops.mul(ops.sigmoid(o), ops.tanh(c2));
    return { output: h2, states: [h2, c2] };
  }
}

const SIZES = [
  { B: 32, T: 20, I: 8, U: 32 },
  { B: 64, T: 50, I: 32, U: 64 },
  { B: 1, T: 50, I: 32, U: 64 },
];

await lw.ready({ backend: 'simd', threads: 1, wasm: { simd: pathToFileURL(join(repoRoot(), 'wasm', 'kernels-simd.wasm')) } });
const rows: string[][] = [];
for (const { B, T, I, U } of SIZES) {
  const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, k) => Math.sin(seed * 7919 + k * 0.37));
  const x = lw.tensor(rand(B * T * I, 1), [B, T, I]);
  const y = lw.tensor(rand(B * U, 2), [B, U]);
  const fused = lw.layers.lstm({ units: U, inputShape: [T, I] });
  const cell = lw.layers.rnn({ cell: new LSTMCell(U), inputShape: [T, I] });
  const models = { fused: lw.sequential({ layers: [fused] }), cell: lw.sequential({ layers: [cell] }) };
  cell.setWeights(fused.getWeights());
  const figures: Record<string, { train: number; predict: number }> = {};
  for (const [name, m] of Object.entries(models)) {
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const opts = quick ? { warmupMs: 100, minSamples: 5, targetMs: 200 } : { warmupMs: 500, minSamples: 15, targetMs: 2000 };
    const train = measureRounds(() => m.trainOnBatch(x, y), opts, quick ? 1 : 3).median;
    const predict = measureRounds(() => m.predict(x, { batchSize: B }), opts, quick ? 1 : 3).median;
    figures[name] = { train, predict };
  }
  const { fused: f, cell: c } = figures;
  rows.push([`B${B} T${T} I${I} U${U}`, fmt(f.train), fmt(c.train), `${(c.train / f.train).toFixed(1)}x`, fmt(f.predict), fmt(c.predict), `${(c.predict / f.predict).toFixed(1)}x`]);
}
console.log(markdownTable(['size', 'train fused (ms)', 'train cell (ms)', 'ratio', 'predict fused (ms)', 'predict cell (ms)', 'ratio'], rows));

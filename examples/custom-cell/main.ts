// A user-written recurrent cell trained with lw.layers.rnn (`npm run example:custom-cell`): the
// peephole LSTM of peephole-lstm.ts learns the adding problem (Hochreiter & Schmidhuber 1997):
// each sequence has a random value and a marker per step; the target is the sum of the two
// marked values. Always answering the mean sum (1) scores a mean squared error of about 1/6.
// The model is saved and loaded again (the cell is registered), and gives the same predictions.
// Options: --epochs N (default 30), --samples N (default 2000), --steps N (default 20), --seed N.
import * as lw from 'lstm-wasm';
import { argNumber, isMain } from '../lib/cli.js';
import { startRun, type ExampleOptions } from '../lib/options.js';
import { trainingTime } from '../lib/timing.js';
import { PeepholeLSTMCell } from './peephole-lstm.js';

export interface CustomCellOptions extends ExampleOptions {
  epochs?: number;
  samples?: number;
  /** Time steps per sequence. */
  steps?: number;
  units?: number;
}

export interface CustomCellResult {
  model: lw.LayersModel;
  /** Held-out mean squared error of the model and of always answering 1. */
  testMse: number;
  baselineMse: number;
  /** Largest difference between the model's and the loaded copy's predictions. */
  reloadedDifference: number;
}

/** n sequences [steps, 2] (value, marker) and targets [1]: the sum of the two marked values. */
export function addingProblem(n: number, steps: number, rng: lw.Random): { x: lw.Tensor; y: lw.Tensor } {
  const x = new Float32Array(n * steps * 2);
  const y = new Float32Array(n);
  for (let s = 0; s < n; s++) {
    const first = Math.floor(rng.next() * (steps / 2));
    const second = Math.floor(steps / 2 + rng.next() * (steps / 2));
    for (let t = 0; t < steps; t++) {
      const v = rng.next();
      x[(s * steps + t) * 2] = v;
      if (t === first || t === second) {
        x[(s * steps + t) * 2 + 1] = 1;
        y[s] += v;
      }
    }
  }
  return { x: lw.tensor(x, [n, steps, 2]), y: lw.tensor(y, [n, 1]) };
}

export async function runCustomCell(opts: CustomCellOptions = {}): Promise<CustomCellResult> {
  const { elapsed, log, seed } = await startRun(opts, 7);
  const steps = opts.steps ?? 20;
  const samples = opts.samples ?? 2000;
  const epochs = opts.epochs ?? 30;
  const rng = new lw.Random(seed);
  const train = addingProblem(samples, steps, rng);
  const test = addingProblem(Math.max(100, samples / 5), steps, rng);

  const model = lw.sequential({
    layers: [
      lw.layers.rnn({ cell: new PeepholeLSTMCell(opts.units ?? 16, { name: 'peephole_lstm' }), inputShape: [steps, 2] }),
      lw.layers.dense({ units: 1 }),
    ],
  });
  model.compile({ optimizer: lw.train.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
  const started = elapsed();
  await model.fit(train.x, train.y, { epochs, batchSize: 32, validationSplit: 0.1, seed, verbose: opts.verbose ?? 1 });
  log(trainingTime(elapsed() - started, epochs));

  const testMse = model.evaluate(test.x, test.y) as number;
  const targets = Array.from(test.y.dataSync());
  const baselineMse = targets.reduce((s, v) => s + (v - 1) ** 2, 0) / targets.length;
  log(`held-out mean squared error ${testMse.toFixed(4)}; always answering 1: ${baselineMse.toFixed(4)}`);

  // The cell is registered (peephole-lstm.ts), so the model saves; loading makes the cell again.
  const loaded = await lw.loadModel(model.toArtifacts());
  const a = Array.from((model.predict(test.x) as lw.Tensor).dataSync());
  const b = (loaded.predict(test.x) as lw.Tensor).dataSync();
  const reloadedDifference = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
  log(`saved and loaded: predictions differ by at most ${reloadedDifference}`);
  return { model, testMse, baselineMse, reloadedDifference };
}

if (isMain(import.meta.url)) {
  await runCustomCell({ epochs: argNumber('epochs'), samples: argNumber('samples'), steps: argNumber('steps'), seed: argNumber('seed') });
}

// brain.js 1.6.1 (pure JS; 2.x needs gpu.js 2 and headless-gl, native) with its closest LSTM:
// recurrent.LSTMTimeStep, inputSize 64, hiddenLayers [64, 32], outputSize 1, on float sequences
// [50, 64] (the seed model without its embedding). What differs from the seed model:
// - no embedding layer: LSTMTimeStep takes float vectors; the text LSTM (recurrent.LSTM) is a
//   next-token model with a softmax over the whole vocabulary at every step, not a classifier;
// - no mini-batches: a "batch of 64" is 64 one-sequence updates (trainPattern);
// - its loss is at every time step (predict the next input, then the label) with a linear output
//   and an absolute-error gradient, not sigmoid + binary cross-entropy on the last step;
// - its optimizer is RMSprop with gradient clipping (brain.js' fixed update), not Adam;
// - predict runs one sequence at a time (64 calls for a batch of 64).
import { createRequire } from 'node:module';
import { Unsupported, floatBatch, labelBatch, runSystem, type MeasureDef } from './harness.js';
import { WORKLOAD } from './protocol.js';

const W = WORKLOAD;
const require = createRequire(import.meta.url);

interface TimeStepNet {
  train(data: unknown[], opts: { iterations: number; log?: boolean }): { error: number };
  formatData(data: unknown[]): unknown[];
  trainPattern(datum: unknown, logErrorRate?: boolean): number | undefined;
  run(input: number[][]): number[] | Float32Array;
}
interface Brain {
  recurrent: { LSTMTimeStep: new (opts: Record<string, unknown>) => TimeStepNet };
}

export const DIFFERENCES = [
  'LSTMTimeStep on float inputs [50, 64]: brain.js has no embedding layer for it',
  'no mini-batches: 64 one-sequence updates per batch',
  'loss at every time step (next input, then the label), linear output, absolute-error gradient',
  'RMSprop with clipping (brain.js fixed update) instead of Adam',
];

/** `batch` sequences as brain.js wants them: arrays of 50 vectors of 64 numbers. */
function sequences(batch: number): number[][][] {
  const f = floatBatch(batch);
  const out: number[][][] = [];
  for (let b = 0; b < batch; b++) {
    const seq: number[][] = [];
    for (let t = 0; t < W.seqLen; t++) {
      const o = (b * W.seqLen + t) * W.embedDim;
      seq.push(Array.from(f.subarray(o, o + W.embedDim)));
    }
    out.push(seq);
  }
  return out;
}

function newNet(brain: Brain): TimeStepNet {
  return new brain.recurrent.LSTMTimeStep({ inputSize: W.embedDim, hiddenLayers: [W.units1, W.units2], outputSize: 1 });
}

await runSystem(() => {
  const brain = require('brain.js') as Brain;
  const version = (require('brain.js/package.json') as { version: string }).version;
  const train = (): MeasureDef => {
    const net = newNet(brain);
    const seqs = sequences(W.batch);
    const y = labelBatch(W.batch);
    const data = seqs.map((input, i) => ({ input, output: [[y[i]]] }));
    net.train([data[0]], { iterations: 1 }); // builds the network for this data shape
    const formatted = net.formatData(data);
    return {
      run: () => {
        for (const d of formatted) net.trainPattern(d, false);
      },
      samples: W.batch,
      unit: 'samples/s',
      notes: DIFFERENCES,
    };
  };
  let predictNet: TimeStepNet | undefined;
  const noEmbedding = () => {
    throw new Unsupported('no embedding for LSTMTimeStep; recurrent.LSTM is a next-token model over the vocabulary (see train.floats)');
  };
  const predict = (batch: number): MeasureDef => {
    if (!predictNet) {
      predictNet = newNet(brain);
      const s = sequences(1)[0];
      predictNet.train([{ input: s, output: [[1]] }], { iterations: 1 });
    }
    const net = predictNet;
    const seqs = sequences(batch);
    return {
      run: () => {
        for (const s of seqs) net.run(s);
      },
      samples: batch,
      unit: batch === 1 ? 'ms' : 'samples/s',
      notes: ['the model without embedding (float inputs), one sequence per run() call'],
    };
  };
  return {
    system: 'brain.js',
    version,
    details: { network: 'recurrent.LSTMTimeStep', hiddenLayers: [W.units1, W.units2] },
    measures: {
      'train.embedding': noEmbedding,
      'train.words': noEmbedding,
      'train.floats': train,
      'predict.batch64': () => predict(W.batch),
      'predict.batch1': () => predict(1),
    },
  };
});
process.exit(0);

// onnxruntime-node (CPU execution provider), inference only: the seed model exported by lw.export.onnx
// (Gather → LSTM 64 → LSTM 32 → Gemm → Sigmoid, opset 17), --variant=1t (one intra-op thread) or all
// (every core). After the timed runs and the memory figure, lstm-wasm's predictions with the same
// weights are compared with onnxruntime's, so the exported graph is checked, not assumed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Unsupported, emit, runSystem, tokenBatch, uniform, type MeasureDef } from './harness.js';
import { WORKLOAD } from './protocol.js';

const W = WORKLOAD;
const require = createRequire(import.meta.url);

/** Seed-model weights in Keras layout (what lstm-wasm's getWeights/setWeights use). */
export interface KerasWeights {
  embeddings: Float32Array; // [vocab, embed]
  kernel1: Float32Array; recurrent1: Float32Array; bias1: Float32Array; // [64, 256], [64, 256], [256]
  kernel2: Float32Array; recurrent2: Float32Array; bias2: Float32Array; // [64, 128], [32, 128], [128]
  denseKernel: Float32Array; denseBias: Float32Array; // [32, 1], [1]
}

function scaled(n: number, seed: number, scale: number): Float32Array {
  return Float32Array.from(uniform(n, seed), (v) => (v * 2 - 1) * scale);
}

/** Keras gate order i, f, c, o; forget-gate bias 1 as Keras' unitForgetBias. */
function lstmBias(units: number): Float32Array {
  const b = new Float32Array(4 * units);
  b.fill(1, units, 2 * units);
  return b;
}

export function seedWeights(): KerasWeights {
  return {
    embeddings: scaled(W.vocab * W.embedDim, 11, 0.5),
    kernel1: scaled(W.embedDim * 4 * W.units1, 12, 0.3),
    recurrent1: scaled(W.units1 * 4 * W.units1, 13, 0.15),
    bias1: lstmBias(W.units1),
    kernel2: scaled(W.units1 * 4 * W.units2, 14, 0.3),
    recurrent2: scaled(W.units2 * 4 * W.units2, 15, 0.2),
    bias2: lstmBias(W.units2),
    denseKernel: scaled(W.units2, 16, 1.5),
    denseBias: new Float32Array([0.1]),
  };
}

type Lw = typeof import('../../ts/index.js');

/** The seed model in lstm-wasm with these weights: what lw.export.onnx writes, and what checks onnxruntime. */
async function seedModel(w: KerasWeights): Promise<{ lw: Lw; model: InstanceType<Lw['Sequential']> }> {
  const lw = await import('../../ts/index.js');
  const { repoRoot } = await import('../lib/backends.js');
  const url = (f: string) => pathToFileURL(join(repoRoot(), 'wasm', f));
  await lw.ready({ backend: 'simd', wasm: { simd: url('kernels-simd.wasm'), scalar: url('kernels-scalar.wasm') } });
  const model = lw.sequential([
    lw.layers.embedding({ inputDim: W.vocab, outputDim: W.embedDim, inputLength: W.seqLen }),
    lw.layers.lstm({ units: W.units1, returnSequences: true }),
    lw.layers.lstm({ units: W.units2 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  const t = (data: Float32Array, shape: number[]) => lw.tensor(data, shape);
  model.setWeights([
    t(w.embeddings, [W.vocab, W.embedDim]),
    t(w.kernel1, [W.embedDim, 4 * W.units1]), t(w.recurrent1, [W.units1, 4 * W.units1]), t(w.bias1, [4 * W.units1]),
    t(w.kernel2, [W.units1, 4 * W.units2]), t(w.recurrent2, [W.units2, 4 * W.units2]), t(w.bias2, [4 * W.units2]),
    t(w.denseKernel, [W.units2, 1]), t(w.denseBias, [1]),
  ]);
  return { lw, model };
}

function ortVersion(): string {
  const dir = dirname(require.resolve('onnxruntime-node'));
  for (let d = dir; d !== dirname(d); d = dirname(d)) {
    try {
      const pkg = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'onnxruntime-node') return pkg.version;
    } catch {
      // go up
    }
  }
  return 'unknown';
}

await runSystem(async (args) => {
  const variant = args.variant ?? '1t';
  const threads = variant === 'all' ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  const weights = seedWeights();
  const { lw, model } = await seedModel(weights);
  const bytes = await lw.export.onnx(model); // Gather → Transpose → LSTM → LSTM → Gemm → Sigmoid, opset 17
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const predict = (batch: number): MeasureDef => {
    const feeds = { [input]: new ort.Tensor('int32', tokenBatch(batch), [batch, W.seqLen]) };
    return {
      run: async () => {
        const out = await session.run(feeds);
        return out[output].data;
      },
      samples: batch,
      unit: batch === 1 ? 'ms' : 'samples/s',
    };
  };
  const inferenceOnly = () => {
    throw new Unsupported('inference only: onnxruntime-node has no training API');
  };
  return {
    system: 'onnxruntime-node',
    version: ortVersion(),
    details: { executionProvider: 'cpu', intraOpNumThreads: threads, modelBytes: bytes.length, opset: 17 },
    measures: {
      'train.embedding': inferenceOnly,
      'train.words': inferenceOnly,
      'train.floats': inferenceOnly,
      'predict.batch64': () => predict(W.batch),
      'predict.batch1': () => predict(1),
    },
    after: async () => {
      const batch = 8;
      const tokens = tokenBatch(batch, 99);
      const out = await session.run({ [input]: new ort.Tensor('int32', tokens, [batch, W.seqLen]) });
      const onnx = out[output].data as Float32Array;
      const ref = (model.predict(lw.tensor(tokens, [batch, W.seqLen], 'int32')) as InstanceType<Lw['Tensor']>).dataSync() as Float32Array;
      let maxAbsDiff = 0;
      for (let i = 0; i < batch; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnx[i] - ref[i]));
      emit({ event: 'extra', key: 'check', value: { against: 'lstm-wasm predict, same weights', batch, maxAbsDiff, spread: Math.max(...ref) - Math.min(...ref) } });
    },
  };
});
process.exit(0);

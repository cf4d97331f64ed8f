// onnxruntime-node (CPU execution provider), inference only: the seed model as an ONNX graph
// written here (Gather → LSTM 64 → LSTM 32 → Gemm → Sigmoid, opset 17), --variant=1t (one intra-op
// thread) or all (every core). After the timed runs and the memory figure, the same weights are
// loaded into lstm-wasm and both predictions are compared, so the graph is checked, not assumed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { Unsupported, emit, runSystem, tokenBatch, uniform, type MeasureDef } from './harness.js';
import { encodeModel, type OnnxTensor } from './onnx-writer.js';
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

/** ONNX gate g (i, o, f, c) is Keras gate KERAS_GATE[g] (Keras: i, f, c, o). */
const KERAS_GATE = [0, 3, 1, 2];

/** Keras kernel [inputs, 4U] → ONNX W [1, 4U, inputs] with the gates reordered. */
function onnxGateMatrix(kernel: Float32Array, inputs: number, units: number): Float32Array {
  const out = new Float32Array(4 * units * inputs);
  for (let g = 0; g < 4; g++) {
    for (let u = 0; u < units; u++) {
      const col = KERAS_GATE[g] * units + u;
      for (let i = 0; i < inputs; i++) out[(g * units + u) * inputs + i] = kernel[i * 4 * units + col];
    }
  }
  return out;
}

/** Keras bias [4U] → ONNX B [1, 8U]: input biases (reordered), then recurrent biases (zero). */
function onnxBias(bias: Float32Array, units: number): Float32Array {
  const out = new Float32Array(8 * units);
  for (let g = 0; g < 4; g++) out.set(bias.subarray(KERAS_GATE[g] * units, (KERAS_GATE[g] + 1) * units), g * units);
  return out;
}

export function seedModelOnnx(w: KerasWeights): Uint8Array {
  const f = (name: string, dims: number[], data: Float32Array): OnnxTensor => ({ name, type: 'float', dims, data });
  const i64 = (name: string, values: number[]): OnnxTensor => ({ name, type: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
  const { units1: U1, units2: U2, embedDim: E } = W;
  return encodeModel({
    name: 'seed_lstm',
    opset: 17,
    inputs: [{ name: 'tokens', type: 'int32', dims: ['batch', W.seqLen] }],
    outputs: [{ name: 'prob', type: 'float', dims: ['batch', 1] }],
    initializers: [
      f('embeddings', [W.vocab, E], w.embeddings),
      f('W1', [1, 4 * U1, E], onnxGateMatrix(w.kernel1, E, U1)),
      f('R1', [1, 4 * U1, U1], onnxGateMatrix(w.recurrent1, U1, U1)),
      f('B1', [1, 8 * U1], onnxBias(w.bias1, U1)),
      f('W2', [1, 4 * U2, U1], onnxGateMatrix(w.kernel2, U1, U2)),
      f('R2', [1, 4 * U2, U2], onnxGateMatrix(w.recurrent2, U2, U2)),
      f('B2', [1, 8 * U2], onnxBias(w.bias2, U2)),
      f('dense_kernel', [U2, 1], w.denseKernel),
      f('dense_bias', [1], w.denseBias),
      i64('axis0', [0]),
      i64('axis1', [1]),
    ],
    nodes: [
      { op: 'Gather', inputs: ['embeddings', 'tokens'], outputs: ['embedded'], attrs: { axis: 0 } },       // [batch, 50, 64]
      { op: 'Transpose', inputs: ['embedded'], outputs: ['time_major'], attrs: { perm: [1, 0, 2] } },     // [50, batch, 64]
      { op: 'LSTM', inputs: ['time_major', 'W1', 'R1', 'B1'], outputs: ['seq1'], attrs: { hidden_size: U1 } }, // [50, 1, batch, 64]
      { op: 'Squeeze', inputs: ['seq1', 'axis1'], outputs: ['seq1_flat'] },                                // [50, batch, 64]
      { op: 'LSTM', inputs: ['seq1_flat', 'W2', 'R2', 'B2'], outputs: ['', 'last2'], attrs: { hidden_size: U2 } }, // [1, batch, 32]
      { op: 'Squeeze', inputs: ['last2', 'axis0'], outputs: ['last2_flat'] },                              // [batch, 32]
      { op: 'Gemm', inputs: ['last2_flat', 'dense_kernel', 'dense_bias'], outputs: ['logit'] },            // [batch, 1]
      { op: 'Sigmoid', inputs: ['logit'], outputs: ['prob'] },
    ],
  });
}

/** lstm-wasm's prediction with the same weights, to check the ONNX graph against. */
async function lstmWasmPredict(w: KerasWeights, tokens: Int32Array, batch: number): Promise<Float32Array> {
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
  return (model.predict(lw.tensor(tokens, [batch, W.seqLen], 'int32')) as InstanceType<typeof lw.Tensor>).dataSync() as Float32Array;
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
  const bytes = seedModelOnnx(weights);
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const predict = (batch: number): MeasureDef => {
    const feeds = { tokens: new ort.Tensor('int32', tokenBatch(batch), [batch, W.seqLen]) };
    return {
      run: async () => {
        const out = await session.run(feeds);
        return out.prob.data;
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
      const out = await session.run({ tokens: new ort.Tensor('int32', tokens, [batch, W.seqLen]) });
      const onnx = out.prob.data as Float32Array;
      const ref = await lstmWasmPredict(weights, tokens, batch);
      let maxAbsDiff = 0;
      for (let i = 0; i < batch; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(onnx[i] - ref[i]));
      emit({ event: 'extra', key: 'check', value: { against: 'lstm-wasm predict, same weights', batch, maxAbsDiff, spread: Math.max(...ref) - Math.min(...ref) } });
    },
  };
});
process.exit(0);

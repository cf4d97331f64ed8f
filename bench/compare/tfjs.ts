// TensorFlow.js 4.22 on the seed model, --variant=wasm (tfjs-backend-wasm, SIMD when the engine
// has it) or --variant=cpu (the plain-JS backend). Same layers as Keras' seed model: LSTM with
// recurrentActivation 'sigmoid' (TF.js' default is hardSigmoid), Adam, binary cross-entropy.
import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Unsupported, floatBatch, labelBatch, runSystem, tokenBatch, type MeasureDef } from './harness.js';
import { WORKLOAD } from './protocol.js';

const W = WORKLOAD;
const require = createRequire(import.meta.url);

function seedModel(withEmbedding: boolean): tf.Sequential {
  const model = tf.sequential();
  if (withEmbedding) model.add(tf.layers.embedding({ inputDim: W.vocab, outputDim: W.embedDim, inputLength: W.seqLen }));
  model.add(tf.layers.lstm({
    units: W.units1, returnSequences: true, recurrentActivation: 'sigmoid',
    ...(withEmbedding ? {} : { inputShape: [W.seqLen, W.embedDim] }),
  }));
  model.add(tf.layers.lstm({ units: W.units2, recurrentActivation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

const tokens = (batch: number) => tf.tensor2d(tokenBatch(batch), [batch, W.seqLen], 'int32');
const floats = (batch: number) => tf.tensor3d(floatBatch(batch), [batch, W.seqLen, W.embedDim]);
const labels = (batch: number) => tf.tensor2d(labelBatch(batch), [batch, 1]);

/** The version in the package.json of the package that `name` resolves into. */
function packageVersion(name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      // no package.json here: go up
    }
  }
  return 'unknown';
}

await runSystem(async (args) => {
  const variant = args.variant ?? 'wasm';
  if (variant !== 'wasm' && variant !== 'cpu') throw new Error(`unknown variant ${variant}`);
  // Silence TF.js' console advice (install tfjs-node, orthogonal initializer is slow).
  console.warn = () => {};
  if (variant === 'wasm') tfwasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  if (!(await tf.setBackend(variant))) throw new Error(`tf.setBackend('${variant}') failed`);
  await tf.ready();
  const details: Record<string, unknown> = { backend: tf.getBackend() };
  if (variant === 'wasm') {
    details.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    details.threads = tfwasm.getThreadsCount();
    details.multithreadSupport = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  }

  const train = (withEmbedding: boolean): MeasureDef => {
    const model = seedModel(withEmbedding);
    const x = withEmbedding ? tokens(W.batch) : floats(W.batch);
    const y = labels(W.batch);
    return {
      run: async () => {
        try {
          await model.trainOnBatch(x, y);
        } catch (e) {
          const msg = (e as Error).message;
          if (/not registered for backend/.test(msg)) throw new Unsupported(`cannot train: ${msg.split('\n')[0]}`);
          throw e;
        }
      },
      samples: W.batch,
      unit: 'samples/s',
    };
  };
  let predictModel: tf.Sequential | undefined;
  const predict = (batch: number): MeasureDef => {
    predictModel ??= seedModel(true);
    const m = predictModel;
    const x = tokens(batch);
    return {
      run: () => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync()),
      samples: batch,
      unit: batch === 1 ? 'ms' : 'samples/s',
    };
  };
  return {
    system: `TensorFlow.js ${variant}`,
    version: tf.version.tfjs,
    details: { ...details, tfjsBackendWasm: variant === 'wasm' ? packageVersion('@tensorflow/tfjs-backend-wasm') : undefined },
    measures: {
      'train.embedding': () => train(true),
      'train.words': () => {
        throw new Unsupported('not measured: TF.js multiplies every token\'s row whatever the token frequencies (see train.embedding)');
      },
      'train.floats': () => train(false),
      'predict.batch64': () => predict(W.batch),
      'predict.batch1': () => predict(1),
    },
  };
});
process.exit(0);

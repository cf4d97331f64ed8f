// lstm-wasm on the seed model. Variants (--variant=): simd-1t (simd, 1 thread), simd-all
// (simd, every core: `ready({ threads: 'auto' })`), scalar (wasm without SIMD), js (the
// float64 JS oracle). Extra `profile`: the share of a training step spent inside kernels, from a
// separate pass with a timer around every kernel call (never in the timed runs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as lw from '../../ts/index.js';
import { currentBackend } from '../../ts/kernels.js';
import { repoRoot } from '../lib/backends.js';
import { median } from '../lib/stats.js';
import { Unsupported, floatBatch, labelBatch, runSystem, tokenBatch, type MeasureDef } from './harness.js';
import { WORKLOAD, type KernelProfile } from './protocol.js';

const W = WORKLOAD;

type Variant = 'simd-1t' | 'simd-all' | 'scalar' | 'js';
const BACKEND: Record<Variant, lw.BackendName> = { 'simd-1t': 'simd', 'simd-all': 'simd', scalar: 'scalar', js: 'js' };

function seedModel(withEmbedding: boolean): lw.Sequential {
  const model = lw.sequential([
    ...(withEmbedding ? [lw.layers.embedding({ inputDim: W.vocab, outputDim: W.embedDim, inputLength: W.seqLen })] : []),
    lw.layers.lstm({ units: W.units1, returnSequences: true, ...(withEmbedding ? {} : { inputShape: [W.seqLen, W.embedDim] }) }),
    lw.layers.lstm({ units: W.units2 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

const tokens = (batch: number, words = false) => lw.tensor(tokenBatch(batch, 1, words), [batch, W.seqLen], 'int32');
const floats = (batch: number) => lw.tensor(floatBatch(batch), [batch, W.seqLen, W.embedDim]);
const labels = (batch: number) => lw.tensor(labelBatch(batch), [batch, 1]);

/** Wraps every compute kernel with a timer for `steps` training steps, then restores them. */
function profileKernels(step: () => void, steps: number): KernelProfile {
  const kernels = currentBackend().kernels as unknown as Record<string, unknown>;
  const originals = { ...kernels };
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let inKernels = 0;
  for (const [name, fn] of Object.entries(originals)) {
    // Size queries (`*_floats`, `kernels_*`) are bookkeeping of the TypeScript side.
    if (typeof fn !== 'function' || name.endsWith('_floats') || name.startsWith('kernels_')) continue;
    const f = fn as (...a: number[]) => unknown;
    const entry = { ms: 0, calls: 0 };
    byKernel.set(name, entry);
    kernels[name] = (...a: number[]) => {
      const t0 = performance.now();
      const r = f(...a);
      const d = performance.now() - t0;
      entry.ms += d;
      entry.calls++;
      inKernels += d;
      return r;
    };
  }
  const stepMs: number[] = [];
  const kernelMs: number[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const k0 = inKernels;
      const t0 = performance.now();
      step();
      stepMs.push(performance.now() - t0);
      kernelMs.push(inKernels - k0);
    }
  } finally {
    Object.assign(kernels, originals);
  }
  const s = median(stepMs);
  const k = median(kernelMs);
  return {
    steps,
    stepMs: s,
    kernelMs: k,
    kernelShare: k / s,
    typescriptShare: 1 - k / s,
    byKernel: [...byKernel].filter(([, e]) => e.calls > 0)
      .map(([name, e]) => ({ name, ms: e.ms / steps, calls: e.calls / steps }))
      .sort((a, b) => b.ms - a.ms),
  };
}

await runSystem(async (args) => {
  const variant = (args.variant ?? 'simd-1t') as Variant;
  if (!(variant in BACKEND)) throw new Error(`unknown variant ${variant}`);
  const root = repoRoot();
  const url = (f: string) => pathToFileURL(join(root, 'wasm', f));
  // `threads` is passed as a plain option: builds without thread support ignore it.
  const options: Record<string, unknown> = {
    backend: BACKEND[variant],
    wasm: { simd: url('kernels-simd.wasm'), scalar: url('kernels-scalar.wasm'), simdThreads: url('kernels-simd-threads.wasm') },
    ...(variant === 'simd-all' ? { threads: 'auto' } : {}),
  };
  await (lw.ready as (o: Record<string, unknown>) => Promise<string>)(options);
  const threads = lw.getThreads();
  if (variant === 'simd-all' && threads < 2) {
    throw new Unsupported(`threads not available: lw.ready({ threads: 'auto' }) gave ${threads} thread in this build`);
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  lw.setSeed(1);

  const train = (withEmbedding: boolean, words = false): MeasureDef => {
    const model = seedModel(withEmbedding);
    const x = withEmbedding ? tokens(W.batch, words) : floats(W.batch);
    const y = labels(W.batch);
    return { run: () => model.trainOnBatch(x, y), samples: W.batch, unit: 'samples/s' };
  };
  let predictModel: lw.Sequential | undefined;
  const predict = (batch: number): MeasureDef => {
    predictModel ??= seedModel(true);
    const m = predictModel;
    const x = tokens(batch);
    // Steady state of repeated predicts: the first ones (here one untimed call of 256 samples, more
    // tokens than the vocabulary) make the model fold its Embedding into the first LSTM.
    m.predict(tokens(256), { batchSize: W.batch });
    return {
      run: () => (m.predict(x, { batchSize: batch }) as lw.Tensor).dataSync(), samples: batch, unit: batch === 1 ? 'ms' : 'samples/s',
      notes: ['after the first predicts: the Embedding folded into the first LSTM (docs/architecture.md)'],
    };
  };

  return {
    system: 'lstm-wasm',
    version,
    details: { variant, backend: lw.getBackend(), threads },
    measures: {
      'train.embedding': () => train(true),
      'train.words': () => train(true, true),
      'train.floats': () => train(false),
      'predict.batch64': () => predict(W.batch),
      'predict.batch1': () => predict(1),
    },
    extras: {
      profile: () => {
        const model = seedModel(true);
        const x = tokens(W.batch);
        const y = labels(W.batch);
        for (let i = 0; i < 3; i++) model.trainOnBatch(x, y); // warm-up, not profiled
        return profileKernels(() => model.trainOnBatch(x, y), args.quick ? 2 : 30);
      },
    },
  };
});
process.exit(0);

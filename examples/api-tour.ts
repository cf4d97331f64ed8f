// The README's API overview, runnable end to end (test/examples/api-tour.test.ts runs it).
// Run: npm run build && node dist-bench/examples/api-tour.js (after tsc -p tsconfig.bench.json)
import * as lw from 'lstm-wasm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMain } from './lib/cli.js';

export async function apiTour(log: (...a: unknown[]) => void = console.log): Promise<Record<string, unknown>> {
  // --- Tensors and backends
  await lw.ready();                                  // simd, else scalar, else js
  lw.setSeed(1);
  const t = lw.tensor([[1, 2], [3, 4]]);
  log(lw.getBackend(), t.shape, await t.array());

  // --- Data tools
  const texts = ['win money now', 'meeting at noon', 'cheap money offer', 'lunch at noon?'];
  const labels = [1, 0, 1, 0];
  const tok = new lw.data.Tokenizer({ numWords: 100, oovToken: '<OOV>' });
  tok.fitOnTexts(texts);
  const x = lw.data.padSequences(tok.textsToSequences(texts), { maxLen: 6 });
  const y = lw.tensor(labels.map((v) => [v]));

  // --- Layers and models: a masked text classifier
  const clf = lw.sequential([
    lw.layers.embedding({ inputDim: 100, outputDim: 8, inputLength: 6, maskZero: true }),
    lw.layers.bidirectional({ layer: lw.layers.lstm({ units: 8 }) }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  clf.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  clf.summary(70, log);

  // --- Training with callbacks
  const stop = lw.callbacks.earlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true });
  const { history } = await clf.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0, seed: 1, callbacks: [stop] });
  log('loss', history.loss[0].toFixed(3), '->', history.loss[history.loss.length - 1].toFixed(3));

  // --- Several inputs and outputs (functional API)
  const a = lw.input({ shape: [10, 2], name: 'a' });
  const b = lw.input({ shape: [10, 1], name: 'b' });
  const ha = lw.layers.lstm({ units: 8 }).apply(a) as lw.layers.SymbolicTensor;
  const hb = lw.layers.gru({ units: 8 }).apply(b) as lw.layers.SymbolicTensor;
  const both = lw.layers.concatenate([ha, hb]);
  const next = lw.layers.dense({ units: 1, name: 'next' }).apply(both) as lw.layers.SymbolicTensor;
  const up = lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'up' }).apply(both) as lw.layers.SymbolicTensor;
  const multi = lw.model({ inputs: [a, b], outputs: [next, up] });
  multi.compile({ optimizer: lw.train.adam({ learningRate: 1e-2, clipNorm: 1 }),
    loss: ['meanSquaredError', 'binaryCrossentropy'], lossWeights: [1, 0.5] });
  const xa = lw.tensor(new Float32Array(32 * 10 * 2).map((_, i) => Math.sin(i / 7)), [32, 10, 2]);
  const xb = lw.tensor(new Float32Array(32 * 10).map((_, i) => Math.cos(i / 5)), [32, 10, 1]);
  const multiHistory = await multi.fit([xa, xb], [lw.tensor(new Float32Array(32).fill(0.5), [32, 1]), lw.tensor(new Float32Array(32).fill(1), [32, 1])],
    { epochs: 5, verbose: 0 });

  // --- Save and load (TF.js layers format)
  const dir = mkdtempSync(join(tmpdir(), 'lw-tour-'));
  await clf.save(`file://${dir}`, { includeOptimizer: true });
  const loaded = await lw.loadModel(`file://${dir}/model.json`);
  const same = (loaded.predict(x) as lw.Tensor).dataSync().every((v, i) => v === (clf.predict(x) as lw.Tensor).dataSync()[i]);

  // --- Low-level kernels
  const prod = lw.ops.gemm([[1, 2], [3, 4]], [[5, 6], [7, 8]], { transposeB: true });
  const bce = lw.ops.loss('binaryCrossentropy', [[0.5]], [[1]]);

  // --- Errors are typed
  let code = '';
  try {
    clf.predict(lw.tensor([[1, 2, 3]]));
  } catch (e) {
    code = (e as lw.LwError).code;
  }
  return { backend: lw.getBackend(), history, multiLoss: multiHistory.history.loss, same, prod: prod.arraySync(), bce: bce.loss, code };
}

if (isMain(import.meta.url)) console.log(await apiTour());

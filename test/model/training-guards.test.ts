// The NaN guard: a diverging run stops with NON_FINITE naming the epoch and batch, before the bad
// update (weights and optimizer state from the last good step are kept), on every backend; an
// overflow in the gradients with a finite loss is stopped the same way; a throwing callback
// leaves a usable model.
import { describe, it, expect } from 'vitest';
import * as lw from '../../ts/index.js';
import { expectLwError, weightsOf } from '../helpers/reliability.js';

/** A regression whose SGD steps grow without bound at a large learning rate. */
function divergingRegression(lr: number, optimizer: 'sgd' | 'adam' = 'sgd') {
  lw.setSeed(2);
  const m = lw.sequential([
    lw.layers.simpleRNN({ units: 4, activation: 'relu', inputShape: [3, 2] }),
    lw.layers.dense({ units: 4, activation: 'relu' }),
    lw.layers.dense({ units: 1 }),
  ]);
  m.compile({ optimizer: optimizer === 'sgd' ? lw.train.sgd({ learningRate: lr }) : lw.train.adam({ learningRate: lr }), loss: 'mse' });
  const x = lw.tensor(Float32Array.from({ length: 32 * 6 }, (_, i) => ((i * 7) % 11) / 5 - 1), [32, 3, 2]);
  const y = lw.tensor(Float32Array.from({ length: 32 }, (_, i) => 50 * (i % 5)), [32, 1]);
  return { m, x, y };
}

/** Records the weights, step count, epoch and batch after every completed batch. */
function recorder() {
  const rec = { weights: [] as number[], iterations: 0, epoch: 0, batch: -1, batches: 0 };
  const cb: lw.callbacks.Callback = {
    onEpochBegin(epoch) {
      rec.epoch = epoch;
      rec.batch = -1;
    },
    onBatchEnd(batch) {
      rec.batch = batch;
      rec.batches++;
      rec.weights = weightsOf(cb.model!);
      rec.iterations = cb.model!.optimizer!.iterations;
    },
  };
  return { rec, cb };
}

describe('NaN guard', () => {
  for (const backend of ['simd', 'scalar', 'js'] as const) {
    for (const opt of ['sgd', 'adam'] as const) {
      it(`${backend}, ${opt}: a diverging run stops with NON_FINITE at the right epoch and batch, keeping the last good weights`, async () => {
        await lw.ready({ backend });
        const { m, x, y } = divergingRegression(opt === 'sgd' ? 5 : 1e30, opt);
        const initial = m.getWeights();
        const { rec, cb } = recorder();
        const err = await expectLwError(() => m.fit(x, y, { epochs: 200, batchSize: 8, shuffle: false, verbose: 0, callbacks: [cb] }), 'NON_FINITE',
          /the weights from before this step are kept/);
        // The failing batch is the one after the last completed one.
        const batchesPerEpoch = 4;
        const failedEpoch = rec.batch === batchesPerEpoch - 1 ? rec.epoch + 1 : rec.epoch;
        const failedBatch = rec.batch === batchesPerEpoch - 1 ? 0 : rec.batch + 1;
        expect(err.message).toContain(`(epoch ${failedEpoch + 1}, batch ${failedBatch + 1})`);
        expect(err.details).toMatchObject({ epoch: failedEpoch, batch: failedBatch });
        expect(rec.batches).toBeGreaterThan(0);
        expect(weightsOf(m)).toEqual(rec.weights);
        expect(m.optimizer!.iterations).toBe(rec.iterations);
        // Still usable: predictions come out, and from sane weights training goes on.
        expect((m.predict(x) as lw.Tensor).shape).toEqual([32, 1]);
        m.setWeights(initial);
        m.optimizer!.learningRate = 1e-4;
        const h = await m.fit(x, y, { epochs: 2, verbose: 0 });
        expect(h.history.loss.every(Number.isFinite)).toBe(true);
      });
    }
  }

  it('gradients that overflow while the loss is finite stop the step, naming the weight; no weight turns non-finite', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(3);
    // x1 - x2 cancels exactly in the forward pass (loss 1), but dLoss/dKernel = x · (-2) overflows float32.
    const m = lw.sequential([lw.layers.dense({ units: 1, useBias: false, inputShape: [2], name: 'cancel' }), lw.layers.dense({ units: 1, useBias: false, name: 'out' })]);
    m.setWeights([lw.tensor([[1], [-1]]), lw.tensor([[1]])]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = [[3e38, 3e38]];
    const before = weightsOf(m);
    const err = await expectLwError(() => m.fit(x, [[1]], { verbose: 0 }), 'NON_FINITE', /the gradient of cancel\/kernel \(layer "cancel", Dense\) overflowed \(NaN or infinite\) with a loss of 1/, /epoch 1, batch 1/);
    expect(err.details.weight).toBe('cancel/kernel');
    expect(weightsOf(m)).toEqual(before);
    await expectLwError(() => m.trainOnBatch(x, [[1]]), 'NON_FINITE', /overflowed/);
    expect(weightsOf(m)).toEqual(before);
    expect(m.optimizer!.iterations).toBe(0);
  });

  it('NaN in validationData stops fit before the first step', async () => {
    await lw.ready({ backend: 'simd' });
    const { m, x, y } = divergingRegression(0.001);
    const before = weightsOf(m);
    const vx = lw.tensor(Float32Array.from({ length: 12 }, (_, i) => (i === 7 ? NaN : i)), [2, 3, 2]);
    await expectLwError(() => m.fit(x, y, { validationData: [vx, [[1], [2]]], verbose: 0 }), 'NON_FINITE', /fit validationData: input ".*" has NaN at \[1, 0, 1\] \(sample 1\)/);
    expect(weightsOf(m)).toEqual(before);
  });

  it('a callback that throws ends fit with its error; the model trains on afterwards', async () => {
    await lw.ready({ backend: 'simd' });
    const { m, x, y } = divergingRegression(0.001);
    const boom = new Error('callback failed');
    await expect(m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [{ onBatchEnd: (b) => { if (b === 2) throw boom; } }] })).rejects.toBe(boom);
    const h = await m.fit(x, y, { epochs: 2, verbose: 0 });
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    await expectLwError(() => m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [{ onBatchEnd: (_b, logs) => { logs!.loss = NaN; } }, lw.callbacks.terminateOnNaN()] }), 'NON_FINITE', /loss is NaN at batch 1/);
  });
});

// RepeatVector: [B, F] → [B, n, F] against a manual repeat, no output mask, finite-difference input
// gradients (js float64), simd vs js, errors naming the layer, its Keras config and a save → load.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { RepeatVector, repeatVector } from '../../ts/layers/repeat-vector.js';
import { layerFromJson } from '../../ts/layers/registry.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { checkModelGradients, predictOnBoth, probedInput, withCtx } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('repeatVector', () => {
  it('repeats every sample n times', () => {
    const [B, F, n] = [3, 4, 5];
    const m = lw.sequential([repeatVector({ n, inputShape: [F] })]);
    const x = rand([B, F], 1);
    const y = m.predict(x) as lw.Tensor;
    expect(y.shape).toEqual([B, n, F]);
    const xs = x.dataSync();
    const want: number[] = [];
    for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) for (let f = 0; f < F; f++) want.push(xs[b * F + f]);
    expect(Array.from(y.dataSync())).toEqual(want);
  });

  it('input gradients match finite differences (each step sends its gradient back)', () => {
    const [inp, probed, zeros] = probedInput([3, 4], 2);
    const seq = repeatVector({ n: 3 }).apply(probed) as SymbolicTensor;
    const out = lw.layers.lstm({ units: 2, returnSequences: true }).apply(seq) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    expect(checkModelGradients(m, zeros, rand([3, 3, 2], 3))).toBeGreaterThan(12);
  });

  it('has no output mask (Keras RepeatVector does not support masking)', async () => {
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      const x = ctx.alloc(6);
      const { outputs } = new RepeatVector({ n: 2 }).forward(ctx, [{ ptr: x, shape: [2, 3], mask: ctx.alloc(2) }]);
      expect(outputs[0].mask).toBeUndefined();
    });
  });

  it('simd agrees with js in an encoder-decoder', async () => {
    const m = lw.sequential([
      lw.layers.lstm({ units: 6, inputShape: [5, 3] }),
      repeatVector({ n: 4 }),
      lw.layers.lstm({ units: 5, returnSequences: true }),
      lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 2 }) }),
    ]);
    const { js, simd } = await predictOnBoth(m, rand([7, 5, 3], 4));
    expect(js[0].shape).toEqual([7, 4, 2]);
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, 'encoder-decoder');
  });

  it('bad n and input ranks are errors naming the layer', () => {
    for (const n of [0, -1, 1.5, NaN]) expectLwErrorSync(() => repeatVector({ n, name: 'rep' }), 'BAD_ARGUMENT', /rep.*n must be a whole number >= 1/);
    expectLwErrorSync(() => repeatVector({ n: 2, name: 'rep3' }).apply(lw.input({ shape: [3, 2] })), 'SHAPE_MISMATCH', /rep3.*RepeatVector.*rank 2/);
  });

  it('config is Keras\'; it loads from a Keras config and a saved model loads and predicts the same', async () => {
    expect(repeatVector({ n: 3, name: 'r' }).getConfig()).toMatchObject({ name: 'r', trainable: true, dtype: 'float32', n: 3 });
    const fromKeras = layerFromJson({ class_name: 'RepeatVector', config: { name: 'rv', trainable: true, dtype: 'float32', n: 4 } }, 'layer 0');
    expect(fromKeras).toBeInstanceOf(RepeatVector);
    expect((fromKeras as RepeatVector).n).toBe(4);
    expectLwErrorSync(() => layerFromJson({ class_name: 'RepeatVector', config: { n: 0 } }, 'layer 0'), 'BAD_MODEL_FILE', /RepeatVector.*"n"/);
    const m = lw.sequential([lw.layers.dense({ units: 3, inputShape: [2] }), repeatVector({ n: 2 }), lw.layers.simpleRNN({ units: 2 })]);
    const loaded = await lw.loadModel(m.toArtifacts());
    const x = rand([4, 2], 5);
    expect(Array.from((loaded.predict(x) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as lw.Tensor).dataSync()));
  });
});

// Reshape: per-sample target shapes with one -1, unknown dimensions, errors naming the layer, the
// mask dropped (Keras), the same floats in the same order, finite-difference gradients, simd vs
// js, its Keras config and a save → load.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { Reshape, reshape } from '../../ts/layers/reshape.js';
import { layerFromJson } from '../../ts/layers/registry.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { checkModelGradients, predictOnBoth, probedInput, withCtx } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);
const shapeOf = (layer: Reshape, shape: (number | null)[]) => (layer.apply(lw.input({ shape })) as SymbolicTensor).shape;

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('reshape shapes', () => {
  it('gives the target shape, infers one -1, and leaves it unknown when the input is', () => {
    expect(shapeOf(reshape({ targetShape: [3, 4] }), [12])).toEqual([null, 3, 4]);
    expect(shapeOf(reshape({ targetShape: [-1, 2, 2] }), [12])).toEqual([null, 3, 2, 2]);
    expect(shapeOf(reshape({ targetShape: [6, -1] }), [3, 4])).toEqual([null, 6, 2]);
    expect(shapeOf(reshape({ targetShape: [-1] }), [5, 2, 3])).toEqual([null, 30]);
    expect(shapeOf(reshape({ targetShape: [-1, 4] }), [null, 4])).toEqual([null, null, 4]);
  });

  it('bad targets and sizes that do not fit are errors naming the layer', () => {
    for (const targetShape of [[-1, -1], [0, 3], [2.5], [], [-2, 3]]) {
      expectLwErrorSync(() => reshape({ targetShape, name: 'bad_target' }), 'BAD_ARGUMENT', /bad_target.*targetShape.*at most one -1/);
    }
    expectLwErrorSync(() => shapeOf(reshape({ targetShape: [5], name: 'fit5' }), [12]), 'SHAPE_MISMATCH', /fit5.*Reshape.*cannot reshape \[None, 12\].*\[None, 5\]/);
    expectLwErrorSync(() => shapeOf(reshape({ targetShape: [5, -1], name: 'fit5x' }), [12]), 'SHAPE_MISMATCH', /fit5x.*12 values per sample/);
  });

  it('a batch whose unknown dimension does not fit is SHAPE_MISMATCH naming the layer', () => {
    const inp = lw.input({ shape: [null, 3] });
    const m = lw.model({ inputs: inp, outputs: reshape({ targetShape: [-1, 6], name: 'pairs' }).apply(inp) as SymbolicTensor });
    expect((m.predict(rand([2, 4, 3], 1)) as lw.Tensor).shape).toEqual([2, 2, 6]);
    expectLwErrorSync(() => m.predict(rand([2, 3, 3], 1)), 'SHAPE_MISMATCH', /pairs.*cannot reshape \[None, 3, 3\]/);
  });
});

describe('reshape values and gradients', () => {
  it('keeps the floats in order, and drops the mask (Keras Reshape does not support masking)', async () => {
    const m = lw.sequential([reshape({ targetShape: [2, -1], inputShape: [3, 4] })]);
    const x = rand([5, 3, 4], 2);
    const y = m.predict(x) as lw.Tensor;
    expect(y.shape).toEqual([5, 2, 6]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    const js = await createBackend('js');
    withCtx(js, (ctx) => {
      const { outputs } = new Reshape({ targetShape: [6, 2] }).forward(ctx, [{ ptr: ctx.alloc(24), shape: [2, 3, 4], mask: ctx.alloc(6) }]);
      expect(outputs[0].shape).toEqual([2, 6, 2]);
      expect(outputs[0].mask).toBeUndefined();
    });
  });

  it('input gradients match finite differences', () => {
    const [inp, probed, zeros] = probedInput([2, 6], 3);
    const seq = reshape({ targetShape: [3, 2] }).apply(probed) as SymbolicTensor;
    const out = lw.layers.gru({ units: 2 }).apply(seq) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    expect(checkModelGradients(m, zeros, rand([2, 2], 4))).toBeGreaterThan(12);
  });

  it('simd agrees with js', async () => {
    const m = lw.sequential([lw.layers.dense({ units: 8, inputShape: [5] }), reshape({ targetShape: [4, -1] }), lw.layers.lstm({ units: 3 })]);
    const { js, simd } = await predictOnBoth(m, rand([6, 5], 5));
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, 'reshape model');
  });
});

describe('reshape config', () => {
  it('is Keras\'; it loads from a Keras config (bad target_shape: BAD_MODEL_FILE) and a saved model loads', async () => {
    expect(reshape({ targetShape: [3, -1], name: 'rs' }).getConfig()).toMatchObject({ name: 'rs', target_shape: [3, -1] });
    const l = layerFromJson({ class_name: 'Reshape', config: { name: 'r', trainable: true, target_shape: [2, 3] } }, 'layer 1');
    expect((l as Reshape).targetShape).toEqual([2, 3]);
    expectLwErrorSync(() => layerFromJson({ class_name: 'Reshape', config: { target_shape: 'x' } }, 'layer 1'), 'BAD_MODEL_FILE', /Reshape.*target_shape/);
    expectLwErrorSync(() => layerFromJson({ class_name: 'Reshape', config: { target_shape: [-1, -1] } }, 'layer 1'), 'BAD_MODEL_FILE', /Reshape.*at most one -1/);
    const m = lw.sequential([lw.layers.dense({ units: 6, inputShape: [2] }), reshape({ targetShape: [3, 2] }), lw.layers.lstm({ units: 2 })]);
    const loaded = await lw.loadModel(m.toArtifacts());
    const x = rand([3, 2], 6);
    expect(Array.from((loaded.predict(x) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as lw.Tensor).dataSync()));
  });
});

// SpatialDropout1D: identity at inference; while training whole feature channels are dropped at
// every step (noise shape [batch, 1, features]) at about the rate, kept ones scaled by 1/(1-rate);
// the backward uses the forward's mask (finite differences with a seeded layer); seeds; masks pass;
// errors, Keras config, save → load, and a model that trains with it.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { SpatialDropout1D, spatialDropout1D } from '../../ts/layers/spatial-dropout-1d.js';
import { layerFromJson } from '../../ts/layers/registry.js';
import type { Backend } from '../../ts/backend/backend.js';
import type { ExecCtx } from '../../ts/engine/exec.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { expectClose, numericGrad, randArray, weightedSum } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { withCtx } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

let js: Backend;
beforeAll(async () => {
  await lw.ready({ backend: 'js' });
  js = await createBackend('js');
});

/** Runs the layer forward (training unless said otherwise) and backward on x [B, T, F]; returns y and dx. */
function runLayer(layer: SpatialDropout1D, shape: number[], x: number[], dy: number[], training = true, rngSeed = 1) {
  return withCtx(js, (base) => {
    const ctx: ExecCtx = { ...base, training, rng: new lw.Random(rngSeed) };
    const n = x.length;
    const px = ctx.alloc(n);
    js.writeFloats(px, x);
    const mask = ctx.alloc(shape[0] * shape[1]);
    js.writeFloats(mask, new Array(shape[0] * shape[1]).fill(1));
    const input = { ptr: px, shape, mask };
    const r = layer.forward(ctx, [input]);
    const pdy = ctx.alloc(n);
    js.writeFloats(pdy, dy);
    const [dx] = layer.backward(ctx, r.saved, [input], r.outputs, [pdy]);
    return { out: r.outputs[0], sameAsInput: r.outputs[0].ptr === px, y: js.readFloats(r.outputs[0].ptr, n, true), dx: js.readFloats(dx, n, true) };
  });
}

describe('spatialDropout1D', () => {
  it('is the identity at inference', () => {
    const x = randArray(2 * 3 * 4, 1);
    const r = runLayer(spatialDropout1D({ rate: 0.5 }), [2, 3, 4], x, x, false);
    expect(r.sameAsInput).toBe(true);
    const m = lw.sequential([spatialDropout1D({ rate: 0.5, inputShape: [3, 4] })]);
    expect(Array.from((m.predict(rand([2, 3, 4], 2)) as lw.Tensor).dataSync())).toEqual(Array.from(rand([2, 3, 4], 2).dataSync()));
  });

  it('while training drops whole channels across every step, about `rate` of them, and scales the rest', () => {
    const [B, T, F] = [40, 6, 50];
    const rate = 0.3;
    const x = randArray(B * T * F, 3).map((v) => (v === 0 ? 0.5 : v));
    const { y, out } = runLayer(spatialDropout1D({ rate }), [B, T, F], x, x);
    let dropped = 0;
    for (let b = 0; b < B; b++) {
      for (let f = 0; f < F; f++) {
        const at = (t: number) => (b * T + t) * F + f;
        const off = y[at(0)] === 0;
        if (off) dropped++;
        for (let t = 0; t < T; t++) {
          if (off) expect(Math.abs(y[at(t)]), `(${b}, ${t}, ${f}) dropped with its channel`).toBe(0);
          else expect(y[at(t)]).toBeCloseTo(x[at(t)] / (1 - rate), 12);
        }
      }
    }
    // 2000 channels: the dropped fraction is within 4 standard deviations (0.041) of the rate.
    expect(Math.abs(dropped / (B * F) - rate)).toBeLessThan(0.041);
  });

  it('backward is dy times the forward\'s mask, and matches finite differences with a seeded layer', () => {
    const shape = [3, 4, 5];
    const n = 60;
    const x = randArray(n, 4);
    const w = randArray(n, 5);
    const analytic = runLayer(spatialDropout1D({ rate: 0.4, seed: 9 }), shape, x, w).dx;
    // A new layer with the same seed draws the same mask at its first call.
    const numeric = numericGrad((xs) => weightedSum(runLayer(spatialDropout1D({ rate: 0.4, seed: 9 }), shape, xs, w).y, w), x);
    expect(numeric.some((v) => v === 0) && numeric.some((v) => v !== 0)).toBe(true);
    expectClose(analytic, numeric, 1e-8, 1e-6, 'dx');
  });

  it('a seed fixes the layer\'s masks (and they move on at each call); without one they come from the context\'s stream', () => {
    const shape = [4, 2, 16];
    const x = randArray(128, 6);
    const masks = (layer: SpatialDropout1D, rngSeed = 1) => Array.from(runLayer(layer, shape, x, x, true, rngSeed).y, (v) => (v === 0 ? 0 : 1));
    expect(masks(spatialDropout1D({ rate: 0.5, seed: 3 }), 1)).toEqual(masks(spatialDropout1D({ rate: 0.5, seed: 3 }), 2));
    expect(masks(spatialDropout1D({ rate: 0.5, seed: 3 }))).not.toEqual(masks(spatialDropout1D({ rate: 0.5, seed: 4 })));
    const seeded = spatialDropout1D({ rate: 0.5, seed: 3 });
    expect(masks(seeded)).not.toEqual(masks(seeded));
    expect(masks(spatialDropout1D({ rate: 0.5 }), 7)).toEqual(masks(spatialDropout1D({ rate: 0.5 }), 7));
    expect(masks(spatialDropout1D({ rate: 0.5 }), 7)).not.toEqual(masks(spatialDropout1D({ rate: 0.5 }), 8));
  });

  it('bad rates, seeds and input ranks are errors naming the layer', () => {
    for (const rate of [-0.1, 1, NaN]) expectLwErrorSync(() => spatialDropout1D({ rate, name: 'sd' }), 'BAD_ARGUMENT', /sd.*rate must be in \[0, 1\)/);
    expectLwErrorSync(() => spatialDropout1D({ rate: 0.1, seed: 1.5, name: 'sd' }), 'BAD_ARGUMENT', /sd.*seed must be a whole number/);
    expectLwErrorSync(() => spatialDropout1D({ rate: 0.1, name: 'sd2' }).apply(lw.input({ shape: [4] })), 'SHAPE_MISMATCH', /sd2.*SpatialDropout1D.*rank 3/);
  });

  it('config is Keras\'; a Keras config loads with its seed; a saved model loads; a model with it trains', async () => {
    expect(spatialDropout1D({ rate: 0.25, name: 'sd' }).getConfig()).toMatchObject({ name: 'sd', rate: 0.25, seed: null });
    expect(spatialDropout1D({ rate: 0.25, seed: 5 }).getConfig().seed).toBe(5);
    const l = layerFromJson({ class_name: 'SpatialDropout1D', config: { name: 's', rate: 0.2, seed: 11, dtype: 'float32' } }, 'layer 3') as SpatialDropout1D;
    expect([l.rate, l.seed]).toEqual([0.2, 11]);
    const m = lw.sequential([spatialDropout1D({ rate: 0.2, inputShape: [6, 3] }), lw.layers.lstm({ units: 4 }), lw.layers.dense({ units: 1 })]);
    const loaded = await lw.loadModel(m.toArtifacts());
    expect((loaded.layers[0] as SpatialDropout1D).rate).toBe(0.2);
    const xs = rand([32, 6, 3], 7);
    expect(Array.from((loaded.predict(xs) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(xs) as lw.Tensor).dataSync()));
    const d = xs.dataSync();
    const ys = lw.tensor(Array.from({ length: 32 }, (_, i) => d[i * 18] + d[i * 18 + 17]), [32, 1]);
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    const before = m.evaluate(xs, ys) as number;
    await m.fit(xs, ys, { epochs: 20, batchSize: 8, verbose: 0, seed: 1 });
    expect(m.evaluate(xs, ys) as number).toBeLessThan(0.5 * before);
  });
});

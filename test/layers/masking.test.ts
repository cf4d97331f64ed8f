// Masking: the zeroed output and the [batch, time] mask it sets, padded batches that give the same
// recurrent outputs and final states as the sequences run alone (pre- and post-padding), gradients
// through it (js float64), simd vs js.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { Masking, masking } from '../../ts/layers/masking.js';
import { timeDistributed } from '../../ts/layers/time-distributed.js';
import type { Layer, SymbolicTensor } from '../../ts/engine/layer.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, InputProbe, predictOnBoth, probedInput, withCtx } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);

/** Sequences of the given lengths (F features each, never all equal to `pad`), and the padded batch [B, T, F]. */
function paddedBatch(lengths: number[], T: number, F: number, where: 'pre' | 'post', pad = 0, seed = 1) {
  const seqs = lengths.map((len, i) => randArray(len * F, seed + i).map((v) => (v === pad ? 0.5 : v)));
  const data = new Array(lengths.length * T * F).fill(pad);
  seqs.forEach((s, i) => {
    const start = where === 'pre' ? T - lengths[i] : 0;
    s.forEach((v, j) => (data[i * T * F + start * F + j] = v));
  });
  return { seqs, x: lw.tensor(data, [lengths.length, T, F]) };
}

const RECURRENT: Record<string, (a: { units: number; returnSequences: boolean; returnState: boolean }) => Layer> = {
  lstm: (a) => lw.layers.lstm(a),
  gru: (a) => lw.layers.gru(a),
  simpleRNN: (a) => lw.layers.simpleRNN(a),
};

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('masking layer', () => {
  it.each([0, -1, 0.1])('zeroes the steps whose features all equal maskValue %s and sets the mask', async (maskValue) => {
    const js = await createBackend('js');
    const [B, T, F] = [2, 3, 2];
    const pad = Math.fround(maskValue);
    // Step (0,1) is padding; step (1,0) has one feature equal to maskValue only; step (1,2) is padding.
    const x = [0.3, -0.2, pad, pad, 0.7, 0.1, pad, 0.4, 0.9, -0.5, pad, pad].map(Math.fround);
    const layer = new Masking({ maskValue });
    withCtx(js, (ctx) => {
      const p = ctx.alloc(x.length);
      js.writeFloats(p, x);
      const { outputs, saved } = layer.forward(ctx, [{ ptr: p, shape: [B, T, F] }]);
      const [y] = outputs;
      expect(y.shape).toEqual([B, T, F]);
      expect(Array.from((layer.computeMask(lw.tensor(x, [B, T, F])) as lw.Tensor).dataSync())).toEqual([1, 0, 1, 1, 1, 0]);
      const keep = [1, 0, 1, 1, 1, 0];
      expect(Array.from(js.readFloats(y.ptr, x.length, true))).toEqual(x.map((v, i) => (keep[Math.floor(i / F)] ? v : 0)));
      const dy = ctx.alloc(x.length);
      js.writeFloats(dy, x.map((_v, i) => i + 1));
      const [dx] = layer.backward(ctx, saved, [{ ptr: p, shape: [B, T, F] }], outputs, [dy]);
      expect(Array.from(js.readFloats(dx, x.length, true))).toEqual(x.map((_v, i) => (keep[Math.floor(i / F)] ? i + 1 : 0)));
    });
  });

  it('getConfig is the Keras form; shape errors name the layer', () => {
    expect(masking({ name: 'mask_me', maskValue: -1 }).getConfig()).toMatchObject({ name: 'mask_me', mask_value: -1, trainable: true, dtype: 'float32' });
    expect(masking().maskValue).toBe(0);
    expect(() => masking({ name: 'flat_mask' }).apply(lw.input({ shape: [4] }))).toThrow(/flat_mask.*Masking.*rank 3/);
  });
});

describe('masked recurrent layers', () => {
  it.each([
    ['lstm', 'post'], ['lstm', 'pre'], ['gru', 'post'], ['gru', 'pre'], ['simpleRNN', 'post'], ['simpleRNN', 'pre'],
  ] as const)('%s: a %s-padded batch gives the same outputs and final states as each sequence alone', (kind, where) => {
    const [T, F, U] = [5, 3, 4];
    const lengths = [3, 1, 5, 2];
    // One model per sequence length (predict needs known output shapes), all with the same weights.
    const build = (steps: number) => {
      const inp = lw.input({ shape: [steps, F] });
      const outs = RECURRENT[kind]({ units: U, returnSequences: true, returnState: true }).apply(masking().apply(inp) as SymbolicTensor) as SymbolicTensor[];
      return lw.model({ inputs: inp, outputs: outs });
    };
    const m = build(T);
    const { seqs, x } = paddedBatch(lengths, T, F, where);
    const [seqOut, ...states] = m.predict(x) as lw.Tensor[];
    lengths.forEach((len, i) => {
      const single = build(len);
      single.setWeights(m.getWeights());
      const [aloneSeq, ...aloneStates] = single.predict(lw.tensor(seqs[i], [1, len, F])) as lw.Tensor[];
      states.forEach((s, k) => expectClose(s.dataSync().slice(i * U, i * U + U), aloneStates[k].dataSync(), 1e-12, 1e-10, `${kind} ${where} sample ${i} state ${k}`));
      const start = where === 'pre' ? T - len : 0;
      const got = seqOut.dataSync().slice((i * T + start) * U, (i * T + start + len) * U);
      expectClose(got, aloneSeq.dataSync(), 1e-12, 1e-10, `${kind} ${where} sample ${i} outputs`);
    });
  });

  it('timeDistributed(dense) passes the mask through to an LSTM', () => {
    const [T, F] = [4, 2];
    const lengths = [2, 4, 1];
    const inp = lw.input({ shape: [null, F] });
    const h = timeDistributed({ layer: lw.layers.dense({ units: 3, activation: 'tanh' }) }).apply(masking().apply(inp) as SymbolicTensor);
    const m = lw.model({ inputs: inp, outputs: lw.layers.lstm({ units: 3 }).apply(h as SymbolicTensor) as SymbolicTensor });
    const { seqs, x } = paddedBatch(lengths, T, F, 'post', 0, 20);
    const y = (m.predict(x) as lw.Tensor).dataSync();
    lengths.forEach((len, i) => {
      const alone = (m.predict(lw.tensor(seqs[i], [1, len, F])) as lw.Tensor).dataSync();
      expectClose(y.slice(i * 3, i * 3 + 3), alone, 1e-12, 1e-10, `sample ${i}`);
    });
  });

  it('gradients through masking into an LSTM match finite differences (padding values left out)', () => {
    const [B, T, F] = [3, 4, 2];
    const { x } = paddedBatch([2, 4, 3], T, F, 'pre', 0, 30);
    const [inp, probed, zeros] = probedInput([B, T, F], 0, x.dataSync());
    const seq = lw.layers.lstm({ units: 2, returnSequences: true }).apply(masking().apply(probed) as SymbolicTensor) as SymbolicTensor;
    const out = lw.layers.dense({ units: 1 }).apply(seq) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    const padded = (i: number) => {
      const step = i - (i % F);
      return Array.from(x.dataSync().slice(step, step + F)).every((v) => v === 0);
    };
    const n = checkModelGradients(m, zeros, rand([B, T, 1], 31), { skip: (w, i) => w.layer instanceof InputProbe && padded(i) });
    expect(n).toBe(16 + 16 + 8 + 2 + 1 + 9 * F);
  });

  it('simd agrees with js on a padded batch', async () => {
    const [T, F] = [6, 5];
    const m = lw.sequential([masking({ inputShape: [T, F] }), lw.layers.lstm({ units: 7, returnSequences: true }), lw.layers.gru({ units: 3 })]);
    const { x } = paddedBatch([6, 1, 3, 4, 2], T, F, 'post', 0, 40);
    const { js, simd } = await predictOnBoth(m, x);
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, 'masked model');
  });
});

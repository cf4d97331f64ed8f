// Bidirectional: shapes for every mergeMode / returnSequences / returnState, Keras/TF.js weight
// names and order, outputs against separately run forward and goBackwards layers, masks in both
// directions, finite-difference gradients (js float64), freezing, simd vs js.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { Bidirectional, bidirectional, type MergeMode } from '../../ts/layers/bidirectional.js';
import { masking } from '../../ts/layers/masking.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import type { RecurrentArgs, RecurrentLayer } from '../../ts/layers/recurrent-base.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, InputProbe, predictOnBoth, probedInput } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);
const MODES: MergeMode[] = ['concat', 'sum', 'mul', 'ave'];
const KINDS: Record<string, (a: RecurrentArgs) => RecurrentLayer> = {
  lstm: (a) => lw.layers.lstm(a),
  gru: (a) => lw.layers.gru(a),
  simpleRNN: (a) => lw.layers.simpleRNN(a),
};
const asList = (t: lw.Tensor | lw.Tensor[]) => (Array.isArray(t) ? t : [t]);

/** [B, T, U] reversed along time. */
function reverseTime(v: ArrayLike<number>, B: number, T: number, U: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let t = T - 1; t >= 0; t--) for (let u = 0; u < U; u++) out.push(v[(b * T + t) * U + u]);
  return out;
}

function merge(mode: MergeMode, f: ArrayLike<number>, b: ArrayLike<number>, U: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < f.length / U; r++) {
    const fr = Array.from(f).slice(r * U, r * U + U);
    const br = Array.from(b).slice(r * U, r * U + U);
    if (mode === 'concat') out.push(...fr, ...br);
    else out.push(...fr.map((v, i) => (mode === 'sum' ? v + br[i] : mode === 'mul' ? v * br[i] : 0.5 * (v + br[i]))));
  }
  return out;
}

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('bidirectional structure', () => {
  it.each(MODES.flatMap((mode) => [false, true].flatMap((seq) => [false, true].map((state) => ({ mode, seq, state })))))(
    'shapes: mergeMode $mode, returnSequences $seq, returnState $state', ({ mode, seq, state }) => {
      const [B, T, F, U] = [2, 3, 4, 5];
      const layer = bidirectional({ layer: lw.layers.lstm({ units: U, returnSequences: seq, returnState: state }), mergeMode: mode });
      const out = layer.apply(lw.input({ shape: [T, F] }));
      const outs = Array.isArray(out) ? out : [out];
      const main = seq ? [null, T, mode === 'concat' ? 2 * U : U] : [null, mode === 'concat' ? 2 * U : U];
      expect(outs.map((o) => o.shape)).toEqual([main, ...(state ? Array(4).fill([null, U]) : [])]);
      const m = lw.model({ inputs: outs[0].node.inputs[0], outputs: outs });
      const got = asList(m.predict(rand([B, T, F], 1)));
      expect(got.map((t) => t.shape)).toEqual(outs.map((o) => [B, ...o.shape.slice(1)]));
    });

  it('weights are bidirectional/forward_lstm/... then bidirectional/backward_lstm/... (Keras order)', () => {
    const bi = new Bidirectional({ name: 'bidirectional', layer: lw.layers.lstm({ units: 3, name: 'lstm' }), inputShape: [4, 2] });
    const m = lw.sequential([bi]);
    const names = ['kernel', 'recurrent_kernel', 'bias'];
    expect(m.weights.map((w) => w.path)).toEqual([
      ...names.map((n) => `bidirectional/forward_lstm/${n}`), ...names.map((n) => `bidirectional/backward_lstm/${n}`),
    ]);
    m.params();
    const shapes = [[2, 12], [3, 12], [12]];
    expect(bi.getWeights().map((t) => t.shape)).toEqual([...shapes, ...shapes]);
    expect(bi.countParams()).toBe(2 * (24 + 36 + 12));
    expect(bi.forwardLayer.goBackwards).toBe(false);
    expect(bi.backwardLayer.goBackwards).toBe(true);
    const values = bi.getWeights().map((t, i) => lw.tensor(randArray(t.size, 50 + i), [...t.shape]));
    bi.setWeights(values);
    expect(bi.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(values.map((t) => Array.from(t.dataSync())));
  });

  it('getConfig nests the wrapped layer as Keras writes it', () => {
    const bi = bidirectional({ name: 'bi_cfg', layer: lw.layers.gru({ units: 2, name: 'my_gru', returnSequences: true }), mergeMode: 'ave', inputShape: [3, 1] });
    const c = bi.getConfig();
    expect(c).toMatchObject({ name: 'bi_cfg', trainable: true, merge_mode: 'ave', batch_input_shape: [null, 3, 1] });
    expect(c.layer).toMatchObject({ class_name: 'GRU', config: { name: 'my_gru', units: 2, go_backwards: false, return_sequences: true } });
    expect(c).not.toHaveProperty('backward_layer');
    // inputShape given to the wrapped layer is the wrapper's input shape too
    expect(bidirectional({ layer: lw.layers.lstm({ units: 2, inputShape: [5, 3] }) }).batchInputShape).toEqual([null, 5, 3]);
  });

  it('a custom backwardLayer is used for the backward direction', () => {
    const bi = bidirectional({
      name: 'bi_custom',
      layer: lw.layers.lstm({ units: 3, name: 'fw', returnSequences: true }),
      backwardLayer: lw.layers.gru({ units: 2, name: 'bw', goBackwards: true, returnSequences: true }),
    });
    const out = bi.apply(lw.input({ shape: [4, 2] })) as SymbolicTensor;
    expect(out.shape).toEqual([null, 4, 5]);
    expect(bi.weights.map((w) => w.path).slice(3)).toEqual(['bi_custom/backward_bw/kernel', 'bi_custom/backward_bw/recurrent_kernel', 'bi_custom/backward_bw/bias']);
    expect(bi.getConfig().backward_layer).toMatchObject({ class_name: 'GRU', config: { name: 'bw', go_backwards: true } });
    expect(() => bidirectional({ layer: lw.layers.lstm({ units: 3 }), backwardLayer: lw.layers.lstm({ units: 3 }) })).toThrow(/goBackwards true/);
    expect(() => bidirectional({ layer: lw.layers.lstm({ units: 3 }), backwardLayer: lw.layers.lstm({ units: 3, goBackwards: true, returnSequences: true }) }))
      .toThrow(/returnSequences/);
  });

  it('errors: not a recurrent layer, unknown mergeMode, bad input rank, sum of different widths', () => {
    expect(() => bidirectional({ layer: lw.layers.dense({ units: 2 }) as never })).toThrow(/LSTM, GRU or SimpleRNN/);
    expect(() => bidirectional({ layer: lw.layers.lstm({ units: 2 }), mergeMode: 'max' as never })).toThrow(/mergeMode/);
    expect(() => bidirectional({ name: 'bi_rank', layer: lw.layers.lstm({ units: 2 }) }).apply(lw.input({ shape: [3] }))).toThrow(/bi_rank.*Bidirectional.*rank 3/);
    const uneven = bidirectional({ name: 'bi_uneven', mergeMode: 'sum', layer: lw.layers.lstm({ units: 3 }), backwardLayer: lw.layers.lstm({ units: 2, goBackwards: true }) });
    expect(() => uneven.apply(lw.input({ shape: [4, 2] }))).toThrow(/bi_uneven.*same units/);
  });
});

describe('bidirectional values', () => {
  it.each(MODES.flatMap((mode) => [false, true].map((seq) => ({ mode, seq }))))(
    'mergeMode $mode, returnSequences $seq: a forward run merged with the (time-reversed) goBackwards run', ({ mode, seq }) => {
      const [B, T, F, U] = [3, 4, 2, 3];
      const bi = bidirectional({ layer: lw.layers.lstm({ units: U, returnSequences: seq }), mergeMode: mode, inputShape: [T, F] });
      const m = lw.sequential([bi]);
      const x = rand([B, T, F], 2);
      const y = (m.predict(x) as lw.Tensor).dataSync();
      const fw = lw.sequential([lw.layers.lstm({ units: U, returnSequences: seq, inputShape: [T, F] })]);
      const bw = lw.sequential([lw.layers.lstm({ units: U, returnSequences: seq, goBackwards: true, inputShape: [T, F] })]);
      fw.setWeights(bi.getWeights().slice(0, 3));
      bw.setWeights(bi.getWeights().slice(3));
      const yf = (fw.predict(x) as lw.Tensor).dataSync();
      let yb: ArrayLike<number> = (bw.predict(x) as lw.Tensor).dataSync();
      if (seq) yb = reverseTime(yb, B, T, U);
      // predict returns float32: the reference merges the rounded directions, so allow an ulp or two
      expectClose(y, merge(mode, yf, yb, U), 2e-7, 3e-7, `bidirectional ${mode}`);
    });

  it('returnState gives the forward states then the backward states', () => {
    const [B, T, F, U] = [2, 3, 2, 2];
    const bi = bidirectional({ layer: lw.layers.lstm({ units: U, returnState: true }), inputShape: [T, F] });
    const inp = lw.input({ shape: [T, F] });
    const full = lw.model({ inputs: inp, outputs: bi.apply(inp) as SymbolicTensor[] });
    const x = rand([B, T, F], 3);
    const [merged, hF, cF, hB, cB] = full.predict(x) as lw.Tensor[];
    const ref = (goBackwards: boolean, w: lw.Tensor[]) => {
      const i = lw.input({ shape: [T, F] });
      const r = lw.model({ inputs: i, outputs: lw.layers.lstm({ units: U, returnState: true, goBackwards }).apply(i) as SymbolicTensor[] });
      r.setWeights(w);
      return r.predict(x) as lw.Tensor[];
    };
    const [, rhF, rcF] = ref(false, bi.getWeights().slice(0, 3));
    const [, rhB, rcB] = ref(true, bi.getWeights().slice(3));
    [[hF, rhF], [cF, rcF], [hB, rhB], [cB, rcB]].forEach(([a, b], i) => expectClose(a.dataSync(), b.dataSync(), 1e-12, 1e-10, `state ${i}`));
    expectClose(merged.dataSync(), merge('concat', hF.dataSync(), hB.dataSync(), U), 1e-12, 1e-10, 'merged = [hF | hB]');
  });

  it.each(['post', 'pre'] as const)('masks reach both directions: a %s-padded batch equals each sequence alone', (where) => {
    const [T, F, U] = [5, 2, 3];
    const lengths = [2, 5, 1, 3];
    // One model per sequence length (predict needs known output shapes), all with the same weights.
    const build = (steps: number) => {
      const inp = lw.input({ shape: [steps, F] });
      const masked = masking().apply(inp) as SymbolicTensor;
      const seqOut = bidirectional({ layer: lw.layers.gru({ units: U, returnSequences: true }), mergeMode: 'concat' }).apply(masked) as SymbolicTensor;
      const last = bidirectional({ layer: lw.layers.lstm({ units: U }), mergeMode: 'sum' }).apply(masked) as SymbolicTensor;
      return lw.model({ inputs: inp, outputs: [seqOut, last] });
    };
    const m = build(T);
    const data = new Array(lengths.length * T * F).fill(0);
    const seqs = lengths.map((len, i) => randArray(len * F, 60 + i));
    seqs.forEach((s, i) => s.forEach((v, j) => (data[i * T * F + (where === 'pre' ? T - lengths[i] : 0) * F + j] = v)));
    const [ys, yl] = m.predict(lw.tensor(data, [lengths.length, T, F])) as lw.Tensor[];
    lengths.forEach((len, i) => {
      const single = build(len);
      single.setWeights(m.getWeights());
      const [as, al] = single.predict(lw.tensor(seqs[i], [1, len, F])) as lw.Tensor[];
      expectClose(yl.dataSync().slice(i * U, i * U + U), al.dataSync(), 1e-12, 1e-10, `last output, sample ${i}`);
      const start = where === 'pre' ? T - len : 0;
      const rows = ys.dataSync().slice(i * T * 2 * U, (i + 1) * T * 2 * U);
      expectClose(rows.slice(start * 2 * U, (start + len) * 2 * U), as.dataSync(), 1e-12, 1e-10, `sequence, sample ${i}`);
      // Keras: masked steps output zeros in both directions
      const padded = [...rows.slice(0, start * 2 * U), ...rows.slice((start + len) * 2 * U)];
      expect(padded.every((v) => v === 0)).toBe(true);
    });
  });
});

describe('bidirectional gradients (finite differences, js float64)', () => {
  it.each([
    { kind: 'lstm', mode: 'concat', seq: true, state: false },
    { kind: 'gru', mode: 'sum', seq: false, state: true },
    { kind: 'simpleRNN', mode: 'mul', seq: true, state: false },
    { kind: 'simpleRNN', mode: 'ave', seq: false, state: false },
    { kind: 'lstm', mode: 'ave', seq: true, state: true },
  ] as const)('$kind, mergeMode $mode, returnSequences $seq, returnState $state', ({ kind, mode, seq, state }) => {
    const [B, T, F, U] = [2, 3, 2, 2];
    const [inp, probed, zeros] = probedInput([B, T, F], 7);
    const out = bidirectional({ layer: KINDS[kind]({ units: U, returnSequences: seq, returnState: state }), mergeMode: mode }).apply(probed);
    const outs = Array.isArray(out) ? out : [out];
    const m = lw.model({ inputs: inp, outputs: outs });
    const ys = outs.map((o, i) => rand([B, ...(o.shape.slice(1) as number[])], 8 + i));
    expect(checkModelGradients(m, zeros, ys.length === 1 ? ys[0] : ys)).toBeGreaterThan(B * T * F);
  });

  it('through masking, with returnSequences (masked steps zeroed in both directions)', () => {
    const [B, T, F, U] = [3, 4, 2, 2];
    const data = randArray(B * T * F, 9);
    const isPad = (i: number) => (Math.floor(i / (T * F)) === 0 && Math.floor(i / F) % T === 3) || (Math.floor(i / (T * F)) === 2 && Math.floor(i / F) % T < 2);
    const padded = data.map((v, i) => (isPad(i) ? 0 : v));
    const [inp, probed, zeros] = probedInput([B, T, F], 0, padded);
    const seq = bidirectional({ layer: lw.layers.lstm({ units: U, returnSequences: true }) }).apply(masking().apply(probed) as SymbolicTensor) as SymbolicTensor;
    const out = lw.layers.dense({ units: 1, activation: 'tanh' }).apply(seq) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    const n = checkModelGradients(m, zeros, rand([B, T, 1], 10), { skip: (w, i) => w.layer instanceof InputProbe && isPad(i) });
    expect(n).toBe(2 * (16 + 16 + 8) + 4 + 1 + (B * T - 3) * F);
  });
});

describe('bidirectional training and backends', () => {
  it('trainable false freezes both directions', () => {
    const bi = bidirectional({ layer: lw.layers.simpleRNN({ units: 2 }), inputShape: [3, 2], trainable: false });
    const m = lw.sequential([bi, lw.layers.dense({ units: 1 })]);
    expect(bi.trainableWeights).toEqual([]);
    expect(bi.forwardLayer.trainable && bi.backwardLayer.trainable).toBe(false);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m.params();
    const before = bi.getWeights().map((t) => Array.from(t.dataSync()));
    m.trainOnBatch(rand([4, 3, 2], 11), rand([4, 1], 12));
    expect(bi.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    bi.trainable = true;
    expect(bi.trainableWeights.length).toBe(6);
  });

  it.each(['lstm', 'gru'])('simd predictions agree with js (%s)', async (kind) => {
    const m = lw.sequential([
      bidirectional({ layer: KINDS[kind]({ units: 5, returnSequences: true }), inputShape: [7, 3] }),
      bidirectional({ layer: KINDS[kind]({ units: 3 }), mergeMode: 'ave' }),
    ]);
    const { js, simd } = await predictOnBoth(m, rand([4, 7, 3], 13));
    expect(js[0].shape).toEqual([4, 3]);
    expectClose(simd[0].dataSync(), js[0].dataSync(), 1e-5, 1e-4, `bidirectional ${kind}`);
  });

  it('a bidirectional LSTM learns a task that needs the end of the sequence (loss falls)', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(5);
    const m = lw.sequential([bidirectional({ layer: lw.layers.lstm({ units: 6 }), inputShape: [6, 1] }), lw.layers.dense({ units: 1 })]);
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.03 }), loss: 'meanSquaredError' });
    const n = 32;
    const x = rand([n, 6, 1], 14);
    const d = x.dataSync();
    const y = lw.tensor(Array.from({ length: n }, (_, i) => d[i * 6] + d[i * 6 + 5]), [n, 1]);
    const before = m.evaluate(x, y) as number;
    await m.fit(x, y, { epochs: 30, batchSize: 8, verbose: 0 });
    expect(m.evaluate(x, y) as number).toBeLessThan(0.1 * before);
    await lw.ready({ backend: 'js' });
  });
});

describe('bidirectional mergeMode null (the two directions as two outputs)', () => {
  /** The same bidirectional layer (same weights) with mergeMode null and concat, masked input, sequences and states. */
  function twins(seq: boolean) {
    const make = (mergeMode: MergeMode | null) => {
      const x = lw.input({ shape: [5, 3] });
      const masked = masking({ maskValue: 0 }).apply(x) as SymbolicTensor;
      const bi = bidirectional({ layer: lw.layers.gru({ units: 4, returnSequences: seq, returnState: true }), mergeMode });
      return { bi, model: lw.model({ inputs: x, outputs: bi.apply(masked) as SymbolicTensor[] }) };
    };
    const split = make(null);
    const joined = make('concat');
    joined.model.setWeights(split.model.getWeights());
    return { split, joined };
  }
  const data = () => {
    const x = rand([3, 5, 3], 21);
    const d = x.dataSync();
    d.fill(0, 3 * 3, 5 * 3); // sample 0: the last two steps are padding
    return x;
  };

  it.each([false, true])('outputs [forward, backward, ...states] equal the concat halves (returnSequences %s), and save and load', async (seq) => {
    const { split, joined } = twins(seq);
    expect(split.model.outputs.map((o) => o.shape)).toEqual([seq ? [null, 5, 4] : [null, 4], seq ? [null, 5, 4] : [null, 4], [null, 4], [null, 4]]);
    const [f, b, hf, hb] = asList(split.model.predict(data()));
    const [c, jhf, jhb] = asList(joined.model.predict(data()));
    const rows = c.size / 8;
    const cv = c.dataSync();
    const halves = [0, 4].map((o) => Array.from({ length: rows * 4 }, (_, i) => cv[Math.floor(i / 4) * 8 + o + (i % 4)]));
    expect(Array.from(f.dataSync())).toEqual(halves[0]);
    expect(Array.from(b.dataSync())).toEqual(halves[1]);
    expect([Array.from(hf.dataSync()), Array.from(hb.dataSync())]).toEqual([Array.from(jhf.dataSync()), Array.from(jhb.dataSync())]);
    expect(split.bi.getConfig().merge_mode).toBeNull();
    const loaded = await lw.loadModel(split.model.toArtifacts());
    expect(asList(loaded.predict(data())).map((t) => Array.from(t.dataSync()))).toEqual([f, b, hf, hb].map((t) => Array.from(t.dataSync())));
  });

  it('trains as concat does: the same loss gives the same step', () => {
    const { split, joined } = twins(true);
    const y = rand([3, 5, 4], 22);
    const yJoined = lw.tensor(Array.from({ length: 3 * 5 * 8 }, (_, i) => y.dataSync()[Math.floor(i / 8) * 4 + (i % 4)]), [3, 5, 8]);
    // mse over 8 concatenated columns = half the mse of each 4-column direction.
    split.model.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanSquaredError', 'meanSquaredError', 'meanSquaredError'], lossWeights: [0.5, 0.5, 0, 0] });
    joined.model.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanSquaredError', 'meanSquaredError'], lossWeights: [1, 0, 0] });
    const zeros = lw.tensor(new Float32Array(3 * 4), [3, 4]);
    split.model.trainOnBatch(data(), [y, y, zeros, zeros]);
    joined.model.trainOnBatch(data(), [yJoined, zeros, zeros]);
    const a = split.model.getWeights();
    const b = joined.model.getWeights();
    a.forEach((w, i) => expectClose(w.dataSync(), b[i].dataSync(), 1e-12, 1e-10, `weight ${i}`));
  });
});

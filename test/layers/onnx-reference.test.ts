// ONNX semantics, against ONNX's own numpy references (LSTM_Helper, GRU_Helper, RNN_Helper of
// python3-onnx 1.12): test/fixtures/onnx/onnx.json, written by scripts/onnx_fixtures.py.
// - LSTM peepholes: ONNX's P [p_i, p_o, p_f] becomes peephole_weights [p_i, p_f, p_o] of
//   lw.layers.lstm({ usePeepholes: true }), W/R/B (gates i, o, f, c) the Keras kernels (i, f, c, o).
// - sequence_lens (right padding): lw.data.sequenceMask(lengths) as the kernels' mask, or a Masking
//   layer over the zero-padded steps; the final states are Y_h (and Y_c); Y is the sequence with
//   zeroOutputForMask (zeros past each length), or the carried outputs times the mask; direction
//   reverse is goBackwards, bidirectional is bidirectional({ mergeMode: null }).
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import { masking } from '../../ts/layers/masking.js';
import { bidirectional } from '../../ts/layers/bidirectional.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { LwError } from '../../ts/errors.js';
import { expectClose } from '../helpers/kernels.js';

type Family = 'lstm' | 'gru' | 'rnn';
interface OnnxCase {
  name: string; family: Family; T: number; batch: number; I: number; H: number; linear_before_reset: number;
  direction: 'forward' | 'reverse' | 'bidirectional';
  /** ONNX's inputs under their ONNX names (B is the bias [Wb | Rb]) */
  X: number[]; W: number[]; R: number[]; B: number[]; initial_h?: number[]; initial_c?: number[]; P?: number[];
  sequence_lens?: number[]; Y: number[]; Y_h: number[]; Y_c?: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/onnx/onnx.json', import.meta.url), 'utf8')) as { generator: string; cases: OnnxCase[] };
const cases = fixture.cases;

/** ONNX gate index of each lstm-wasm gate: LSTM i, f, c, o ← ONNX i, o, f, c; GRU z, r, h = ONNX's order; RNN one gate. */
const GATE_FROM_ONNX: Record<Family, number[]> = { lstm: [0, 2, 3, 1], gru: [0, 1, 2], rnn: [0] };

const batchOf = (c: OnnxCase) => c.batch;

/** ONNX [G·H, n] (gates in ONNX order) → lstm-wasm [n, G·H] (gates in Keras order). */
function kerasMatrix(family: Family, m: number[], n: number, H: number): number[] {
  const order = GATE_FROM_ONNX[family];
  const G = order.length;
  const out = new Array<number>(n * G * H);
  for (let g = 0; g < G; g++) for (let u = 0; u < H; u++) for (let k = 0; k < n; k++) out[k * G * H + g * H + u] = m[(order[g] * H + u) * n + k];
  return out;
}

/** ONNX's bias [Wb | Rb] in ONNX gate order → lstm-wasm's: summed, or for a GRU with linear_before_reset the two rows. */
function kerasBias(family: Family, b: number[], H: number, twoRows: boolean): number[] {
  const order = GATE_FROM_ONNX[family];
  const G = order.length;
  const row = (r: number) => order.flatMap((og) => b.slice(r * G * H + og * H, r * G * H + og * H + H));
  const [wb, rb] = [row(0), row(1)];
  return twoRows ? [...wb, ...rb] : wb.map((v, i) => v + rb[i]);
}

/** ONNX's P [p_i, p_o, p_f] → peephole_weights [p_i, p_f, p_o]. */
function kerasPeepholes(p: number[], H: number): number[] {
  return [...p.slice(0, H), ...p.slice(2 * H, 3 * H), ...p.slice(H, 2 * H)];
}

/** [T, B, n] (or [T, 1, B, n]) → [B, T, n]. */
function batchMajor(v: number[], T: number, B: number, n: number): number[] {
  const out = new Array<number>(B * T * n);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 0; k < n; k++) out[(b * T + t) * n + k] = v[(t * B + b) * n + k];
  return out;
}

/** [B, T, n] reversed along time. */
function reverseTime(v: ArrayLike<number>, B: number, T: number, n: number): number[] {
  const out = new Array<number>(B * T * n);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k = 0; k < n; k++) out[(b * T + t) * n + k] = v[(b * T + T - 1 - t) * n + k];
  return out;
}

/** The recurrent layer of a case, with the case's weights in lstm-wasm's layout. */
function layerFor(c: OnnxCase, opts: { mask: boolean; zeroOutputForMask: boolean }) {
  const { family, T, I, H } = c;
  const B = batchOf(c);
  const x = lw.input({ shape: [T, I] });
  const states = family === 'lstm' ? 2 : 1;
  const given = c.initial_h ? Array.from({ length: states }, () => lw.input({ shape: [H] })) : [];
  const common = { units: H, returnSequences: true, returnState: true, goBackwards: c.direction === 'reverse', zeroOutputForMask: opts.zeroOutputForMask, name: 'rec' };
  const layer = family === 'lstm' ? lw.layers.lstm({ ...common, usePeepholes: !!c.P })
    : family === 'gru' ? lw.layers.gru({ ...common, resetAfter: c.linear_before_reset === 1 })
      : lw.layers.simpleRNN({ ...common, activation: 'tanh' });
  const seq = opts.mask ? (masking({ maskValue: 0 }).apply(x) as SymbolicTensor) : x;
  const outs = layer.apply(seq, given.length ? { initialState: given } : {}) as SymbolicTensor[];
  const m = lw.model({ inputs: [x, ...given], outputs: outs });
  const weights = [
    lw.tensor(kerasMatrix(family, c.W, I, H), [I, GATE_FROM_ONNX[family].length * H]),
    lw.tensor(kerasMatrix(family, c.R, H, H), [H, GATE_FROM_ONNX[family].length * H]),
  ];
  const twoRows = family === 'gru' && c.linear_before_reset === 1;
  const bias = kerasBias(family, c.B, H, twoRows);
  weights.push(lw.tensor(bias, twoRows ? [2, 3 * H] : [bias.length]));
  if (c.P) weights.push(lw.tensor(kerasPeepholes(c.P, H), [3 * H]));
  m.setWeights(weights);
  const feeds = [lw.tensor(batchMajor(c.X, T, B, I), [B, T, I])];
  if (c.initial_h) feeds.push(lw.tensor(c.initial_h, [B, H]));
  if (c.initial_c) feeds.push(lw.tensor(c.initial_c, [B, H]));
  return { model: m, feeds, B };
}

/** ONNX's Y [T, 1, B, H] as a layer's sequence [B, T, H] (reverse: in processing order, as Keras returns it). */
function expectedSequence(c: OnnxCase): number[] {
  const B = batchOf(c);
  const y = batchMajor(c.Y, c.T, B, c.H);
  return c.direction === 'reverse' ? reverseTime(y, B, c.T, c.H) : y;
}

const BACKENDS = ['js', 'simd', 'scalar'] as const;
const ATOL = { js: 1e-9, simd: 2e-6, scalar: 2e-6 };
afterAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe(`ONNX references (${fixture.generator})`, () => {
  it('the fixture holds the cases this file maps', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'test_lstm_with_peepholes', 'lstm peepholes', 'lstm peepholes, no initial state', 'lstm peepholes, sequence_lens',
      'lstm sequence_lens', 'lstm peepholes, sequence_lens, reverse', 'gru sequence_lens, linear_before_reset 0',
      'gru sequence_lens, linear_before_reset 1', 'rnn sequence_lens', 'lstm peepholes, sequence_lens, bidirectional',
    ]);
  });

  for (const backend of BACKENDS) {
    describe(backend, () => {
      for (const c of cases.filter((k) => !k.sequence_lens && k.direction !== 'bidirectional')) {
        it(`${c.name}: Y, Y_h, Y_c from lw.layers.lstm({ usePeepholes }) with ONNX's weights mapped`, async () => {
          await lw.ready({ backend });
          const { model, feeds, B } = layerFor(c, { mask: false, zeroOutputForMask: false });
          const [seq, h, cell] = model.predict(feeds) as lw.Tensor[];
          expectClose(seq.dataSync(), expectedSequence(c), ATOL[backend], 1e-5, `${c.name} Y`);
          expectClose(h.dataSync(), c.Y_h, ATOL[backend], 1e-5, `${c.name} Y_h`);
          expectClose(cell.dataSync(), c.Y_c!, ATOL[backend], 1e-5, `${c.name} Y_c`);
          expect(h.shape).toEqual([B, c.H]);
        });
      }

      for (const c of cases.filter((k) => k.sequence_lens && k.direction !== 'bidirectional')) {
        it(`${c.name}: a Masking layer and zeroOutputForMask give Y (zeros past each length), Y_h${c.Y_c ? ', Y_c' : ''}`, async () => {
          await lw.ready({ backend });
          const { model, feeds } = layerFor(c, { mask: true, zeroOutputForMask: true });
          const [seq, h, cell] = model.predict(feeds) as lw.Tensor[];
          expectClose(seq.dataSync(), expectedSequence(c), ATOL[backend], 1e-5, `${c.name} Y`);
          expectClose(h.dataSync(), c.Y_h, ATOL[backend], 1e-5, `${c.name} Y_h`);
          if (c.Y_c) expectClose(cell.dataSync(), c.Y_c, ATOL[backend], 1e-5, `${c.name} Y_c`);
        });
      }
    });
  }

  for (const c of cases.filter((k) => k.sequence_lens && !k.P)) {
    it(`${c.name}: lw.ops with lw.data.sequenceMask(sequence_lens): states are Y_h, outputs × mask are Y`, async () => {
      await lw.ready({ backend: 'js' });
      const { family, T, I, H } = c;
      const B = batchOf(c);
      const twoRows = family === 'gru' && c.linear_before_reset === 1;
      const bias = kerasBias(family, c.B, H, twoRows);
      const G = GATE_FROM_ONNX[family].length;
      const mask = lw.data.sequenceMask(c.sequence_lens!, T);
      const args = {
        x: lw.tensor(batchMajor(c.X, T, B, I), [B, T, I]),
        kernel: lw.tensor(kerasMatrix(family, c.W, I, H), [I, G * H]),
        recurrentKernel: lw.tensor(kerasMatrix(family, c.R, H, H), [H, G * H]),
        bias: lw.tensor(bias, twoRows ? [2, 3 * H] : [bias.length]),
        initialState: [c.initial_h!, ...(c.initial_c ? [c.initial_c] : [])].map((s) => lw.tensor(s, [B, H])),
        mask, goBackwards: c.direction === 'reverse',
      };
      const r = family === 'lstm' ? lw.ops.lstmForward(args)
        : family === 'gru' ? lw.ops.gruForward({ ...args, resetAfter: twoRows }) : lw.ops.simpleRNNForward(args);
      expectClose(r.states[0].dataSync(), c.Y_h, 1e-9, 1e-5, `${c.name} Y_h`);
      if (c.Y_c) expectClose(r.states[1].dataSync(), c.Y_c, 1e-9, 1e-5, `${c.name} Y_c`);
      const m = mask.dataSync();
      const hs = r.outputs.dataSync();
      const masked = Array.from(hs, (v, i) => v * m[Math.floor(i / H)]);
      expectClose(masked, expectedSequence(c), 1e-9, 1e-5, `${c.name} Y`);
      // the carried outputs themselves are not ONNX's Y: past a length they repeat the last valid h
      const padded = Array.from(m).filter((v) => v === 0).length;
      expect(padded).toBeGreaterThan(0);
      expect(Array.from(hs).some((v, i) => m[Math.floor(i / H)] === 0 && Math.abs(v) > 1e-3)).toBe(true);
    });
  }

  it('lw.ops.lstmForward({ peepholes }) gives ONNX\'s Y_h, Y_c; lstmBackward\'s dPeepholes matches finite differences', async () => {
    await lw.ready({ backend: 'js' });
    const c = cases.find((k) => k.name === 'lstm peepholes')!;
    const { T, I, H } = c;
    const B = batchOf(c);
    const args = (p: number[]) => ({
      x: lw.tensor(batchMajor(c.X, T, B, I), [B, T, I]),
      kernel: lw.tensor(kerasMatrix('lstm', c.W, I, H), [I, 4 * H]),
      recurrentKernel: lw.tensor(kerasMatrix('lstm', c.R, H, H), [H, 4 * H]),
      bias: lw.tensor(kerasBias('lstm', c.B, H, false), [4 * H]),
      initialState: [lw.tensor(c.initial_h!, [B, H]), lw.tensor(c.initial_c!, [B, H])],
      peepholes: lw.tensor(p, [3 * H]),
    });
    const p0 = kerasPeepholes(c.P!, H);
    const r = lw.ops.lstmForward(args(p0));
    expectClose(r.states[0].dataSync(), c.Y_h, 1e-6, 1e-5, 'Y_h');
    expectClose(r.states[1].dataSync(), c.Y_c!, 1e-6, 1e-5, 'Y_c');
    // loss = Σ hT: dStates [1, 0]
    const ones = new Array<number>(B * H).fill(1);
    const g = lw.ops.lstmBackward(r, { dStates: [lw.tensor(ones, [B, H])] });
    expect(g.dPeepholes!.shape).toEqual([3 * H]);
    const loss = (p: number[]) => Array.from(lw.ops.lstmForward(args(p)).states[0].dataSync()).reduce((a, v) => a + v, 0);
    const eps = 1e-3;
    const numeric = p0.map((_, i) => {
      const up = [...p0]; up[i] += eps;
      const down = [...p0]; down[i] -= eps;
      return (loss(up) - loss(down)) / (2 * eps);
    });
    expect(numeric.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    // the ops copy through float32 tensors: a float32-sized tolerance
    expectClose(g.dPeepholes!.dataSync(), numeric, 1e-4, 1e-3, 'dPeepholes');
    expect(lw.ops.lstmBackward(lw.ops.lstmForward({ ...args(p0), peepholes: null }), { dStates: [lw.tensor(ones, [B, H])] }).dPeepholes).toBeNull();
    expect(() => lw.ops.gruForward({ ...args(p0), initialState: undefined, kernel: lw.tensor(new Array(I * 3 * H).fill(0), [I, 3 * H]), recurrentKernel: lw.tensor(new Array(3 * H * H).fill(0), [H, 3 * H]), bias: null }))
      .toThrow(/peepholes are an LSTM option/);
    expect(() => lw.ops.lstmForward({ ...args(p0), peepholes: lw.tensor([1, 2], [2]) })).toThrow(LwError);
  });

  for (const backend of BACKENDS) {
    it(`${backend}: direction bidirectional with sequence_lens and peepholes is bidirectional({ mergeMode: null }) over a Masking layer`, async () => {
      await lw.ready({ backend });
      const c = cases.find((k) => k.direction === 'bidirectional')!;
      const { T, I, H } = c;
      const B = batchOf(c);
      const x = lw.input({ shape: [T, I] });
      const states = Array.from({ length: 4 }, () => lw.input({ shape: [H] }));
      const bi = bidirectional({ layer: lw.layers.lstm({ units: H, usePeepholes: true, returnSequences: true, returnState: true }), mergeMode: null });
      const outs = bi.apply(masking({ maskValue: 0 }).apply(x) as SymbolicTensor, { initialState: states }) as SymbolicTensor[];
      const m = lw.model({ inputs: [x, ...states], outputs: outs });
      // direction d's slice of an ONNX array [2, ...]
      const dir = (v: number[], d: number) => v.slice((d * v.length) / 2, ((d + 1) * v.length) / 2);
      m.setWeights([0, 1].flatMap((d) => [
        lw.tensor(kerasMatrix('lstm', dir(c.W, d), I, H), [I, 4 * H]),
        lw.tensor(kerasMatrix('lstm', dir(c.R, d), H, H), [H, 4 * H]),
        lw.tensor(kerasBias('lstm', dir(c.B, d), H, false), [4 * H]),
        lw.tensor(kerasPeepholes(dir(c.P!, d), H), [3 * H]),
      ]));
      const feeds = [lw.tensor(batchMajor(c.X, T, B, I), [B, T, I]),
        ...[0, 1].flatMap((d) => [lw.tensor(dir(c.initial_h!, d), [B, H]), lw.tensor(dir(c.initial_c!, d), [B, H])])];
      const [yf, yb, hf, cf, hb, cb] = m.predict(feeds) as lw.Tensor[];
      // Y [T, 2, B, H]: the direction axis between time and batch
      const yDir = (d: number) => Array.from({ length: T }, (_, t) => c.Y.slice(((t * 2 + d) * B) * H, ((t * 2 + d + 1) * B) * H)).flat();
      const tol = ATOL[backend];
      expectClose(yf.dataSync(), batchMajor(yDir(0), T, B, H), tol, 1e-5, 'forward Y');
      expectClose(yb.dataSync(), batchMajor(yDir(1), T, B, H), tol, 1e-5, 'reverse Y (in time order, zeros past each length)');
      expectClose(hf.dataSync(), dir(c.Y_h, 0), tol, 1e-5, 'forward Y_h');
      expectClose(cf.dataSync(), dir(c.Y_c!, 0), tol, 1e-5, 'forward Y_c');
      expectClose(hb.dataSync(), dir(c.Y_h, 1), tol, 1e-5, 'reverse Y_h');
      expectClose(cb.dataSync(), dir(c.Y_c!, 1), tol, 1e-5, 'reverse Y_c');
    });
  }

  it('without zeroOutputForMask the padded steps repeat the last valid output (Keras), not ONNX\'s zeros', async () => {
    await lw.ready({ backend: 'js' });
    const c = cases.find((k) => k.name === 'gru sequence_lens, linear_before_reset 0')!;
    const { model, feeds, B } = layerFor(c, { mask: true, zeroOutputForMask: false });
    const [seq, h] = model.predict(feeds) as lw.Tensor[];
    expectClose(h.dataSync(), c.Y_h, 1e-9, 1e-5, 'Y_h is the same either way');
    const s = seq.dataSync();
    const lens = c.sequence_lens!;
    for (let b = 0; b < B; b++) {
      for (let t = lens[b]; t < c.T; t++) {
        const row = Array.from(s.slice((b * c.T + t) * c.H, (b * c.T + t + 1) * c.H));
        expectClose(row, Array.from(h.dataSync().slice(b * c.H, (b + 1) * c.H)), 0, 0, `sample ${b} step ${t} carries its last valid h`);
        expect(row.some((v) => Math.abs(v) > 1e-3), 'not zeros').toBe(true);
      }
    }
  });
});

describe('lw.data.sequenceMask', () => {
  it('1 before each length, 0 after; maxLen defaults to the longest', () => {
    const m = lw.data.sequenceMask([2, 0, 3]);
    expect(m.shape).toEqual([3, 3]);
    expect(Array.from(m.dataSync())).toEqual([1, 1, 0, 0, 0, 0, 1, 1, 1]);
    expect(Array.from(lw.data.sequenceMask(lw.tensor(new Int32Array([1, 2]), [2]), 4).dataSync())).toEqual([1, 0, 0, 0, 1, 1, 0, 0]);
  });

  it('bad lengths or maxLen are LwErrors naming the problem', () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => lw.data.sequenceMask([1, -1]), 'BAD_ARGUMENT', /lengths\[1\] must be a whole number >= 0, got -1/],
      [() => lw.data.sequenceMask([1.5]), 'BAD_ARGUMENT', /lengths\[0\]/],
      [() => lw.data.sequenceMask([3], 2), 'BAD_ARGUMENT', /lengths\[0\] = 3 is longer than maxLen 2/],
      [() => lw.data.sequenceMask([0, 0]), 'BAD_ARGUMENT', /maxLen must be a whole number >= 1, got 0/],
      [() => lw.data.sequenceMask(lw.tensor([1, 2, 3, 4], [2, 2])), 'SHAPE_MISMATCH', /\[batch\], got shape \[2, 2\]/],
      [() => lw.data.sequenceMask(null as never), 'DTYPE', /array of whole numbers/],
    ];
    for (const [fn, code, msg] of cases) {
      let err: unknown;
      try { fn(); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(LwError);
      expect((err as LwError).code).toBe(code);
      expect((err as LwError).message).toMatch(msg);
    }
  });
});

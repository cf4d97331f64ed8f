import { describe, it, expect, beforeAll } from 'vitest';
import type { ActivationName } from '../../ts/backend/kernels/index.js';
import { allBackends, rng, expectClose, numericGrad, weightedSum, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';
import { lstmData, runLstm, expectLstmLikeOracle, LSTM_PARAMS, type LstmCase, type LstmData } from '../helpers/lstm-case.js';

let BE: NamedBackends;
beforeAll(async () => {
  BE = await allBackends();
});

const SIZES = [1, 2, 3, 5, 7, 13];
/** [act, recAct] pairs: Keras' default and combinations with kinks and unbounded ranges. */
const ACTS: [ActivationName, ActivationName][] = [
  ['tanh', 'sigmoid'], ['relu', 'hardSigmoid'], ['linear', 'sigmoid'], ['tanh', 'hardSigmoid'],
  ['relu', 'linear'], ['sigmoid', 'tanh'], ['hardSigmoid', 'relu'], ['linear', 'linear'],
];

const base: LstmCase = {
  B: 2, T: 3, I: 3, U: 2, goBackwards: false, act: 'tanh', recAct: 'sigmoid',
  h0: true, c0: true, bias: true, mask: false, recMask: false, dHs: true, dHT: true, dCT: true, skipOptional: false,
};

/** Random shapes from SIZES with every option toggled at random, plus fixed edge cases. */
function sweepCases(): LstmCase[] {
  const r = rng(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const coin = () => r() < 0.5;
  const cases: LstmCase[] = [];
  for (let n = 0; n < 48; n++) {
    const [act, recAct] = ACTS[n % ACTS.length];
    cases.push({
      B: pick(SIZES), T: pick(SIZES), I: pick(SIZES), U: pick(SIZES), goBackwards: coin(), act, recAct,
      h0: coin(), c0: coin(), bias: coin(), mask: coin(), recMask: coin(),
      dHs: r() < 0.8, dHT: coin(), dCT: coin(), skipOptional: r() < 0.2,
    });
  }
  const all = { h0: true, c0: true, bias: true, mask: true, recMask: true, dHs: true, dHT: true, dCT: true };
  cases.push(
    { ...base, ...all, B: 13, T: 13, I: 13, U: 13, goBackwards: true },
    { ...base, B: 1, T: 1, I: 1, U: 1, h0: false, c0: false, bias: false, dHs: false, dCT: false },
    // every step of every row masked
    { ...base, ...all, B: 1, T: 5, I: 3, U: 5, maskAll: true },
    { ...base, ...all, B: 3, T: 2, I: 2, U: 6, maskAll: true, goBackwards: true },
    // 4U = 524 crosses the GEMM's column blocks; I = 37 and U = 131 are odd everywhere
    { ...base, ...all, B: 5, T: 3, I: 37, U: 131, goBackwards: true },
    { ...base, ...all, B: 17, T: 4, I: 9, U: 67, act: 'relu', recAct: 'hardSigmoid' },
  );
  return cases;
}

const GRAD_OUT = ['dx', 'dH0', 'dC0', 'dKernel', 'dRecKernel', 'dBias'];

describe('lstm against the float64 oracle', () => {
  const cases = sweepCases();
  for (const name of WASM_BACKENDS) {
    it(`${name}: ${cases.length} cases, forward outputs and every gradient`, () => {
      for (const [j, c] of cases.entries()) {
        const d = lstmData(c, 1000 + 31 * j, j % 3 === 0);
        const got = runLstm(BE[name], c, d);
        const want = runLstm(BE.js, c, d);
        expectLstmLikeOracle(got, want, c, name);
        expect(Object.keys(got).filter((k) => GRAD_OUT.includes(k)).length).toBe(c.skipOptional ? 2 : 6);
      }
    });
  }
});

describe('lstm backward against finite differences (JS backend, float64)', () => {
  const fdCases: [string, LstmCase][] = [
    ['tanh/sigmoid', { ...base }],
    ['mask, goBackwards, recMask', { ...base, B: 3, T: 4, I: 2, U: 3, mask: true, goBackwards: true, recMask: true }],
    ['linear/sigmoid, mask, recMask, U = 5', { ...base, B: 2, T: 3, I: 2, U: 5, act: 'linear', recAct: 'sigmoid', mask: true, recMask: true }],
    ['sigmoid/tanh, goBackwards', { ...base, B: 1, T: 5, I: 3, U: 2, act: 'sigmoid', recAct: 'tanh', goBackwards: true }],
  ];
  for (const [label, c] of fdCases) {
    it(`${label}: dx, dKernel, dRecKernel, dBias, dH0, dC0`, () => {
      const d = lstmData(c, 42);
      // loss = Σ hs·dHs + Σ hT·dHT + Σ cT·dCT, so the upstream gradients are exactly those weights.
      const loss = (dd: LstmData) => {
        const o = runLstm(BE.js, c, dd, 0);
        return weightedSum(o.hs, d.dHs) + weightedSum(o.hT, d.dHT) + weightedSum(o.cT, d.dCT);
      };
      const analytic = runLstm(BE.js, c, d);
      const gradOf: Record<string, string> = { x: 'dx', kernel: 'dKernel', recKernel: 'dRecKernel', bias: 'dBias', h0: 'dH0', c0: 'dC0' };
      for (const p of LSTM_PARAMS) {
        const numeric = numericGrad((v) => loss({ ...d, [p]: v }), d[p]);
        expect(numeric.some((v) => Math.abs(v) > 1e-3), `${p} gradient is not trivially zero`).toBe(true);
        expectClose(analytic[gradOf[p]], numeric, 1e-7, 1e-6, `${label}: ${gradOf[p]}`);
      }
    });
  }
});

describe('lstm backward accumulates parameter gradients', () => {
  const c: LstmCase = { ...base, B: 3, T: 5, I: 4, U: 6, mask: true, recMask: true, goBackwards: true };
  for (const name of [...WASM_BACKENDS, 'js'] as const) {
    it(`${name}: twice adds dKernel, dRecKernel, dBias twice; dx, dH0, dC0 are overwritten`, () => {
      const d = lstmData(c, 5, true);
      const once = runLstm(BE[name], c, d, 1);
      const twice = runLstm(BE[name], c, d, 2);
      const init: Record<string, number[]> = { dKernel: d.dKernel0, dRecKernel: d.dRecKernel0, dBias: d.dBias0 };
      for (const key of ['dKernel', 'dRecKernel', 'dBias']) {
        const step = once[key].map((v, i) => v - init[key][i]);
        expect(step.some((v) => Math.abs(v) > 1e-3), `${key} moved`).toBe(true);
        expectClose(twice[key].map((v, i) => v - once[key][i]), step, 1e-5, 1e-4, `${name} ${key} second call`);
      }
      for (const key of ['dx', 'dH0', 'dC0']) expectClose(twice[key], once[key], 0, 0, `${name} ${key}`);
    });
  }
});

/** [B,T,n] with time reversed in every row. */
function reverseTime(a: ArrayLike<number>, B: number, T: number, n: number): number[] {
  const out = new Array<number>(B * T * n);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k < n; k++) out[(b * T + t) * n + k] = a[(b * T + T - 1 - t) * n + k];
    }
  }
  return out;
}

describe('lstm semantics, checked directly on every backend', () => {
  for (const name of [...WASM_BACKENDS, 'js'] as const) {
    it(`${name}: one step equals the Keras formula computed here (recMask only on h0·recKernel)`, () => {
      const c: LstmCase = { ...base, B: 3, T: 1, I: 4, U: 5, recMask: true };
      const { B, I, U } = c;
      const G = 4 * U;
      const d = lstmData(c, 77);
      const o = runLstm(BE[name], c, d, 0);
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      const h: number[] = [];
      const cell: number[] = [];
      for (let b = 0; b < B; b++) {
        const z = (j: number) => {
          let v = d.bias[j];
          for (let k = 0; k < I; k++) v += d.x[b * I + k] * d.kernel[k * G + j];
          for (let k = 0; k < U; k++) v += d.h0[b * U + k] * d.recMask[b * U + k] * d.recKernel[k * G + j];
          return v;
        };
        for (let u = 0; u < U; u++) {
          const cv = sig(z(U + u)) * d.c0[b * U + u] + sig(z(u)) * Math.tanh(z(2 * U + u));
          cell.push(cv);
          h.push(sig(z(3 * U + u)) * Math.tanh(cv));
        }
      }
      expectClose(o.hs, h, 1e-6, 1e-5, `${name} hs`);
      expectClose(o.hT, h, 1e-6, 1e-5, `${name} hT`);
      expectClose(o.cT, cell, 1e-6, 1e-5, `${name} cT`);
    });

    it(`${name}: a masked step carries h and c unchanged (the recurrent mask does not touch the carry)`, () => {
      const c: LstmCase = { ...base, B: 4, T: 6, I: 3, U: 5, mask: true, recMask: true };
      const { B, T, U } = c;
      const d = lstmData(c, 78);
      const o = runLstm(BE[name], c, d, 0);
      let masked = 0;
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < T; s++) {
          if (d.mask[b * T + s] !== 0) continue;
          masked++;
          const prev = s === 0 ? d.h0.slice(b * U, b * U + U) : o.hs.slice((b * T + s - 1) * U, (b * T + s) * U);
          expectClose(o.hs.slice((b * T + s) * U, (b * T + s + 1) * U), prev, 0, 0, `${name} hs[${b},${s}]`);
        }
      }
      expect(masked).toBeGreaterThan(T);
      // row 0 is masked at every step: its final state is its initial state
      expectClose(o.hT.slice(0, U), d.h0.slice(0, U), 0, 0, `${name} hT of the fully masked row`);
      expectClose(o.cT.slice(0, U), d.c0.slice(0, U), 0, 0, `${name} cT of the fully masked row`);
    });

    it(`${name}: goBackwards equals the forward direction over the time-reversed sequence, gradients too`, () => {
      const c: LstmCase = { ...base, B: 3, T: 5, I: 4, U: 7, mask: true, recMask: true };
      const { B, T, I, U } = c;
      const d = lstmData(c, 79);
      const reversed: LstmData = { ...d, x: reverseTime(d.x, B, T, I), mask: reverseTime(d.mask, B, T, 1) };
      const back = runLstm(BE[name], { ...c, goBackwards: true }, d);
      const fwd = runLstm(BE[name], c, reversed);
      for (const key of ['hs', 'hT', 'cT', 'dH0', 'dC0', 'dKernel', 'dRecKernel', 'dBias']) {
        expectClose(back[key], fwd[key], 1e-6, 1e-5, `${name} ${key}`);
      }
      expectClose(back.dx, reverseTime(fwd.dx, B, T, I), 1e-6, 1e-5, `${name} dx`);
    });
  }
});

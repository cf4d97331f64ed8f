// LSTM peepholes (ONNX's P): the wasm kernels against the float64 oracle, the oracle's backward
// against finite differences (the peephole weights' gradient too), one step against the ONNX
// formula written here, and the plain cell unchanged when the peephole pointer is 0.
import { describe, it, expect, beforeAll } from 'vitest';
import { allBackends, rng, expectClose, numericGrad, weightedSum, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';
import { lstmData, runLstm, expectLstmLikeOracle, LSTM_PEEP_PARAMS, type LstmCase, type LstmData } from '../helpers/lstm-case.js';
import { cellBackward, cellForward } from '../../ts/backend/kernels/index.js';
import { LwError } from '../../ts/errors.js';

let BE: NamedBackends;
beforeAll(async () => {
  BE = await allBackends();
});

const base: LstmCase = {
  B: 2, T: 3, I: 3, U: 2, goBackwards: false, act: 'tanh', recAct: 'sigmoid', peep: true,
  h0: true, c0: true, bias: true, mask: false, recMask: false, dHs: true, dHT: true, dCT: true, skipOptional: false,
};


function sweep(): LstmCase[] {
  const r = rng(17);
  const sizes = [1, 2, 3, 5, 7, 13];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const coin = () => r() < 0.5;
  const acts = [['tanh', 'sigmoid'], ['relu', 'hardSigmoid'], ['linear', 'sigmoid'], ['sigmoid', 'tanh']] as const;
  const cases: LstmCase[] = [];
  for (let n = 0; n < 24; n++) {
    const [act, recAct] = acts[n % acts.length];
    cases.push({
      B: pick(sizes), T: pick(sizes), I: pick(sizes), U: pick(sizes), goBackwards: coin(), act, recAct, peep: true,
      h0: coin(), c0: coin(), bias: coin(), mask: coin(), recMask: coin(), dHs: r() < 0.8, dHT: coin(), dCT: coin(), skipOptional: r() < 0.2,
    });
  }
  const all = { h0: true, c0: true, bias: true, mask: true, recMask: true };
  cases.push(
    { ...base, ...all, B: 13, T: 13, I: 13, U: 13, goBackwards: true },
    { ...base, ...all, B: 3, T: 4, I: 2, U: 6, maskAll: true },
    // 4U = 524 crosses the GEMM's column blocks; odd sizes everywhere
    { ...base, ...all, B: 5, T: 3, I: 37, U: 131, goBackwards: true },
  );
  return cases;
}

describe('lstm with peepholes against the float64 oracle', () => {
  const cases = sweep();
  for (const name of WASM_BACKENDS) {
    it(`${name}: ${cases.length} cases, forward outputs and every gradient (dPeep too)`, () => {
      for (const [j, c] of cases.entries()) {
        const d = lstmData(c, 500 + 29 * j, j % 3 === 0);
        const got = runLstm(BE[name], c, d);
        const want = runLstm(BE.js, c, d);
        expectLstmLikeOracle(got, want, c, name);
        expect('dPeep' in want).toBe(true);
      }
    });
  }
});

describe('lstm with peepholes: backward against finite differences (JS backend, float64)', () => {
  const fdCases: [string, LstmCase][] = [
    ['tanh/sigmoid', { ...base }],
    ['mask, goBackwards, recMask', { ...base, B: 3, T: 4, I: 2, U: 3, mask: true, goBackwards: true, recMask: true }],
    ['sigmoid/tanh, no c0, U = 5', { ...base, B: 2, T: 4, I: 2, U: 5, act: 'sigmoid', recAct: 'tanh', c0: false }],
  ];
  const gradOf: Record<string, string> = { x: 'dx', kernel: 'dKernel', recKernel: 'dRecKernel', bias: 'dBias', h0: 'dH0', c0: 'dC0', peep: 'dPeep' };
  for (const [label, c] of fdCases) {
    it(`${label}: every gradient, the peephole weights' included`, () => {
      const d = lstmData(c, 43);
      const loss = (dd: LstmData) => {
        const o = runLstm(BE.js, c, dd, 0);
        return weightedSum(o.hs, d.dHs) + weightedSum(o.hT, d.dHT) + weightedSum(o.cT, d.dCT);
      };
      const analytic = runLstm(BE.js, c, d);
      for (const p of LSTM_PEEP_PARAMS) {
        if (p === 'c0' && !c.c0) continue;
        const numeric = numericGrad((v) => loss({ ...d, [p]: v }), d[p]);
        expect(numeric.some((v) => Math.abs(v) > 1e-3), `${p} gradient is not trivially zero`).toBe(true);
        expectClose(analytic[gradOf[p]], numeric, 1e-7, 1e-6, `${label}: ${gradOf[p]}`);
      }
    });
  }
});

describe('lstm peepholes, checked directly on every backend', () => {
  for (const name of [...WASM_BACKENDS, 'js'] as const) {
    it(`${name}: one step equals the ONNX formula (p_i, p_f on c(t-1), p_o on c(t)) computed here`, () => {
      const c: LstmCase = { ...base, B: 3, T: 1, I: 4, U: 5 };
      const { B, I, U } = c;
      const G = 4 * U;
      const d = lstmData(c, 81);
      const o = runLstm(BE[name], c, d, 0);
      const sig = (v: number) => 1 / (1 + Math.exp(-v));
      const h: number[] = [];
      for (let b = 0; b < B; b++) {
        const z = (j: number) => {
          let v = d.bias[j];
          for (let k = 0; k < I; k++) v += d.x[b * I + k] * d.kernel[k * G + j];
          for (let k = 0; k < U; k++) v += d.h0[b * U + k] * d.recKernel[k * G + j];
          return v;
        };
        for (let u = 0; u < U; u++) {
          const cp = d.c0[b * U + u];
          const cv = sig(z(U + u) + d.peep[U + u] * cp) * cp + sig(z(u) + d.peep[u] * cp) * Math.tanh(z(2 * U + u));
          h.push(sig(z(3 * U + u) + d.peep[2 * U + u] * cv) * Math.tanh(cv));
        }
      }
      expectClose(o.hs, h, 1e-6, 1e-5, `${name} hs`);
      // and the peepholes matter here: without them the result differs
      const plain = runLstm(BE[name], { ...c, peep: false }, d, 0);
      expect(Math.max(...o.hs.map((v, i) => Math.abs(v - plain.hs[i])))).toBeGreaterThan(1e-2);
    });

    it(`${name}: zero peephole weights give the plain cell (and a zero-filled dPeep is written)`, () => {
      const c: LstmCase = { ...base, B: 4, T: 5, I: 3, U: 6, mask: true, recMask: true, goBackwards: true };
      const d = lstmData(c, 82);
      const zeroP = { ...d, peep: new Array<number>(3 * c.U).fill(0) };
      const withP = runLstm(BE[name], c, zeroP);
      const plain = runLstm(BE[name], { ...c, peep: false }, d);
      for (const key of ['hs', 'hT', 'cT', 'dx', 'dH0', 'dC0', 'dKernel', 'dRecKernel', 'dBias']) {
        expectClose(withP[key], plain[key], 1e-6, 1e-5, `${name} ${key}`);
      }
      expect(withP.dPeep.some((v) => Math.abs(v) > 1e-3), 'dPeep is not zero at p = 0').toBe(true);
    });

    it(`${name}: twice accumulates dPeep twice`, () => {
      const c: LstmCase = { ...base, B: 3, T: 4, I: 2, U: 5, mask: true };
      const d = lstmData(c, 83, true);
      const once = runLstm(BE[name], c, d, 1);
      const twice = runLstm(BE[name], c, d, 2);
      const step = once.dPeep.map((v, i) => v - d.dPeep0[i]);
      expect(step.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expectClose(twice.dPeep.map((v, i) => v - once.dPeep[i]), step, 1e-5, 1e-4, `${name} dPeep second call`);
    });
  }

  it('peepholes on a GRU or SimpleRNN, or dPeepholes without peepholes, is BAD_ARGUMENT', () => {
    const k = BE.js.kernels;
    const dims = { B: 1, T: 1, I: 1, U: 1, x: 8, recurrentKernel: 8, hs: 8, hT: 8, cache: 8, ws: 8 };
    for (const cell of ['gru', 'simpleRNN'] as const) {
      expect(() => cellForward(k, cell, { ...dims, peepholes: 8 })).toThrow(LwError);
      expect(() => cellForward(k, cell, { ...dims, peepholes: 8 })).toThrow(/peepholes are an LSTM option/);
    }
    expect(() => cellBackward(k, 'lstm', { ...dims, dPeepholes: 8 })).toThrow(/dPeepholes without peepholes/);
  });
});

// LSTM test plumbing: a case description, seeded data for it, and one call that runs the forward
// (and optionally the backward, possibly repeatedly) on a backend and returns every buffer.
import type { Backend } from '../../ts/backend/backend.js';
import { cellBackward, cellCacheFloats, cellForward, cellWsFloats, type ActivationName } from '../../ts/backend/kernels/index.js';
import { expect } from 'vitest';
import { expectClose, randArray, rng, run, type BufSpec } from './kernels.js';

export interface LstmCase {
  B: number; T: number; I: number; U: number;
  goBackwards: boolean; act: ActivationName; recAct: ActivationName;
  h0: boolean; c0: boolean; bias: boolean; mask: boolean; recMask: boolean;
  /** Which upstream gradients are given (the others are passed as 0). */
  dHs: boolean; dHT: boolean; dCT: boolean;
  /** Pass 0 for the optional outputs cT, dx, dBias, dH0, dC0. */
  skipOptional: boolean;
  /** With `mask`: mask every step of every row. */
  maskAll?: boolean;
  /** Peephole weights [3U] (p_i, p_f, p_o) and, with a backward, their accumulated gradient dPeep. */
  peep?: boolean;
}

export interface LstmData {
  x: number[]; kernel: number[]; recKernel: number[]; bias: number[]; h0: number[]; c0: number[];
  mask: number[]; recMask: number[]; dHs: number[]; dHT: number[]; dCT: number[];
  /** Peephole weights [3U]. */
  peep: number[];
  /** Initial contents of the accumulated gradients. */
  dKernel0: number[]; dRecKernel0: number[]; dBias0: number[]; dPeep0: number[];
}

/** Parameters a finite-difference check can perturb. */
export const LSTM_PARAMS = ['x', 'kernel', 'recKernel', 'bias', 'h0', 'c0'] as const;
export type LstmParam = (typeof LSTM_PARAMS)[number];
/** With peepholes: the peephole weights too. */
export const LSTM_PEEP_PARAMS = [...LSTM_PARAMS, 'peep'] as const;

export const describeCase = (c: LstmCase): string => JSON.stringify(c);

/**
 * Seeded inputs. Weights are scaled by 1/sqrt(I+U) so unbounded activations stay moderate.
 * The mask, when on, masks all of row 0 (if B > 1), the first processed step of row min(1, B-1),
 * and about a quarter of the others (or everything with `maskAll`); the recurrent mask is
 * dropout-like (0 or 1/(1-0.25)).
 */
export function lstmData(c: LstmCase, seed: number, gradsNonZero = false): LstmData {
  const { B, T, I, U } = c;
  const G = 4 * U;
  const w = 1 / Math.sqrt(I + U);
  const r = rng(seed + 99);
  const mask = Array.from({ length: B * T }, () => (r() < 0.25 ? 0 : 1));
  if (B > 1) for (let t = 0; t < T; t++) mask[t] = 0;
  const firstTime = c.goBackwards ? T - 1 : 0;
  mask[Math.min(1, B - 1) * T + firstTime] = 0;
  if (c.maskAll) mask.fill(0);
  const recMask = Array.from({ length: B * U }, () => (r() < 0.25 ? 0 : 1 / 0.75));
  const grad0 = (n: number, s: number) => (gradsNonZero ? randArray(n, s) : new Array<number>(n).fill(0));
  return {
    x: randArray(B * T * I, seed),
    kernel: randArray(I * G, seed + 1, w),
    recKernel: randArray(U * G, seed + 2, w),
    bias: randArray(G, seed + 3, 0.5),
    h0: randArray(B * U, seed + 4),
    c0: randArray(B * U, seed + 5),
    mask,
    recMask,
    dHs: randArray(B * T * U, seed + 6),
    dHT: randArray(B * U, seed + 7),
    dCT: randArray(B * U, seed + 8),
    dKernel0: grad0(I * G, seed + 9),
    dRecKernel0: grad0(U * G, seed + 10),
    dBias0: grad0(G, seed + 11),
    // drawn after the others, so the data of cases without peepholes is unchanged
    peep: randArray(3 * U, seed + 12, 0.8),
    dPeep0: grad0(3 * U, seed + 13),
  };
}

/**
 * Runs the LSTM forward, then its backward `backwardCalls` times on the same buffers. Outputs and the
 * cache and workspace start as NaN, so anything a kernel forgets to write (or reads before
 * writing) shows. Returns every float buffer (hs, hT, cT, dx, dKernel, ... when present).
 */
export function runLstm(backend: Backend, c: LstmCase, d: LstmData, backwardCalls = 1): Record<string, Float64Array> {
  const { B, T, I, U } = c;
  const k = backend.kernels;
  const on = (yes: boolean, data: number[]): BufSpec => (yes ? { f: data } : null);
  const out = (yes: boolean, n: number): BufSpec => (yes ? { out: Math.max(1, n) } : null);
  const bw = backwardCalls > 0;
  const dims = { B, T, I, U };
  const options = { goBackwards: c.goBackwards, activation: c.act, recurrentActivation: c.recAct };
  return run(backend, {
    x: { f: d.x }, kernel: { f: d.kernel }, recKernel: { f: d.recKernel }, bias: on(c.bias, d.bias),
    h0: on(c.h0, d.h0), c0: on(c.c0, d.c0), mask: on(c.mask, d.mask), recMask: on(c.recMask, d.recMask),
    hs: out(true, B * T * U), hT: out(true, B * U), cT: out(!c.skipOptional, B * U),
    cache: out(true, cellCacheFloats(k, 'lstm', dims)), ws: out(true, cellWsFloats(k, 'lstm', dims)),
    dHs: on(bw && c.dHs, d.dHs), dHT: on(bw && c.dHT, d.dHT), dCT: on(bw && c.dCT, d.dCT),
    dx: out(bw && !c.skipOptional, B * T * I),
    dKernel: on(bw, d.dKernel0), dRecKernel: on(bw, d.dRecKernel0), dBias: on(bw && !c.skipOptional, d.dBias0),
    dH0: out(bw && !c.skipOptional, B * U), dC0: out(bw && !c.skipOptional, B * U),
    peep: on(!!c.peep, d.peep), dPeep: on(bw && !!c.peep, d.dPeep0),
  }, (p, kk) => {
    const shared = {
      ...dims, ...options, x: p.x, kernel: p.kernel, recurrentKernel: p.recKernel, h0: p.h0, c0: p.c0,
      mask: p.mask, recurrentMask: p.recMask, hs: p.hs, cache: p.cache, ws: p.ws, peepholes: p.peep,
    };
    cellForward(kk, 'lstm', { ...shared, bias: p.bias, hT: p.hT, cT: p.cT });
    for (let n = 0; n < backwardCalls; n++) {
      cellBackward(kk, 'lstm', {
        ...shared, dHs: p.dHs, dHT: p.dHT, dCT: p.dCT, dx: p.dx, dKernel: p.dKernel, dRecurrentKernel: p.dRecKernel,
        dBias: p.dBias, dH0: p.dH0, dC0: p.dC0, dPeepholes: p.dPeep,
      });
    }
  });
}

/** The forward outputs runLstm returns, and the gradients (dPeep only with peepholes). */
export const LSTM_FORWARD_OUT = ['hs', 'hT', 'cT'];
export const LSTM_GRAD_OUT = ['dx', 'dH0', 'dC0', 'dKernel', 'dRecKernel', 'dBias', 'dPeep'];

/**
 * Every output and gradient of a wasm run (`got`) against the float64 oracle's (`want`): the same
 * ones present, within float32 rounding (gradients summed over B·T terms get sqrt(B·T) more).
 */
export function expectLstmLikeOracle(got: Record<string, Float64Array>, want: Record<string, Float64Array>, c: LstmCase, label: string): void {
  const sumLen = Math.sqrt(c.B * c.T);
  for (const key of [...LSTM_FORWARD_OUT, ...LSTM_GRAD_OUT]) {
    expect(key in got, `${key} present`).toBe(key in want);
    if (!(key in want)) continue;
    const atol = LSTM_GRAD_OUT.includes(key) ? 3e-6 * sumLen : 3e-6;
    expectClose(got[key], want[key], atol, 1e-4, `${label} ${key} ${describeCase(c)}`);
  }
}

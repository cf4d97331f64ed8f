// Test plumbing for the GRU and SimpleRNN kernels: seeded cases, one forward(+backward) run on a
// backend, and the scalar loss used by the finite-difference checks.
import type { Backend } from '../../ts/backend/backend.js';
import { CELLS, cellBackward, cellCacheFloats, cellForward, cellWsFloats, type ActivationName } from '../../ts/backend/kernels/index.js';
import { randArray, rng, run, weightedSum, type BufSpec } from './kernels.js';

export type Cell = 'gru' | 'simpleRNN';

export interface RecCase {
  cell: Cell;
  B: number; T: number; I: number; U: number;
  goBackwards?: boolean;
  /** GRU only. */
  resetAfter?: boolean;
  act?: ActivationName;
  /** GRU only. */
  recAct?: ActivationName;
  h0?: boolean;
  bias?: boolean;
  /** Random 0/1 mask with batch row 0 fully masked and row 1's first processed step masked. */
  mask?: boolean;
  recMask?: boolean;
  /** Backward inputs present (both by default). */
  dHs?: boolean;
  dHT?: boolean;
  /** Pass 0 for dx, dH0 and dBias (the kernel must skip them). */
  skipOptional?: boolean;
}

export const biasLength = (c: RecCase) => CELLS[c.cell].biasShape(c.U, c.cell === 'gru' && c.resetAfter === true).reduce((a, b) => a * b, 1);

/** Inputs of a case: plain float arrays, null where the case leaves a buffer out. */
export interface RecData {
  x: number[]; kernel: number[]; rec: number[]; bias: number[] | null; h0: number[] | null;
  mask: number[] | null; recMask: number[] | null; dHs: number[] | null; dHT: number[] | null;
  /** Starting values of the accumulated gradients. */
  dKernel0: number[]; dRec0: number[]; dBias0: number[];
}

export function makeData(c: RecCase, seed: number): RecData {
  const { B, T, I, U } = c;
  const G = CELLS[c.cell].gates;
  let mask: number[] | null = null;
  if (c.mask) {
    const r = rng(seed + 7);
    mask = Array.from({ length: B * T }, () => (r() < 0.3 ? 0 : 1));
    const first = c.goBackwards ? T - 1 : 0;
    if (B > 1) {
      for (let t = 0; t < T; t++) mask[t] = 0; // a fully masked sequence
      mask[T + first] = 0; // a sequence whose first processed step is masked
    } else mask[first] = 0;
  }
  const r = rng(seed + 9);
  return {
    x: randArray(B * T * I, seed, 1),
    kernel: randArray(I * G * U, seed + 1, 0.6),
    rec: randArray(U * G * U, seed + 2, 0.6),
    bias: c.bias ? randArray(biasLength(c), seed + 3, 0.5) : null,
    h0: c.h0 ? randArray(B * U, seed + 4, 0.8) : null,
    mask,
    // dropout-like: 0 or 1/(1-0.25), plus some in-between values
    recMask: c.recMask ? Array.from({ length: B * U }, () => { const v = r(); return v < 0.25 ? 0 : v < 0.6 ? 4 / 3 : Math.fround(v); }) : null,
    dHs: c.dHs === false ? null : randArray(B * T * U, seed + 5),
    dHT: c.dHT === false ? null : randArray(B * U, seed + 6),
    dKernel0: randArray(I * G * U, seed + 10, 0.1),
    dRec0: randArray(U * G * U, seed + 11, 0.1),
    dBias0: randArray(biasLength(c), seed + 12, 0.1),
  };
}

export interface RecOut {
  hs: Float64Array; hT: Float64Array;
  dx?: Float64Array; dKernel?: Float64Array; dRec?: Float64Array; dBias?: Float64Array; dH0?: Float64Array;
}

const opt = (a: number[] | null): BufSpec => (a ? { f: a } : null);

/**
 * Runs the forward and, when `backwards` > 0, that many backward calls from the same forward
 * (gradients accumulate on top of dKernel0 / dRec0 / dBias0).
 */
export function runCase(backend: Backend, c: RecCase, d: RecData, backwards = 1): RecOut {
  const { B, T, I, U } = c;
  const k = backend.kernels;
  const dims = { B, T, I, U };
  const options = {
    goBackwards: c.goBackwards, resetAfter: c.cell === 'gru' && c.resetAfter,
    activation: c.act ?? 'tanh', recurrentActivation: c.recAct ?? 'sigmoid',
  };
  const cacheN = cellCacheFloats(k, c.cell, dims);
  const wsN = cellWsFloats(k, c.cell, dims);
  const skip = c.skipOptional === true;
  const bufs: Record<string, BufSpec> = {
    x: { f: d.x }, kernel: { f: d.kernel }, rec: { f: d.rec }, bias: opt(d.bias), h0: opt(d.h0),
    mask: opt(d.mask), recMask: opt(d.recMask), hs: { out: B * T * U }, hT: { out: B * U },
    // NaN-filled (a kernel must not read what it has not written) and followed by guard floats
    // that must survive (a kernel must stay inside the sizes it reports)
    cache: { f: guarded(cacheN) }, ws: { f: guarded(wsN) },
  };
  if (backwards > 0) {
    Object.assign(bufs, {
      dHs: opt(d.dHs), dHT: opt(d.dHT),
      dx: skip ? null : { out: B * T * I }, dKernel: { f: d.dKernel0 }, dRec: { f: d.dRec0 },
      dBias: skip || !d.bias ? null : { f: d.dBias0 }, dH0: skip ? null : { out: B * U },
    });
  }
  const out = run(backend, bufs, (p) => {
    const shared = {
      ...dims, ...options, x: p.x, kernel: p.kernel, recurrentKernel: p.rec, h0: p.h0, mask: p.mask, recurrentMask: p.recMask,
      hs: p.hs, cache: p.cache, ws: p.ws,
    };
    cellForward(k, c.cell, { ...shared, bias: p.bias, hT: p.hT });
    for (let n = 0; n < backwards; n++) {
      cellBackward(k, c.cell, {
        ...shared, dHs: p.dHs, dHT: p.dHT, dx: p.dx, dKernel: p.dKernel, dRecurrentKernel: p.dRec, dBias: p.dBias, dH0: p.dH0,
      });
    }
  });
  for (const [name, n] of [['cache', cacheN], ['ws', wsN]] as const) {
    const tail = out[name].subarray(n);
    if (tail.some((v) => v !== GUARD)) throw new Error(`${backend.name} ${caseName(c)}: wrote past its ${name} (${n} floats)`);
  }
  return out as unknown as RecOut;
}

const GUARD = 12345.5;
const GUARD_FLOATS = 16;
const guarded = (n: number) => [...new Array<number>(n).fill(NaN), ...new Array<number>(GUARD_FLOATS).fill(GUARD)];

/** Σ dHs·hs + Σ dHT·hT: the loss whose gradient a backward with (dHs, dHT) computes. */
export function caseLoss(backend: Backend, c: RecCase, d: RecData): number {
  const o = runCase(backend, c, d, 0);
  return (d.dHs ? weightedSum(o.hs, d.dHs) : 0) + (d.dHT ? weightedSum(o.hT, d.dHT) : 0);
}

/** A readable name for a case. */
export function caseName(c: RecCase): string {
  const on: string[] = (['goBackwards', 'resetAfter', 'h0', 'bias', 'mask', 'recMask', 'skipOptional'] as const).filter((f) => c[f]);
  if (c.dHs === false) on.push('no dHs');
  if (c.dHT === false) on.push('no dHT');
  return `${c.cell} B${c.B} T${c.T} I${c.I} U${c.U} ${c.act ?? 'tanh'}/${c.recAct ?? 'sigmoid'} ${on.join(' ')}`;
}

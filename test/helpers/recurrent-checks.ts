// Checks shared by the GRU and SimpleRNN kernel tests (cases and runs from recurrent-case.ts).
import { expect } from 'vitest';
import { expectClose, numericGrad, WASM_BACKENDS, type NamedBackends } from './kernels.js';
import { caseLoss, caseName, makeData, runCase, type RecCase, type RecData } from './recurrent-case.js';

const OUTPUTS = ['hs', 'hT', 'dx', 'dKernel', 'dRec', 'dBias', 'dH0'] as const;

/** Backend `name` gives the float64 oracle's forward and backward outputs (present or absent alike). */
export function expectMatchesOracle(be: NamedBackends, name: (typeof WASM_BACKENDS)[number], c: RecCase, seed: number): void {
  const d = makeData(c, seed);
  const want = runCase(be.js, c, d);
  const got = runCase(be[name], c, d);
  const label = caseName(c);
  const tol = 1e-6 * Math.sqrt(c.B * c.T * (c.I + c.U));
  for (const key of OUTPUTS) {
    expect(got[key] === undefined, `${label}: ${key} presence`).toBe(want[key] === undefined);
    if (want[key]) expectClose(got[key]!, want[key]!, tol, 5e-5, `${label}: ${key}`);
  }
}

/**
 * Row 0 of `c` (every step masked) keeps h0, gets no gradient from x, and its dH0 is dHT plus
 * every dHs of the row, on every backend.
 */
export function expectMaskedRowPassesThrough(be: NamedBackends, c: RecCase, seed: number): void {
  const d = makeData(c, seed);
  for (const name of [...WASM_BACKENDS, 'js'] as const) {
    const o = runCase(be[name], c, d);
    for (let t = 0; t < c.T; t++) expectClose(o.hs.subarray(t * c.U, (t + 1) * c.U), d.h0!.slice(0, c.U), 0, 0, `${name} hs row 0`);
    expectClose(o.dx!.subarray(0, c.T * c.I), new Array(c.T * c.I).fill(0), 0, 0, `${name} dx row 0`);
    const want = d.dHT!.slice(0, c.U).map((v, j) => v + Array.from({ length: c.T }, (_, t) => t).reduce((s, t) => s + d.dHs![t * c.U + j], 0));
    expectClose(o.dH0!.subarray(0, c.U), want, 1e-6, 1e-6, `${name} dH0 row 0`);
  }
}

/** Two backward calls add their weight gradients up and overwrite the input gradients, on every backend. */
export function expectWeightGradsAccumulate(be: NamedBackends, c: RecCase, seed: number): void {
  const d = makeData(c, seed);
  for (const name of [...WASM_BACKENDS, 'js'] as const) {
    const once = runCase(be[name], c, d, 1);
    const twice = runCase(be[name], c, d, 2);
    for (const [key, init] of [['dKernel', d.dKernel0], ['dRec', d.dRec0], ['dBias', d.dBias0]] as const) {
      const want = once[key]!.map((v, j) => 2 * v - init[j]);
      expectClose(twice[key]!, want, 1e-5, 1e-5, `${name} ${caseName(c)} ${key} twice`);
    }
    expectClose(twice.dx!, once.dx!, 0, 0, `${name} dx twice`);
    expectClose(twice.dH0!, once.dH0!, 0, 0, `${name} dH0 twice`);
  }
}

/** Central differences of the JS forward's loss against the JS backward, for every input. */
export function checkGradients(be: NamedBackends, c: RecCase, seed: number): void {
  const d = makeData(c, seed);
  const zeroInit = { ...d, dKernel0: d.dKernel0.map(() => 0), dRec0: d.dRec0.map(() => 0), dBias0: d.dBias0.map(() => 0) };
  const g = runCase(be.js, c, zeroInit);
  const params: [keyof RecData, Float64Array | undefined][] = [
    ['x', g.dx], ['kernel', g.dKernel], ['rec', g.dRec], ['bias', g.dBias], ['h0', g.dH0],
  ];
  for (const [key, analytic] of params) {
    if (!d[key]) continue;
    const num = numericGrad((v) => caseLoss(be.js, c, { ...d, [key]: v }), d[key] as number[]);
    expectClose(analytic!, num, 1e-6, 1e-5, `${caseName(c)}: d${key}`);
  }
}

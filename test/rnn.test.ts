import { describe, it, beforeAll, expect } from 'vitest';
import { Act } from '../ts/backend/abi.js';
import { allBackends, expectClose, numericGrad, WASM_BACKENDS, type NamedBackends } from './helpers/kernels.js';
import { caseLoss, caseName, makeData, runCase, type RecCase, type RecData } from './helpers/recurrent-case.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1], [2, 3, 5, 7], [3, 5, 2, 4], [4, 2, 13, 8], [5, 7, 3, 17], [7, 4, 31, 5], [2, 13, 6, 3],
  [3, 3, 17, 31], [1, 6, 4, 2], [6, 5, 9, 13], [13, 2, 1, 3], [2, 4, 67, 37], [3, 9, 8, 16],
];
const ACTS = [Act.tanh, Act.relu, Act.linear, Act.sigmoid, Act.hardSigmoid];

/** Every shape, options rotating so each is seen on and off with every activation. */
function sweep(): RecCase[] {
  const cases: RecCase[] = SHAPES.map(([b, t, i, u], n) => ({
    cell: 'rnn', B: b, T: t, I: i, U: u, act: ACTS[n % ACTS.length],
    goBackwards: n % 2 === 1, h0: n % 3 !== 1, bias: n % 4 !== 2, mask: n % 3 !== 0, recMask: n % 4 >= 2,
    dHs: n % 7 !== 5, dHT: n % 5 !== 3, skipOptional: n % 6 === 4,
  }));
  cases.push({ cell: 'rnn', B: 5, T: 6, I: 7, U: 9, goBackwards: true, h0: true, bias: true, mask: true, recMask: true });
  return cases;
}

describe('rnn kernels against the float64 oracle', () => {
  const cases = sweep();
  for (const name of WASM_BACKENDS) {
    it(`${name}: ${cases.length} cases, every forward and backward output`, () => {
      for (const [n, c] of cases.entries()) {
        const d = makeData(c, 2000 + n);
        const want = runCase(B.js, c, d);
        const got = runCase(B[name], c, d);
        const label = caseName(c);
        const tol = 1e-6 * Math.sqrt(c.B * c.T * (c.I + c.U));
        for (const key of ['hs', 'hT', 'dx', 'dKernel', 'dRec', 'dBias', 'dH0'] as const) {
          expect(got[key] === undefined, `${label}: ${key} presence`).toBe(want[key] === undefined);
          if (want[key]) expectClose(got[key]!, want[key]!, tol, 5e-5, `${label}: ${key}`);
        }
      }
    });
  }

  it('a fully masked sequence keeps h0 and passes dh straight through to dH0', () => {
    const c: RecCase = { cell: 'rnn', B: 3, T: 4, I: 3, U: 5, h0: true, bias: true, mask: true, goBackwards: true };
    const d = makeData(c, 43);
    for (const name of [...WASM_BACKENDS, 'js'] as const) {
      const o = runCase(B[name], c, d);
      for (let t = 0; t < c.T; t++) expectClose(o.hs.subarray(t * c.U, (t + 1) * c.U), d.h0!.slice(0, c.U), 0, 0, `${name} hs row 0`);
      expectClose(o.dx!.subarray(0, c.T * c.I), new Array(c.T * c.I).fill(0), 0, 0, `${name} dx row 0`);
      const want = d.dHT!.slice(0, c.U).map((v, j) => v + [0, 1, 2, 3].reduce((s, t) => s + d.dHs![t * c.U + j], 0));
      expectClose(o.dH0!.subarray(0, c.U), want, 1e-6, 1e-6, `${name} dH0 row 0`);
    }
  });

  it('weight gradients accumulate across two backward calls', () => {
    const c: RecCase = { cell: 'rnn', B: 3, T: 5, I: 4, U: 6, h0: true, bias: true, mask: true, recMask: true };
    const d = makeData(c, 78);
    for (const name of [...WASM_BACKENDS, 'js'] as const) {
      const once = runCase(B[name], c, d, 1);
      const twice = runCase(B[name], c, d, 2);
      for (const [key, init] of [['dKernel', d.dKernel0], ['dRec', d.dRec0], ['dBias', d.dBias0]] as const) {
        const want = once[key]!.map((v, j) => 2 * v - init[j]);
        expectClose(twice[key]!, want, 1e-5, 1e-5, `${name} ${key} twice`);
      }
      expectClose(twice.dx!, once.dx!, 0, 0, `${name} dx twice`);
      expectClose(twice.dH0!, once.dH0!, 0, 0, `${name} dH0 twice`);
    }
  });
});

/** Central differences of the JS forward's loss against the JS backward, for every input. */
function checkGradients(c: RecCase, seed: number) {
  const d = makeData(c, seed);
  const zeroInit = { ...d, dKernel0: d.dKernel0.map(() => 0), dRec0: d.dRec0.map(() => 0), dBias0: d.dBias0.map(() => 0) };
  const g = runCase(B.js, c, zeroInit);
  const params: [keyof RecData, Float64Array | undefined][] = [
    ['x', g.dx], ['kernel', g.dKernel], ['rec', g.dRec], ['bias', g.dBias], ['h0', g.dH0],
  ];
  for (const [key, analytic] of params) {
    if (!d[key]) continue;
    const num = numericGrad((v) => caseLoss(B.js, c, { ...d, [key]: v }), d[key] as number[]);
    expectClose(analytic!, num, 1e-6, 1e-5, `${caseName(c)}: d${key}`);
  }
}

describe('rnn backward against finite differences (float64)', () => {
  const base = { cell: 'rnn', h0: true, bias: true } as const;
  it('tanh: plain, masked, goBackwards, recurrent mask', () => {
    checkGradients({ ...base, B: 2, T: 3, I: 3, U: 4 }, 1);
    checkGradients({ ...base, B: 3, T: 4, I: 2, U: 3, mask: true, goBackwards: true }, 2);
    checkGradients({ ...base, B: 2, T: 4, I: 3, U: 5, recMask: true, mask: true }, 3);
  });
  it('relu and sigmoid (these seeds keep every pre-activation away from relu\'s kink)', () => {
    checkGradients({ ...base, B: 2, T: 3, I: 3, U: 4, act: Act.relu, goBackwards: true, recMask: true }, 5);
    checkGradients({ ...base, B: 2, T: 3, I: 2, U: 3, act: Act.sigmoid, mask: true }, 6);
  });
});

import { describe, it, beforeAll } from 'vitest';
import type { ActivationName } from '../../ts/backend/kernels/index.js';
import { allBackends, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';
import type { RecCase } from '../helpers/recurrent-case.js';
import { checkGradients as checkGradientsOn, expectMaskedRowPassesThrough, expectMatchesOracle, expectWeightGradsAccumulate } from '../helpers/recurrent-checks.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1], [2, 3, 5, 7], [3, 5, 2, 4], [4, 2, 13, 8], [5, 7, 3, 17], [7, 4, 31, 5], [2, 13, 6, 3],
  [3, 3, 17, 31], [1, 6, 4, 2], [6, 5, 9, 13], [13, 2, 1, 3], [2, 4, 67, 37],
];
const ACTS: [ActivationName, ActivationName][] = [
  ['tanh', 'sigmoid'], ['relu', 'hardSigmoid'], ['linear', 'sigmoid'], ['tanh', 'hardSigmoid'],
  ['sigmoid', 'tanh'], ['hardSigmoid', 'sigmoid'], ['tanh', 'linear'],
];

/** Every shape in both GRU modes, options rotating so each is seen on and off with both modes. */
function sweep(): RecCase[] {
  const cases: RecCase[] = [];
  SHAPES.forEach(([b, t, i, u], n) => {
    for (const resetAfter of [true, false]) {
      const m = n * 2 + (resetAfter ? 1 : 0);
      const [act, recAct] = ACTS[m % ACTS.length];
      cases.push({
        cell: 'gru', B: b, T: t, I: i, U: u, resetAfter, act, recAct,
        goBackwards: (m & 1) === 1 ? n % 3 !== 0 : n % 3 === 0,
        h0: m % 3 !== 1, bias: m % 4 !== 2, mask: m % 3 !== 0, recMask: m % 4 >= 2,
        dHs: m % 7 !== 5, dHT: m % 5 !== 3, skipOptional: m % 9 === 8,
      });
    }
  });
  // everything at once, in both modes
  for (const resetAfter of [true, false]) {
    cases.push({ cell: 'gru', B: 5, T: 6, I: 7, U: 9, resetAfter, goBackwards: true, h0: true, bias: true, mask: true, recMask: true });
  }
  return cases;
}

describe('gru kernels against the float64 oracle', () => {
  const cases = sweep();
  for (const name of WASM_BACKENDS) {
    it(`${name}: ${cases.length} cases, every forward and backward output`, () => {
      for (const [n, c] of cases.entries()) {
        expectMatchesOracle(B, name, c, 1000 + n);
      }
    });
  }

  it('covers masked rows: a fully masked sequence keeps h0 and gets no gradient from x', () => {
    const c: RecCase = { cell: 'gru', B: 3, T: 4, I: 3, U: 5, resetAfter: true, h0: true, bias: true, mask: true };
    expectMaskedRowPassesThrough(B, c, 42);
  });

  it('weight gradients accumulate across two backward calls', () => {
    for (const resetAfter of [true, false]) {
      const c: RecCase = { cell: 'gru', B: 3, T: 5, I: 4, U: 6, resetAfter, h0: true, bias: true, mask: true, recMask: true };
      expectWeightGradsAccumulate(B, c, 77);
    }
  });
});

const checkGradients = (c: RecCase, seed: number) => checkGradientsOn(B, c, seed);

describe('gru backward against finite differences (float64)', () => {
  const base = { cell: 'gru', h0: true, bias: true } as const;
  for (const resetAfter of [true, false]) {
    it(`resetAfter=${resetAfter}: plain, masked, goBackwards, recurrent mask`, () => {
      checkGradients({ ...base, B: 2, T: 3, I: 3, U: 4, resetAfter }, 1);
      checkGradients({ ...base, B: 3, T: 4, I: 2, U: 3, resetAfter, mask: true, goBackwards: true }, 2);
      checkGradients({ ...base, B: 2, T: 3, I: 3, U: 5, resetAfter, recMask: true, mask: true }, 3);
      checkGradients({ ...base, B: 2, T: 3, I: 2, U: 3, resetAfter, act: 'sigmoid', recAct: 'hardSigmoid', goBackwards: true, recMask: true }, 4);
    });
  }
});

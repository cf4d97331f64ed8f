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
  [3, 3, 17, 31], [1, 6, 4, 2], [6, 5, 9, 13], [13, 2, 1, 3], [2, 4, 67, 37], [3, 9, 8, 16],
];
const ACTS: ActivationName[] = ['tanh', 'relu', 'linear', 'sigmoid', 'hardSigmoid'];

/** Every shape, options rotating so each is seen on and off with every activation. */
function sweep(): RecCase[] {
  const cases: RecCase[] = SHAPES.map(([b, t, i, u], n) => ({
    cell: 'simpleRNN', B: b, T: t, I: i, U: u, act: ACTS[n % ACTS.length],
    goBackwards: n % 2 === 1, h0: n % 3 !== 1, bias: n % 4 !== 2, mask: n % 3 !== 0, recMask: n % 4 >= 2,
    dHs: n % 7 !== 5, dHT: n % 5 !== 3, skipOptional: n % 6 === 4,
  }));
  cases.push({ cell: 'simpleRNN', B: 5, T: 6, I: 7, U: 9, goBackwards: true, h0: true, bias: true, mask: true, recMask: true });
  return cases;
}

describe('simpleRNN kernels against the float64 oracle', () => {
  const cases = sweep();
  for (const name of WASM_BACKENDS) {
    it(`${name}: ${cases.length} cases, every forward and backward output`, () => {
      for (const [n, c] of cases.entries()) {
        expectMatchesOracle(B, name, c, 2000 + n);
      }
    });
  }

  it('a fully masked sequence keeps h0 and passes dh straight through to dH0', () => {
    const c: RecCase = { cell: 'simpleRNN', B: 3, T: 4, I: 3, U: 5, h0: true, bias: true, mask: true, goBackwards: true };
    expectMaskedRowPassesThrough(B, c, 43);
  });

  it('weight gradients accumulate across two backward calls', () => {
    const c: RecCase = { cell: 'simpleRNN', B: 3, T: 5, I: 4, U: 6, h0: true, bias: true, mask: true, recMask: true };
    expectWeightGradsAccumulate(B, c, 78);
  });
});

const checkGradients = (c: RecCase, seed: number) => checkGradientsOn(B, c, seed);

describe('simpleRNN backward against finite differences (float64)', () => {
  const base = { cell: 'simpleRNN', h0: true, bias: true } as const;
  it('tanh: plain, masked, goBackwards, recurrent mask', () => {
    checkGradients({ ...base, B: 2, T: 3, I: 3, U: 4 }, 1);
    checkGradients({ ...base, B: 3, T: 4, I: 2, U: 3, mask: true, goBackwards: true }, 2);
    checkGradients({ ...base, B: 2, T: 4, I: 3, U: 5, recMask: true, mask: true }, 3);
  });
  it('relu and sigmoid (these seeds keep every pre-activation away from relu\'s kink)', () => {
    checkGradients({ ...base, B: 2, T: 3, I: 3, U: 4, act: 'relu', goBackwards: true, recMask: true }, 5);
    checkGradients({ ...base, B: 2, T: 3, I: 2, U: 3, act: 'sigmoid', mask: true }, 6);
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import { ActivationCode } from '../../ts/backend/abi.js';
import { denseBackward, denseForward as denseKernel, denseWsFloats, gemmWsFloats, type ActivationName } from '../../ts/backend/kernels/index.js';
import type { Backend } from '../../ts/backend/backend.js';
import {
  allBackends, run, randArray, expectClose, numericGrad, weightedSum, ws, WASM_BACKENDS, type NamedBackends,
} from '../helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

const ACTS = Object.keys(ActivationCode) as ActivationName[];

interface DenseCase { N: number; In: number; Out: number; act: ActivationName; bias: boolean; dx: boolean; db: boolean }

function denseForward(b: Backend, c: DenseCase, x: number[], w: number[], bias: number[]): Float64Array {
  const { N, In, Out, act } = c;
  return run(b, { x: { f: x }, w: { f: w }, b: c.bias ? { f: bias } : null, y: { out: N * Out }, ws: ws(denseWsFloats(b.kernels, { N, In, Out })) },
    (p, k) => denseKernel(k, { N, In, Out, activation: act, x: p.x, kernel: p.w, bias: p.b, y: p.y, ws: p.ws })).y;
}

/** Forward then backward on one backend; dw and db start from given values (they accumulate). */
function denseBoth(b: Backend, c: DenseCase, x: number[], w: number[], bias: number[], dy: number[], dw0: number[], db0: number[]) {
  const { N, In, Out, act } = c;
  return run(b, {
    x: { f: x }, w: { f: w }, b: c.bias ? { f: bias } : null, y: { out: N * Out }, dy: { f: dy },
    dx: c.dx ? { out: N * In } : null, dw: { f: dw0 }, db: c.db ? { f: db0 } : null,
    ws: ws(denseWsFloats(b.kernels, { N, In, Out })),
  }, (p, k) => {
    denseKernel(k, { N, In, Out, activation: act, x: p.x, kernel: p.w, bias: p.b, y: p.y, ws: p.ws });
    denseBackward(k, { N, In, Out, activation: act, x: p.x, kernel: p.w, y: p.y, dy: p.dy, dx: p.dx, dKernel: p.dw, dBias: p.db, ws: p.ws });
  });
}

describe('dense against the float64 oracle', () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 3, 2], [3, 5, 7], [7, 2, 13], [5, 17, 3], [13, 31, 9], [2, 8, 17], [33, 67, 19]];
  for (const name of WASM_BACKENDS) {
    it(`${name}: forward and backward for every activation, with and without bias / dx / db`, () => {
      let i = 0;
      for (const act of ACTS) {
        for (const [N, In, Out] of shapes) {
          const c: DenseCase = { N, In, Out, act, bias: i % 3 !== 1, dx: i % 4 !== 2, db: i % 5 !== 3 };
          i++;
          const x = randArray(N * In, i);
          const w = randArray(In * Out, i + 1, 1 / Math.sqrt(In));
          const bias = randArray(Out, i + 2);
          const dy = randArray(N * Out, i + 3);
          const dw0 = randArray(In * Out, i + 4);
          const db0 = randArray(Out, i + 5);
          const want = denseBoth(B.js, c, x, w, bias, dy, dw0, db0);
          const got = denseBoth(B[name], c, x, w, bias, dy, dw0, db0);
          const what = `${act} ${JSON.stringify(c)}`;
          const tol = 2e-6 * Math.sqrt(Math.max(In, N, Out));
          expectClose(got.y, want.y, tol, 1e-5, `${what} y`);
          if (c.dx) expectClose(got.dx, want.dx, tol, 1e-5, `${what} dx`);
          expectClose(got.dw, want.dw, tol, 1e-5, `${what} dw`);
          if (c.db) expectClose(got.db, want.db, tol, 1e-5, `${what} db`);
        }
      }
    });
  }

  it('a larger layer (N=64, In=300, Out=129) crosses gemm block edges', () => {
    const c: DenseCase = { N: 64, In: 300, Out: 129, act: 'tanh', bias: true, dx: true, db: true };
    const x = randArray(c.N * c.In, 1);
    const w = randArray(c.In * c.Out, 2, 0.06);
    const bias = randArray(c.Out, 3);
    const dy = randArray(c.N * c.Out, 4);
    const zeros = (n: number) => new Array(n).fill(0);
    const want = denseBoth(B.js, c, x, w, bias, dy, zeros(c.In * c.Out), zeros(c.Out));
    for (const name of WASM_BACKENDS) {
      const got = denseBoth(B[name], c, x, w, bias, dy, zeros(c.In * c.Out), zeros(c.Out));
      for (const buf of ['y', 'dx', 'dw', 'db']) expectClose(got[buf], want[buf], 5e-5, 1e-4, `${name} ${buf}`);
    }
  });
});

describe('dense backward against central differences (js, float64)', () => {
  const [N, In, Out] = [3, 4, 5];
  for (const act of ACTS) {
    it(`${act}: dx, dw and db`, () => {
      const c: DenseCase = { N, In, Out, act, bias: true, dx: true, db: true };
      // keep pre-activations away from the kinks of relu (0) and hard sigmoid (±2.5): the first
      // seed whose data has none is used (deterministic)
      const nearKink = (z: number) => Math.abs(z) < 0.05 || Math.abs(Math.abs(z) - 2.5) < 0.05;
      let seed = 10;
      let x: number[], w: number[], bias: number[];
      do {
        seed += 4;
        x = randArray(N * In, seed, 2);
        w = randArray(In * Out, seed + 1);
        bias = randArray(Out, seed + 2);
      } while ([...denseForward(B.js, { ...c, act: 'linear' }, x, w, bias)].some(nearKink));
      const dy = randArray(N * Out, seed + 3);

      const loss = (xs: number[], ws_: number[], bs: number[]) => weightedSum(denseForward(B.js, c, xs, ws_, bs), dy);
      const zeros = (n: number) => new Array(n).fill(0);
      const got = denseBoth(B.js, c, x, w, bias, dy, zeros(In * Out), zeros(Out));
      expectClose(got.dx, numericGrad((v) => loss(v, w, bias), x), 1e-7, 1e-6, `${act} dx`);
      expectClose(got.dw, numericGrad((v) => loss(x, v, bias), w), 1e-7, 1e-6, `${act} dw`);
      expectClose(got.db, numericGrad((v) => loss(x, w, v), bias), 1e-7, 1e-6, `${act} db`);
    });
  }
});

describe('dense workspace and edge cases', () => {
  it('dense_ws_floats covers dz plus gemm scratch; dx is overwritten, dw and db accumulate', () => {
    for (const name of WASM_BACKENDS) {
      const k = B[name].kernels;
      expect(denseWsFloats(k, { N: 7, In: 5, Out: 3 })).toBeGreaterThanOrEqual(7 * 3 + gemmWsFloats(k, { M: 7, N: 5, K: 3 }));
    }
    const c: DenseCase = { N: 2, In: 3, Out: 2, act: 'linear', bias: false, dx: true, db: true };
    const x = [1, 2, 3, 4, 5, 6];
    const w = [1, 0, 0, 1, 1, 1];
    const dy = [1, 0, 0, 1];
    for (const name of ['js', ...WASM_BACKENDS] as const) {
      const got = denseBoth(B[name], c, x, w, [], dy, [1, 1, 1, 1, 1, 1], [10, 20]);
      // y = x·w; dx = dy·w^T; dw = 1 + x^T·dy; db = [10, 20] + column sums of dy
      expect([...got.y]).toEqual([4, 5, 10, 11]);
      expect([...got.dx]).toEqual([1, 0, 1, 0, 1, 1]);
      expect([...got.dw]).toEqual([2, 5, 3, 6, 4, 7]);
      expect([...got.db]).toEqual([11, 21]);
    }
  });
});

import { describe, it, beforeAll, expect } from 'vitest';
import { gemm, gemmWsFloats } from '../../ts/backend/kernels/index.js';
import { allBackends, run, randArray, expectClose, ws, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

interface GemmCase { M: number; N: number; K: number; transA: number; transB: number; alpha: number; beta: number; pad: number }

/** C before the call: random, with the M x N block NaN when beta is 0 (it must never be read). */
function initialC(c: GemmCase, seed: number): number[] {
  const ldc = c.N + c.pad;
  const cm = randArray(c.M * ldc, seed + 2);
  if (c.beta === 0) for (let i = 0; i < c.M; i++) cm.fill(NaN, i * ldc, i * ldc + c.N);
  return cm;
}

/** Runs one gemm on a backend and returns all of C (ldc padding included). */
function gemmOn(b: NamedBackends[keyof NamedBackends], c: GemmCase, seed: number) {
  const { M, N, K, transA, transB, alpha, beta, pad } = c;
  const lda = (transA ? M : K) + pad;
  const ldb = (transB ? K : N) + pad;
  const ldc = N + pad;
  const a = randArray((transA ? K : M) * lda, seed);
  const bm = randArray((transB ? N : K) * ldb, seed + 1);
  return run(b, { a: { f: a }, b: { f: bm }, c: { f: initialC(c, seed) }, ws: ws(gemmWsFloats(b.kernels, { M, N, K })) }, (p, k) =>
    gemm(k, { M, N, K, transposeA: transA === 1, transposeB: transB === 1, alpha, beta, a: p.a, lda, b: p.b, ldb, c: p.c, ldc, ws: p.ws }),
  ).c;
}

function check(c: GemmCase, seed: number, what: string) {
  const want = gemmOn(B.js, c, seed);
  for (const name of WASM_BACKENDS) {
    const got = gemmOn(B[name], c, seed);
    expectClose(got, want, 1e-5 * Math.sqrt(c.K) + 1e-6, 1e-5, `${name} ${what} ${JSON.stringify(c)}`);
  }
}

describe('gemm against the float64 oracle', () => {
  it('sweep of small and odd shapes with transposes, leading dims, alpha and beta', () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 33, 64, 67];
    let i = 0;
    for (const M of sizes) {
      for (const N of [1, 3, 8, 9, 17, 67]) {
        const K = sizes[(i * 7) % sizes.length];
        const c: GemmCase = { M, N, K, transA: i & 1, transB: (i >> 1) & 1, alpha: i % 3 === 0 ? 1 : -0.5, beta: [0, 1, 0.25][i % 3], pad: i % 4 === 0 ? 3 : 0 };
        check(c, 100 + i, 'sweep');
        i++;
      }
    }
  });

  // Internal paths, all reached through `gemm`: rows of A times row-major B (M <= 8; groups of 4,
  // 2 and 1 rows, 24/16/8-column blocks, scalar last columns), dot products (B transposed,
  // M <= 3; 4-row blocks, depth tails), and the blocked path (packing both ways, edge tiles).
  it('small-M row path: every row grouping, column block and column tail', () => {
    let seed = 1000;
    for (const M of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const N of [1, 7, 8, 12, 16, 23, 24, 25, 40, 47, 51]) {
        for (const transA of [0, 1]) {
          const K = [1, 5, 16, 37][seed % 4];
          check({ M, N, K, transA, transB: 0, alpha: seed % 2 ? 1 : 0.75, beta: [0, 1, -0.5][seed % 3], pad: seed % 5 === 0 ? 2 : 0 }, seed, 'rows');
          seed++;
        }
      }
    }
  });

  it('small-M dot-product path: column blocks, column tails and depth tails', () => {
    let seed = 2000;
    for (const M of [1, 2, 3]) {
      for (const N of [1, 2, 3, 4, 5, 9, 14]) {
        for (const K of [1, 3, 4, 7, 8, 9, 15, 16, 33]) {
          check({ M, N, K, transA: 0, transB: 1, alpha: seed % 2 ? 1 : -2, beta: [0, 1, 0.5][seed % 3], pad: seed % 3 === 0 ? 1 : 0 }, seed, 'dots');
          seed++;
        }
      }
    }
  });

  it('blocked path: packing in both layouts, edge tiles, depth not a multiple of 4 or 8', () => {
    let seed = 3000;
    // M = 9 with a large B, and every M > 8, go through the blocked path; transA && transB
    // at M <= 3 too.
    const shapes: [number, number, number][] = [[9, 9, 9], [12, 16, 8], [13, 21, 11], [29, 35, 30], [40, 8, 64], [9, 600, 230], [2, 13, 7], [3, 33, 18]];
    for (const [M, N, K] of shapes) {
      for (const [transA, transB] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        if (M <= 3 && !(transA && transB)) continue;
        check({ M, N, K, transA, transB, alpha: seed % 2 ? 1 : 1.5, beta: [0, 1, 0.3][seed % 3], pad: seed % 2 }, seed, 'blocked');
        seed++;
      }
    }
  });

  it('blocked path across every block edge (M > MC, K > KC, N > NC)', () => {
    // MC = 128, KC = 256, NC = 1024 in gemm.rs.
    check({ M: 131, N: 1030, K: 261, transA: 0, transB: 0, alpha: 1, beta: 0, pad: 0 }, 4000, 'big');
    check({ M: 133, N: 1027, K: 259, transA: 1, transB: 1, alpha: -1, beta: 0.5, pad: 1 }, 4001, 'big');
  });

  it('beta = 0 overwrites NaN and never reads C, on every path', () => {
    for (const [M, N, K, transA, transB] of [[1, 30, 20, 0, 0], [4, 30, 20, 1, 0], [2, 30, 20, 0, 1], [20, 30, 20, 0, 0], [3, 30, 20, 1, 1]]) {
      for (const name of WASM_BACKENDS) {
        const got = gemmOn(B[name], { M, N, K, transA, transB, alpha: 1, beta: 0, pad: 0 }, 5000);
        expect(got.every((v) => Number.isFinite(v)), `${name} ${M}x${N}x${K}`).toBe(true);
      }
    }
  });

  it('K = 0 and alpha = 0 scale C by beta (beta = 0 writes zeros)', () => {
    for (const [K, alpha, beta] of [[0, 1, 0], [0, 1, 0.5], [5, 0, 0], [5, 0, 2]]) {
      for (const M of [2, 11]) {
        check({ M, N: 9, K, transA: 0, transB: 0, alpha, beta, pad: 1 }, 6000 + M, 'degenerate');
      }
    }
  });

  it('leaves C outside the M x N block untouched (padding of ldc)', () => {
    for (const name of WASM_BACKENDS) {
      for (const M of [1, 4, 20]) {
        const c: GemmCase = { M, N: 13, K: 9, transA: 0, transB: 0, alpha: 1, beta: 1, pad: 3 };
        const got = gemmOn(B[name], c, 7000 + M);
        const before = initialC(c, 7000 + M);
        for (let i = 0; i < M; i++) for (let j = 13; j < 16; j++) expect(got[i * 16 + j]).toBe(before[i * 16 + j]);
      }
    }
  });
});

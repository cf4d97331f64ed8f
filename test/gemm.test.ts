import { describe, it, beforeAll } from 'vitest';
import { allBackends, run, randArray, expectClose, ws, WASM_BACKENDS, type NamedBackends } from './helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

interface GemmCase { M: number; N: number; K: number; transA: number; transB: number; alpha: number; beta: number; pad: number }

function gemmOn(b: NamedBackends[keyof NamedBackends], c: GemmCase, seed: number) {
  const { M, N, K, transA, transB, alpha, beta, pad } = c;
  const lda = (transA ? M : K) + pad;
  const ldb = (transB ? K : N) + pad;
  const ldc = N + pad;
  const a = randArray((transA ? K : M) * lda, seed);
  const bm = randArray((transB ? N : K) * ldb, seed + 1);
  const cm = randArray(M * ldc, seed + 2);
  return run(b, { a: { f: a }, b: { f: bm }, c: { f: cm }, ws: ws(b.kernels.gemm_ws_floats(M, N, K)) }, (p, k) =>
    k.gemm(transA, transB, M, N, K, alpha, p.a, lda, p.b, ldb, beta, p.c, ldc, p.ws),
  ).c;
}

describe('gemm against the float64 oracle', () => {
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 31, 33, 64, 67];
  const cases: GemmCase[] = [];
  let i = 0;
  for (const M of sizes) {
    for (const N of [1, 3, 8, 9, 17, 67]) {
      const K = sizes[(i * 7) % sizes.length];
      cases.push({ M, N, K, transA: i & 1, transB: (i >> 1) & 1, alpha: i % 3 === 0 ? 1 : -0.5, beta: [0, 1, 0.25][i % 3], pad: i % 4 === 0 ? 3 : 0 });
      i++;
    }
  }
  for (const name of WASM_BACKENDS) {
    it(`${name}: ${cases.length} shapes with transposes, leading dims, alpha and beta`, () => {
      for (const [j, c] of cases.entries()) {
        const got = gemmOn(B[name], c, 100 + j);
        const want = gemmOn(B.js, c, 100 + j);
        expectClose(got, want, 1e-5 * Math.sqrt(c.K) + 1e-6, 1e-5, `gemm ${JSON.stringify(c)}`);
      }
    });
  }

  it('beta = 0 overwrites NaN in C; large blocked sizes cross every block edge', () => {
    for (const name of WASM_BACKENDS) {
      const c: GemmCase = { M: 131, N: 523, K: 263, transA: 0, transB: 1, alpha: 1, beta: 0, pad: 0 };
      const b = B[name];
      const cNaN = new Array(c.M * c.N).fill(NaN);
      const got = run(b, { a: { f: randArray(c.M * c.K, 1) }, b: { f: randArray(c.N * c.K, 2) }, c: { f: cNaN }, ws: ws(b.kernels.gemm_ws_floats(c.M, c.N, c.K)) }, (p, k) =>
        k.gemm(0, 1, c.M, c.N, c.K, 1, p.a, c.K, p.b, c.K, 0, p.c, c.N, p.ws)).c;
      const want = run(B.js, { a: { f: randArray(c.M * c.K, 1) }, b: { f: randArray(c.N * c.K, 2) }, c: { zeros: c.M * c.N }, ws: null }, (p, k) =>
        k.gemm(0, 1, c.M, c.N, c.K, 1, p.a, c.K, p.b, c.K, 0, p.c, c.N, 0)).c;
      expectClose(got, want, 2e-4, 1e-5, `${name} gemm 131x523x263`);
    }
  });
});

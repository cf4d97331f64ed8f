import type { Kernels } from '../abi.js';
import { type JsMemory, fx } from './memory.js';

/** C[M,N] = alpha·op(A)·op(B) + beta·C, written plainly (the oracle); see `Kernels.gemm`. */
export function gemmJs(
  F: Float64Array, transA: number, transB: number, M: number, N: number, K: number, alpha: number,
  a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) {
        const av = transA ? F[a + p * lda + i] : F[a + i * lda + p];
        const bv = transB ? F[b + j * ldb + p] : F[b + p * ldb + j];
        s += av * bv;
      }
      const ci = c + i * ldc + j;
      F[ci] = beta === 0 ? alpha * s : alpha * s + beta * F[ci];
    }
  }
}

export function gemmKernels(mem: JsMemory): Pick<Kernels, 'gemm' | 'gemm_ws_floats'> {
  return {
    gemm(transA, transB, M, N, K, alpha, pA, lda, pB, ldb, beta, pC, ldc) {
      gemmJs(mem.F, transA, transB, M, N, K, alpha, fx(pA), lda, fx(pB), ldb, beta, fx(pC), ldc);
    },
    gemm_ws_floats: () => 0,
  };
}

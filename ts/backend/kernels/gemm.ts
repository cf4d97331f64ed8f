import { bit, ptr, type KernelsOf } from './family.js';

export const GEMM_EXPORTS = ['gemm', 'gemm_ws_floats'] as const;
type Raw = KernelsOf<typeof GEMM_EXPORTS>;

/**
 * c [M, N] = alpha·op(a)·op(b) + beta·c. a is [M, lda] ([K, lda] with transposeA), b [K, ldb]
 * ([N, ldb] with transposeB), c [M, ldc]; the leading dimensions default to packed rows.
 * beta 0 (the default) never reads c. ws: `gemmWsFloats` floats.
 */
export interface GemmArgs {
  M: number;
  N: number;
  K: number;
  transposeA?: boolean;
  transposeB?: boolean;
  /** default 1 */
  alpha?: number;
  /** default 0 */
  beta?: number;
  a: number;
  lda?: number;
  b: number;
  ldb?: number;
  c: number;
  ldc?: number;
  ws: number;
}

export function gemm(k: Raw, g: GemmArgs): void {
  const lda = g.lda ?? (g.transposeA ? g.M : g.K);
  const ldb = g.ldb ?? (g.transposeB ? g.K : g.N);
  k.gemm(bit(g.transposeA), bit(g.transposeB), g.M, g.N, g.K, g.alpha ?? 1, g.a, lda, g.b, ldb, g.beta ?? 0, g.c, g.ldc ?? g.N, ptr(g.ws));
}

/** Floats of the workspace a gemm of these sizes needs. */
export function gemmWsFloats(k: Raw, { M, N, K }: { M: number; N: number; K: number }): number {
  return k.gemm_ws_floats(M, N, K);
}

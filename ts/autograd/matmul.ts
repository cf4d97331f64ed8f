import { gemm, gemmWsFloats } from '../backend/kernels/index.js';
import type { StepTensor } from './step-tensor.js';
import type { Tape } from './tape.js';

/**
 * out [M, N] = op(a)·op(b) with the GEMM kernel; a is [M, K] ([K, M] with transposeA), b [K, N]
 * ([N, K] with transposeB), shapes checked by the caller. Backward, accumulated with beta 1:
 * d op(a) = dOut·op(b)ᵀ and d op(b) = op(a)ᵀ·dOut, each transposed back when its operand was.
 */
export function matMul(tape: Tape, a: StepTensor, b: StepTensor, transposeA: boolean, transposeB: boolean): StepTensor {
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const N = transposeB ? b.shape[0] : b.shape[1];
  const out = tape.result([M, N], [a, b]);
  const k = tape.backend.kernels;
  const ws = (m: number, n: number, kk: number) => tape.scratch(Math.max(1, gemmWsFloats(k, { M: m, N: n, K: kk })));
  gemm(k, { M, N, K, transposeA, transposeB, a: a.ptr, b: b.ptr, c: out.ptr, ws: ws(M, N, K) });
  tape.record(out, (dy) => {
    if (a.requiresGrad) {
      const { ptr, beta } = tape.gradTarget(a);
      // da [M, K] = dy·op(b)ᵀ; with transposeA, da [K, M] = op(b)·dyᵀ.
      if (!transposeA) gemm(k, { M, N: K, K: N, transposeB: !transposeB, beta, a: dy, b: b.ptr, c: ptr, ws: ws(M, K, N) });
      else gemm(k, { M: K, N: M, K: N, transposeA: transposeB, transposeB: true, beta, a: b.ptr, b: dy, c: ptr, ws: ws(K, M, N) });
    }
    if (b.requiresGrad) {
      const { ptr, beta } = tape.gradTarget(b);
      // db [K, N] = op(a)ᵀ·dy; with transposeB, db [N, K] = dyᵀ·op(a).
      if (!transposeB) gemm(k, { M: K, N, K: M, transposeA: !transposeA, beta, a: a.ptr, b: dy, c: ptr, ws: ws(K, N, M) });
      else gemm(k, { M: N, N: K, K: M, transposeA: true, transposeB: transposeA, beta, a: dy, b: a.ptr, c: ptr, ws: ws(N, K, M) });
    }
  });
  return out;
}

import { gemm as gemmKernel, gemmWsFloats } from '../backend/kernels/index.js';
import { currentBackend } from '../runtime/ready.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { LwError, fmtShape } from '../errors.js';
import { callKernel, scratch } from './call.js';
import { asFloat, asFloatOpt, expectRank, expectShape } from './validate.js';

export interface GemmOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  alpha?: number;
  /** Scale of `c` added to the product (needs `c`). */
  beta?: number;
  c?: TensorLike;
}

/** alpha·op(a)·op(b) + beta·c for 2-D a, b: the GEMM kernel from JS memory. Returns [M, N]. */
export function gemm(a: TensorLike, b: TensorLike, opts: GemmOptions = {}): Tensor {
  const A = asFloat('a', a);
  const Bt = asFloat('b', b);
  expectRank('gemm', 'a', A, 2);
  expectRank('gemm', 'b', Bt, 2);
  const tA = opts.transposeA ?? false;
  const tB = opts.transposeB ?? false;
  const [M, K] = tA ? [A.shape[1], A.shape[0]] : [A.shape[0], A.shape[1]];
  const [K2, N] = tB ? [Bt.shape[1], Bt.shape[0]] : [Bt.shape[0], Bt.shape[1]];
  if (K !== K2) {
    throw new LwError('SHAPE_MISMATCH', `gemm: inner sizes differ: op(a) is ${fmtShape([M, K])}, op(b) is ${fmtShape([K2, N])}`);
  }
  const C = asFloatOpt('c', opts.c);
  if (C) expectShape('gemm', 'c', C, [M, N]);
  const beta = C ? (opts.beta ?? 1) : 0;
  const backend = currentBackend();
  return callKernel(backend, { a: A, b: Bt }, { c: [M, N] }, (p, k, s) => {
    if (C) backend.writeFloats(p.c, C.dataSync());
    gemmKernel(k, {
      M, N, K, transposeA: tA, transposeB: tB, alpha: opts.alpha ?? 1, beta,
      a: p.a, lda: A.shape[1], b: p.b, ldb: Bt.shape[1], c: p.c, ws: scratch(s, gemmWsFloats(k, { M, N, K })),
    });
  }).c;
}

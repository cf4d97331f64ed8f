import { gemm, gemmWsFloats } from '../backend/kernels/index.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { ForwardResult } from '../engine/layer.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global-pooling-1d.js';

/**
 * The mean over the steps (Keras GlobalAveragePooling1D): x [batch, steps, features] →
 * y [batch, features]. With an input mask only the kept steps are averaged, as Keras 3 does; a
 * sample with every step masked gives zeros (Keras divides 0 by 0 there: NaN). The output has no
 * mask. Each sample is one product y[b] = w[b] · x[b] with step weights w [batch, steps]
 * (1/steps, or keep/kept), and its backward dx[b] = w[b]ᵀ · dy[b].
 */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  readonly className = 'GlobalAveragePooling1D';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args, 'global_average_pooling1d');
  }

  /** The step weights [batch, steps]. */
  private stepWeights(ctx: ExecCtx, x: BatchTensor): number {
    const [B, T] = x.shape;
    const w = ctx.alloc(B * T);
    const f = ctx.backend.floats();
    const wi = ctx.fi(w);
    if (!x.mask) {
      f.fill(1 / T, wi, wi + B * T);
      return w;
    }
    const mi = ctx.fi(x.mask);
    for (let b = 0; b < B; b++) {
      let kept = 0;
      for (let t = 0; t < T; t++) if (f[mi + b * T + t] !== 0) kept++;
      // Any non-zero mask value keeps a step (Keras casts the mask to bool).
      for (let t = 0; t < T; t++) f[wi + b * T + t] = kept && f[mi + b * T + t] !== 0 ? 1 / kept : 0;
    }
    return w;
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]): ForwardResult {
    const [B, T, F] = x.shape;
    const w = this.stepWeights(ctx, x);
    const y = ctx.alloc(B * F);
    const k = ctx.backend.kernels;
    const ws = ctx.alloc(gemmWsFloats(k, { M: 1, N: F, K: T }));
    const bytes = ctx.backend.floatBytes;
    for (let b = 0; b < B; b++) {
      gemm(k, { M: 1, N: F, K: T, a: w + b * T * bytes, b: x.ptr + b * T * F * bytes, c: y + b * F * bytes, ws });
    }
    return { outputs: [{ ptr: y, shape: this.outputShape(B, F) }], saved: w };
  }

  backward(ctx: ExecCtx, saved: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    const [B, T, F] = x.shape;
    const w = saved as number;
    const dx = ctx.alloc(B * T * F);
    const k = ctx.backend.kernels;
    const ws = ctx.alloc(gemmWsFloats(k, { M: T, N: F, K: 1 }));
    const bytes = ctx.backend.floatBytes;
    for (let b = 0; b < B; b++) {
      gemm(k, { M: T, N: F, K: 1, a: w + b * T * bytes, b: dy + b * F * bytes, c: dx + b * T * F * bytes, ws });
    }
    return [dx];
  }
}

export const globalAveragePooling1D = (args?: GlobalPooling1DArgs) => new GlobalAveragePooling1D(args);

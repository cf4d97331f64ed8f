import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { ForwardResult } from '../engine/layer.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global-pooling-1d.js';

/**
 * The maximum over the steps per feature (Keras GlobalMaxPooling1D): x [batch, steps, features] →
 * y [batch, features]. Keras 3 does not use the mask here: masked steps take part and the mask
 * stops. Backward splits each gradient evenly between the steps that tie for the maximum (as
 * TensorFlow, JAX and PyTorch differentiate max), so all-equal steps (a ReLU's zeros) share it.
 */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  readonly className = 'GlobalMaxPooling1D';

  constructor(args: GlobalPooling1DArgs = {}) {
    super(args, 'global_max_pooling1d');
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]): ForwardResult {
    const [B, T, F] = x.shape;
    const y = ctx.alloc(B * F);
    const f = ctx.backend.floats();
    const xi = ctx.fi(x.ptr);
    const yi = ctx.fi(y);
    for (let b = 0; b < B; b++) {
      const row = yi + b * F;
      const xb = xi + b * T * F;
      f.copyWithin(row, xb, xb + F);
      for (let t = 1; t < T; t++) {
        for (let j = 0; j < F; j++) {
          const v = f[xb + t * F + j];
          // NaN wins, as in Keras' max.
          if (v > f[row + j] || v !== v) f[row + j] = v;
        }
      }
    }
    return { outputs: [{ ptr: y, shape: this.outputShape(B, F) }] };
  }

  backward(ctx: ExecCtx, _s: unknown, [x]: BatchTensor[], [y]: BatchTensor[], [dy]: number[]): number[] {
    const [B, T, F] = x.shape;
    const dx = ctx.alloc(B * T * F);
    const f = ctx.backend.floats();
    const [xi, yi, di, dxi] = [ctx.fi(x.ptr), ctx.fi(y.ptr), ctx.fi(dy), ctx.fi(dx)];
    const ties = new Float64Array(F);
    for (let b = 0; b < B; b++) {
      const xb = xi + b * T * F;
      ties.fill(0);
      for (let t = 0; t < T; t++) for (let j = 0; j < F; j++) if (f[xb + t * F + j] === f[yi + b * F + j]) ties[j]++;
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < F; j++) {
          const o = xb + t * F + j;
          f[dxi + o - xi] = f[o] === f[yi + b * F + j] ? f[di + b * F + j] / ties[j] : 0;
        }
      }
    }
    return [dx];
  }
}

export const globalMaxPooling1D = (args?: GlobalPooling1DArgs) => new GlobalMaxPooling1D(args);

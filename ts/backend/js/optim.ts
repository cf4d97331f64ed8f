import type { Kernels } from '../abi.js';
import { type JsMemory, fx } from './memory.js';

/** Optimizer updates (Keras 3 formulas, see `Kernels`) and gradient-norm helpers, one plain loop each. */
export function optimKernels(mem: JsMemory): Pick<Kernels, 'sgd_update' | 'rmsprop_update' | 'adam_update' | 'sum_squares' | 'scale_inplace' | 'clip_inplace'> {
  return {
    sgd_update(n, lr, momentum, nesterov, pP, pG, pV) {
      const F = mem.F;
      const p = fx(pP), g = fx(pG), v = fx(pV);
      for (let i = 0; i < n; i++) {
        if (!pV) {
          F[p + i] -= lr * F[g + i];
          continue;
        }
        F[v + i] = momentum * F[v + i] - lr * F[g + i];
        F[p + i] += nesterov ? momentum * F[v + i] - lr * F[g + i] : F[v + i];
      }
    },
    rmsprop_update(n, lr, rho, momentum, eps, centered, pP, pG, pMs, pMom, pMg) {
      const F = mem.F;
      const p = fx(pP), g = fx(pG), ms = fx(pMs), mom = fx(pMom), mg = fx(pMg);
      for (let i = 0; i < n; i++) {
        const gi = F[g + i];
        F[ms + i] = rho * F[ms + i] + (1 - rho) * gi * gi;
        let denom = F[ms + i];
        if (centered && pMg) {
          F[mg + i] = rho * F[mg + i] + (1 - rho) * gi;
          denom -= F[mg + i] * F[mg + i];
        }
        const inc = (lr * gi) / Math.sqrt(denom + eps);
        if (pMom) {
          F[mom + i] = momentum * F[mom + i] + inc;
          F[p + i] -= F[mom + i];
        } else {
          F[p + i] -= inc;
        }
      }
    },
    adam_update(n, lr, beta1, beta2, eps, b1pow, b2pow, weightDecay, pP, pG, pM, pV) {
      const F = mem.F;
      const p = fx(pP), g = fx(pG), m = fx(pM), v = fx(pV);
      const alpha = (lr * Math.sqrt(1 - b2pow)) / (1 - b1pow);
      for (let i = 0; i < n; i++) {
        if (weightDecay !== 0) F[p + i] -= lr * weightDecay * F[p + i];
        const gi = F[g + i];
        F[m + i] += (gi - F[m + i]) * (1 - beta1);
        F[v + i] += (gi * gi - F[v + i]) * (1 - beta2);
        F[p + i] -= (alpha * F[m + i]) / (Math.sqrt(F[v + i]) + eps);
      }
    },
    sum_squares(n, pX) {
      const F = mem.F;
      const x = fx(pX);
      let s = 0;
      for (let i = 0; i < n; i++) s += F[x + i] * F[x + i];
      return s;
    },
    scale_inplace(n, s, pX) {
      const F = mem.F;
      const x = fx(pX);
      for (let i = 0; i < n; i++) F[x + i] *= s;
    },
    clip_inplace(n, lo, hi, pX) {
      const F = mem.F;
      const x = fx(pX);
      // values inside [lo, hi] (and NaN) are left as they are, -0 included
      for (let i = 0; i < n; i++) {
        const v = F[x + i];
        if (v < lo) F[x + i] = lo;
        else if (v > hi) F[x + i] = hi;
      }
    },
  };
}

import type { Kernels } from '../abi.js';
import { type JsMemory, fx, ix } from './memory.js';

/** Keras' epsilon: probabilities are clipped to [EPS, 1 - EPS]. */
export const EPS = 1e-7;

/** [clipped q, whether the clip was active] (the clip's gradient is 0 where active). */
function clipProb(q: number): [number, boolean] {
  if (q < EPS) return [EPS, true];
  if (q > 1 - EPS) return [1 - EPS, true];
  return [q, false];
}

/** [max, Σ exp(z - max)] over F[z .. z+cols). */
function maxExpSum(F: Float64Array, z: number, cols: number): [number, number] {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) m = Math.max(m, F[z + j]);
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(F[z + j] - m);
  return [m, s];
}

/**
 * Losses (see `Kernels.loss_*`): lossOut [rows] per row, grad [rows,cols] = scale·d lossOut[r]/d pred.
 * Written from the definitions; cross-entropies from logits in the log domain.
 */
export function lossKernels(mem: JsMemory): Pick<Kernels, 'loss_binary_crossentropy' | 'loss_categorical_crossentropy' | 'loss_sparse_categorical_crossentropy' | 'loss_mean_squared_error' | 'loss_mean_absolute_error'> {
  /** Mean over cols of term(p - y); grad scale/cols · slope(p - y). */
  const regression = (term: (d: number) => number, slope: (d: number) => number) =>
    (rows: number, cols: number, pPred: number, pTarget: number, scale: number, pLossOut: number, pGrad: number): void => {
      const F = mem.F;
      const pred = fx(pPred), tgt = fx(pTarget), out = fx(pLossOut), grad = fx(pGrad);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) {
          const i = r * cols + j;
          const d = F[pred + i] - F[tgt + i];
          sum += term(d);
          if (pGrad) F[grad + i] = (scale / cols) * slope(d);
        }
        F[out + r] = sum / cols;
      }
    };

  return {
    loss_binary_crossentropy(rows, cols, fromLogits, pPred, pTarget, scale, pLossOut, pGrad) {
      const F = mem.F;
      const pred = fx(pPred), tgt = fx(pTarget), out = fx(pLossOut), grad = fx(pGrad);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) {
          const i = r * cols + j;
          const p = F[pred + i], y = F[tgt + i];
          let l: number, g: number;
          if (fromLogits) {
            const e = Math.exp(-Math.abs(p));
            l = Math.max(p, 0) - p * y + Math.log1p(e);
            g = (p >= 0 ? 1 / (1 + e) : e / (1 + e)) - y;
          } else {
            const [pc, clipped] = clipProb(p);
            l = -(y * Math.log(pc) + (1 - y) * Math.log(1 - pc));
            g = clipped ? 0 : (1 - y) / (1 - pc) - y / pc;
          }
          sum += l;
          if (pGrad) F[grad + i] = (scale / cols) * g;
        }
        F[out + r] = sum / cols;
      }
    },

    loss_categorical_crossentropy(rows, cols, fromLogits, pPred, pTarget, scale, pLossOut, pGrad) {
      const F = mem.F;
      for (let r = 0; r < rows; r++) {
        const pred = fx(pPred) + r * cols, tgt = fx(pTarget) + r * cols, grad = fx(pGrad) + r * cols;
        let loss = 0;
        if (fromLogits) {
          const [m, se] = maxExpSum(F, pred, cols);
          const lse = m + Math.log(se);
          let mass = 0;
          for (let j = 0; j < cols; j++) {
            loss += F[tgt + j] * (m - F[pred + j] + Math.log(se));
            mass += F[tgt + j];
          }
          if (pGrad) for (let j = 0; j < cols; j++) F[grad + j] = scale * (Math.exp(F[pred + j] - lse) * mass - F[tgt + j]);
        } else {
          let s = 0;
          for (let j = 0; j < cols; j++) s += F[pred + j];
          const g = new Float64Array(cols);
          let gq = 0;
          for (let j = 0; j < cols; j++) {
            const y = F[tgt + j];
            const q = F[pred + j] / s;
            const [qc, clipped] = clipProb(q);
            loss -= y * Math.log(qc);
            g[j] = clipped ? 0 : -y / q;
            gq += g[j] * q;
          }
          if (pGrad) for (let j = 0; j < cols; j++) F[grad + j] = (scale * (g[j] - gq)) / s;
        }
        F[fx(pLossOut) + r] = loss;
      }
    },

    loss_sparse_categorical_crossentropy(rows, cols, fromLogits, pPred, pTargetIds, scale, pLossOut, pGrad) {
      const { F, I } = mem;
      for (let r = 0; r < rows; r++) {
        const pred = fx(pPred) + r * cols, grad = fx(pGrad) + r * cols;
        const c = I[ix(pTargetIds) + r];
        if (fromLogits) {
          const [m, se] = maxExpSum(F, pred, cols);
          const lse = m + Math.log(se);
          F[fx(pLossOut) + r] = m - F[pred + c] + Math.log(se);
          if (pGrad) for (let j = 0; j < cols; j++) F[grad + j] = scale * (Math.exp(F[pred + j] - lse) - (j === c ? 1 : 0));
        } else {
          let s = 0;
          for (let j = 0; j < cols; j++) s += F[pred + j];
          const q = F[pred + c] / s;
          const [qc, clipped] = clipProb(q);
          F[fx(pLossOut) + r] = -Math.log(qc);
          // dL/dp_j = (g_j - Σ g·q) / s with g = -1/q at the class only, so Σ g·q = -1
          if (pGrad) for (let j = 0; j < cols; j++) F[grad + j] = clipped ? 0 : (scale * ((j === c ? -1 / q : 0) + 1)) / s;
        }
      }
    },

    loss_mean_squared_error: regression((d) => d * d, (d) => 2 * d),
    loss_mean_absolute_error: regression((d) => Math.abs(d), (d) => (d > 0 ? 1 : d < 0 ? -1 : 0)),
  };
}

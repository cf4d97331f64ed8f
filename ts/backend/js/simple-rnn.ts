import type { Kernels } from '../abi.js';
import { RecurrentFlags } from '../abi.js';
import { type JsMemory, fx } from './memory.js';
import { applyAct, actDeriv } from './activations.js';
import { dxWidth, inputGradient, inputProjection } from './projection.js';

/**
 * SimpleRNN oracle (float64, plain loops, step by step; see `Kernels.simple_rnn_forward`). No cache:
 * the backward takes act' from hs and h(t-1) from hs / h0.
 */
export function simpleRNNKernels(mem: JsMemory): Pick<Kernels, 'simple_rnn_forward' | 'simple_rnn_backward' | 'simple_rnn_cache_floats' | 'simple_rnn_ws_floats'> {
  return {
    simple_rnn_cache_floats: () => 0,
    simple_rnn_ws_floats: () => 0,

    simple_rnn_forward(B, T, I, U, flags, act, pX, pK, pR, pBias, pH0, pMask, pRecMask, pHs, pHT, _pCache, _ws, pIds) {
      const F = mem.F;
      const [x, K, R, bias, h0, mask, rm, hs, hT] = [pX, pK, pR, pBias, pH0, pMask, pRecMask, pHs, pHT].map(fx);
      const back = (flags & RecurrentFlags.goBackwards) !== 0;
      const h = new Float64Array(B * U);
      if (pH0) for (let n = 0; n < B * U; n++) h[n] = F[h0 + n];
      const hNew = new Float64Array(U);
      for (let s = 0; s < T; s++) {
        const t = back ? T - 1 - s : s;
        for (let b = 0; b < B; b++) {
          const out = hs + (b * T + s) * U;
          if (!(pMask && F[mask + b * T + t] === 0)) {
            for (let j = 0; j < U; j++) {
              let a = (pBias ? F[bias + j] : 0) + inputProjection(mem, pK, pIds, x, K, b * T + t, I, U, j);
              for (let k = 0; k < U; k++) a += h[b * U + k] * (pRecMask ? F[rm + b * U + k] : 1) * F[R + k * U + j];
              hNew[j] = applyAct(act, a);
            }
            for (let j = 0; j < U; j++) h[b * U + j] = hNew[j];
          }
          for (let j = 0; j < U; j++) F[out + j] = h[b * U + j];
        }
      }
      if (pHT) for (let n = 0; n < B * U; n++) F[hT + n] = h[n];
    },

    simple_rnn_backward(B, T, I, U, flags, act, pX, pK, pR, pH0, pMask, pRecMask, pHs, _pCache, pDHs, pDHT,
      pDx, pDK, pDR, pDBias, pDH0) {
      const F = mem.F;
      const [x, K, R, h0, mask, rm, hs, dHs, dHT, dx, dK, dR, dBias, dH0] =
        [pX, pK, pR, pH0, pMask, pRecMask, pHs, pDHs, pDHT, pDx, pDK, pDR, pDBias, pDH0].map(fx);
      const back = (flags & RecurrentFlags.goBackwards) !== 0;
      const dh = new Float64Array(B * U);
      if (pDHT) for (let n = 0; n < B * U; n++) dh[n] = F[dHT + n];
      if (pDx) F.fill(0, dx, dx + B * T * dxWidth(pK, I, U));
      const da = new Float64Array(U);
      for (let s = T - 1; s >= 0; s--) {
        const t = back ? T - 1 - s : s;
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < U; j++) if (pDHs) dh[b * U + j] += F[dHs + (b * T + s) * U + j];
          if (pMask && F[mask + b * T + t] === 0) continue; // dh passes straight through
          for (let j = 0; j < U; j++) da[j] = dh[b * U + j] * actDeriv(act, F[hs + (b * T + s) * U + j]);
          if (pDK) for (let i = 0; i < I; i++) for (let j = 0; j < U; j++) F[dK + i * U + j] += F[x + (b * T + t) * I + i] * da[j];
          inputGradient(F, pK, K, pDx, b * T + t, I, U, (j) => da[j]);
          for (let k = 0; k < U; k++) {
            const m = pRecMask ? F[rm + b * U + k] : 1;
            const hp = s === 0 ? (pH0 ? F[h0 + b * U + k] : 0) : F[hs + (b * T + s - 1) * U + k];
            let sk = 0;
            for (let j = 0; j < U; j++) {
              if (pDR) F[dR + k * U + j] += hp * m * da[j];
              sk += da[j] * F[R + k * U + j];
            }
            dh[b * U + k] = sk * m;
          }
          if (pDBias) for (let j = 0; j < U; j++) F[dBias + j] += da[j];
        }
      }
      if (pDH0) for (let n = 0; n < B * U; n++) F[dH0 + n] = dh[n];
    },
  };
}

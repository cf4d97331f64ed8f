import type { Kernels } from '../abi.js';
import { RecurrentFlags } from '../abi.js';
import { type JsMemory, fx } from './memory.js';
import { applyAct, actDeriv } from './activations.js';
import { dxWidth, inputGradient, inputProjection } from './projection.js';

/**
 * GRU oracle (float64, plain loops, step by step; see `Kernels.gru_forward`). Gates z, r, h.
 * Cache [B*T, 4U], rows by (batch, input time): z, r, hh (after activation) and rh (resetAfter:
 * the recurrent h-column term h(t-1)·U_h + b_rh, else 0).
 */
export function gruKernels(mem: JsMemory): Pick<Kernels, 'gru_forward' | 'gru_backward' | 'gru_cache_floats' | 'gru_ws_floats'> {
  return {
    gru_cache_floats: (B, T, _I, U) => B * T * 4 * U,
    gru_ws_floats: () => 0,

    gru_forward(B, T, I, U, flags, act, recAct, pX, pK, pR, pBias, pH0, pMask, pRecMask, pHs, pHT, pCache, _ws, pIds) {
      const F = mem.F;
      const [x, K, R, bias, h0, mask, rm, hs, hT, cache] = [pX, pK, pR, pBias, pH0, pMask, pRecMask, pHs, pHT, pCache].map(fx);
      const back = (flags & RecurrentFlags.goBackwards) !== 0;
      const resetAfter = (flags & RecurrentFlags.resetAfter) !== 0;
      const G = 3 * U;
      const bIn = (c: number) => (pBias ? F[bias + c] : 0);
      const bRec = (c: number) => (pBias && resetAfter ? F[bias + G + c] : 0);
      const h = new Float64Array(B * U);
      if (pH0) for (let n = 0; n < B * U; n++) h[n] = F[h0 + n];
      const hm = new Float64Array(U);
      const xp = new Float64Array(G);
      const rp = new Float64Array(G);
      const hNew = new Float64Array(U);
      for (let s = 0; s < T; s++) {
        const t = back ? T - 1 - s : s;
        for (let b = 0; b < B; b++) {
          const out = hs + (b * T + s) * U;
          if (pMask && F[mask + b * T + t] === 0) {
            for (let j = 0; j < U; j++) F[out + j] = h[b * U + j];
            continue;
          }
          for (let k = 0; k < U; k++) hm[k] = h[b * U + k] * (pRecMask ? F[rm + b * U + k] : 1);
          for (let c = 0; c < G; c++) xp[c] = bIn(c) + inputProjection(mem, pK, pIds, x, K, b * T + t, I, G, c);
          const row = cache + (b * T + t) * 4 * U;
          for (let j = 0; j < 2 * U; j++) {
            let sr = bRec(j);
            for (let k = 0; k < U; k++) sr += hm[k] * F[R + k * G + j];
            F[row + j] = applyAct(recAct, xp[j] + sr);
          }
          // h column: resetAfter applies r to h·U_h + b_rh, otherwise to h before the product
          for (let j = 0; j < U; j++) {
            const c = 2 * U + j;
            let sr = 0;
            if (resetAfter) {
              sr = bRec(c);
              for (let k = 0; k < U; k++) sr += hm[k] * F[R + k * G + c];
              rp[c] = sr;
              sr *= F[row + U + j];
            } else {
              for (let k = 0; k < U; k++) sr += F[row + U + k] * hm[k] * F[R + k * G + c];
            }
            const hh = applyAct(act, xp[c] + sr);
            F[row + c] = hh;
            F[row + 3 * U + j] = resetAfter ? rp[c] : 0;
            const z = F[row + j];
            hNew[j] = z * h[b * U + j] + (1 - z) * hh;
          }
          for (let j = 0; j < U; j++) {
            h[b * U + j] = hNew[j];
            F[out + j] = hNew[j];
          }
        }
      }
      if (pHT) for (let n = 0; n < B * U; n++) F[hT + n] = h[n];
    },

    gru_backward(B, T, I, U, flags, act, recAct, pX, pK, pR, pH0, pMask, pRecMask, pHs, pCache, pDHs, pDHT,
      pDx, pDK, pDR, pDBias, pDH0) {
      const F = mem.F;
      const [x, K, R, h0, mask, rm, hs, cache, dHs, dHT, dx, dK, dR, dBias, dH0] =
        [pX, pK, pR, pH0, pMask, pRecMask, pHs, pCache, pDHs, pDHT, pDx, pDK, pDR, pDBias, pDH0].map(fx);
      const back = (flags & RecurrentFlags.goBackwards) !== 0;
      const resetAfter = (flags & RecurrentFlags.resetAfter) !== 0;
      const G = 3 * U;
      const dh = new Float64Array(B * U);
      if (pDHT) for (let n = 0; n < B * U; n++) dh[n] = F[dHT + n];
      if (pDx) F.fill(0, dx, dx + B * T * dxWidth(pK, I, G));
      const hp = new Float64Array(U);
      const hm = new Float64Array(U);
      const dIn = new Float64Array(G); // gradient of the input-side pre-activations
      const dRec = new Float64Array(G); // gradient of the recurrent products' outputs
      const dPrev = new Float64Array(U);
      for (let s = T - 1; s >= 0; s--) {
        const t = back ? T - 1 - s : s;
        for (let b = 0; b < B; b++) {
          const d = (j: number) => dh[b * U + j] + (pDHs ? F[dHs + (b * T + s) * U + j] : 0);
          if (pMask && F[mask + b * T + t] === 0) {
            for (let j = 0; j < U; j++) dh[b * U + j] = d(j);
            continue;
          }
          for (let k = 0; k < U; k++) {
            hp[k] = s === 0 ? (pH0 ? F[h0 + b * U + k] : 0) : F[hs + (b * T + s - 1) * U + k];
            hm[k] = hp[k] * (pRecMask ? F[rm + b * U + k] : 1);
          }
          const row = cache + (b * T + t) * 4 * U;
          const z = (j: number) => F[row + j];
          const r = (j: number) => F[row + U + j];
          const hh = (j: number) => F[row + 2 * U + j];
          for (let j = 0; j < U; j++) {
            dIn[j] = d(j) * (hp[j] - hh(j)) * actDeriv(recAct, z(j));
            dIn[2 * U + j] = d(j) * (1 - z(j)) * actDeriv(act, hh(j));
            dRec[j] = dIn[j];
            dPrev[j] = d(j) * z(j);
          }
          if (resetAfter) {
            for (let j = 0; j < U; j++) {
              dIn[U + j] = dIn[2 * U + j] * F[row + 3 * U + j] * actDeriv(recAct, r(j));
              dRec[U + j] = dIn[U + j];
              dRec[2 * U + j] = dIn[2 * U + j] * r(j);
            }
            for (let k = 0; k < U; k++) {
              let sk = 0;
              for (let c = 0; c < G; c++) {
                sk += dRec[c] * F[R + k * G + c];
                if (pDR) F[dR + k * G + c] += hm[k] * dRec[c];
              }
              dPrev[k] += sk * (pRecMask ? F[rm + b * U + k] : 1);
            }
          } else {
            // through (r·hm)·U_h: d(r·hm)[k] = Σ_j dah[j]·U_h[k,j]
            for (let k = 0; k < U; k++) {
              let drhm = 0;
              for (let j = 0; j < U; j++) {
                drhm += dIn[2 * U + j] * F[R + k * G + 2 * U + j];
                if (pDR) F[dR + k * G + 2 * U + j] += r(k) * hm[k] * dIn[2 * U + j];
              }
              dIn[U + k] = drhm * hm[k] * actDeriv(recAct, r(k));
              dRec[U + k] = dIn[U + k];
              hp[k] = drhm * r(k); // reused: gradient of hm through the h column
            }
            for (let k = 0; k < U; k++) {
              let sk = hp[k];
              for (let c = 0; c < 2 * U; c++) {
                sk += dRec[c] * F[R + k * G + c];
                if (pDR) F[dR + k * G + c] += hm[k] * dRec[c];
              }
              dPrev[k] += sk * (pRecMask ? F[rm + b * U + k] : 1);
            }
          }
          const xr = x + (b * T + t) * I;
          if (pDK) for (let i = 0; i < I; i++) for (let c = 0; c < G; c++) F[dK + i * G + c] += F[xr + i] * dIn[c];
          inputGradient(F, pK, K, pDx, b * T + t, I, G, (c) => dIn[c]);
          if (pDBias) {
            for (let c = 0; c < G; c++) {
              F[dBias + c] += dIn[c];
              if (resetAfter) F[dBias + G + c] += dRec[c];
            }
          }
          for (let j = 0; j < U; j++) dh[b * U + j] = dPrev[j];
        }
      }
      if (pDH0) for (let n = 0; n < B * U; n++) F[dH0 + n] = dh[n];
    },
  };
}

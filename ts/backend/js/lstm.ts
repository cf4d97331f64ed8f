import type { Kernels } from '../abi.js';
import { RecurrentFlags } from '../abi.js';
import { type JsMemory, fx } from './memory.js';
import { applyAct, actDeriv } from './activations.js';
import { inputGradient, inputProjection } from './projection.js';

/**
 * LSTM oracle (Keras gates i, f, c, o), written plainly in float64: loops over b, t and units.
 * Cache layout (by processing step s): gates [B,T,4U] after activation, then c [B,T,U] (the cell
 * state after the step). Workspace: z [4U] (forward); dh, dc [B,U] and dz [4U] (backward).
 * Step s reads input time t = s, or T-1-s when goBackwards; hs is written at s.
 * Peepholes (peep [3U] = p_i, p_f, p_o, 0: none): z_i += p_i·c(t-1), z_f += p_f·c(t-1), z_o += p_o·c(t).
 */
export function lstmKernels(mem: JsMemory): Pick<Kernels, 'lstm_forward' | 'lstm_backward' | 'lstm_cache_floats' | 'lstm_ws_floats'> {
  const timeOf = (s: number, T: number, flags: number) => (flags & RecurrentFlags.goBackwards ? T - 1 - s : s);

  return {
    lstm_cache_floats: (B, T, _I, U) => B * T * 5 * U,
    lstm_ws_floats: (B, _T, _I, U) => 2 * B * U + 4 * U,

    lstm_forward(B, T, I, U, flags, act, recAct, pX, pK, pR, pBias, pH0, pC0, pMask, pRecMask, pHs, pHT, pCT, pCache, ws, pIds, pPeep) {
      const F = mem.F;
      const G = 4 * U;
      const [x, kern, rec, bias, h0, c0, mask, rm, hs, hT, cT] =
        [pX, pK, pR, pBias, pH0, pC0, pMask, pRecMask, pHs, pHT, pCT].map(fx);
      const gates = fx(pCache);
      const cs = gates + B * T * G;
      const z = fx(ws);
      const peep = fx(pPeep);
      const p = (k: number, u: number) => (pPeep ? F[peep + k * U + u] : 0);
      for (let b = 0; b < B; b++) {
        // Previous state of row b: element u of h_{t-1}, c_{t-1}.
        const hPrev = (s: number, u: number) => (s === 0 ? (pH0 ? F[h0 + b * U + u] : 0) : F[hs + (b * T + s - 1) * U + u]);
        const cPrev = (s: number, u: number) => (s === 0 ? (pC0 ? F[c0 + b * U + u] : 0) : F[cs + (b * T + s - 1) * U + u]);
        for (let s = 0; s < T; s++) {
          const t = timeOf(s, T, flags);
          const hOut = hs + (b * T + s) * U;
          const cOut = cs + (b * T + s) * U;
          if (pMask && F[mask + b * T + t] === 0) {
            for (let u = 0; u < U; u++) {
              F[hOut + u] = hPrev(s, u);
              F[cOut + u] = cPrev(s, u);
            }
            continue;
          }
          for (let j = 0; j < G; j++) {
            let v = (pBias ? F[bias + j] : 0) + inputProjection(mem, pK, pIds, x, kern, b * T + t, I, G, j);
            for (let k = 0; k < U; k++) v += hPrev(s, k) * (pRecMask ? F[rm + b * U + k] : 1) * F[rec + k * G + j];
            F[z + j] = v;
          }
          const gRow = gates + (b * T + s) * G;
          for (let u = 0; u < U; u++) {
            const i = applyAct(recAct, F[z + u] + p(0, u) * cPrev(s, u));
            const f = applyAct(recAct, F[z + U + u] + p(1, u) * cPrev(s, u));
            const g = applyAct(act, F[z + 2 * U + u]);
            const c = f * cPrev(s, u) + i * g;
            const o = applyAct(recAct, F[z + 3 * U + u] + p(2, u) * c);
            F[gRow + u] = i;
            F[gRow + U + u] = f;
            F[gRow + 2 * U + u] = g;
            F[gRow + 3 * U + u] = o;
            F[cOut + u] = c;
            F[hOut + u] = o * applyAct(act, c);
          }
        }
        for (let u = 0; u < U; u++) {
          F[hT + b * U + u] = T > 0 ? F[hs + (b * T + T - 1) * U + u] : hPrev(0, u);
          if (pCT) F[cT + b * U + u] = T > 0 ? F[cs + (b * T + T - 1) * U + u] : cPrev(0, u);
        }
      }
    },

    lstm_backward(B, T, I, U, flags, act, recAct, pX, pK, pR, pH0, pC0, pMask, pRecMask, pHs, pCache,
      pDHs, pDHT, pDCT, pDx, pDK, pDR, pDBias, pDH0, pDC0, ws, pPeep, pDPeep) {
      const F = mem.F;
      const G = 4 * U;
      const [x, kern, rec, h0, c0, mask, rm, hs] = [pX, pK, pR, pH0, pC0, pMask, pRecMask, pHs].map(fx);
      const [dHs, dHT, dCT, dK, dR, dBias, dH0, dC0] = [pDHs, pDHT, pDCT, pDK, pDR, pDBias, pDH0, pDC0].map(fx);
      const gates = fx(pCache);
      const cs = gates + B * T * G;
      const dh = fx(ws);
      const dc = dh + B * U;
      const dz = dc + B * U;
      const [peep, dPeep] = [pPeep, pDPeep].map(fx);
      const p = (k: number, u: number) => (pPeep ? F[peep + k * U + u] : 0);
      for (let b = 0; b < B; b++) {
        const hPrev = (s: number, u: number) => (s === 0 ? (pH0 ? F[h0 + b * U + u] : 0) : F[hs + (b * T + s - 1) * U + u]);
        const cPrev = (s: number, u: number) => (s === 0 ? (pC0 ? F[c0 + b * U + u] : 0) : F[cs + (b * T + s - 1) * U + u]);
        for (let u = 0; u < U; u++) {
          F[dh + b * U + u] = pDHT ? F[dHT + b * U + u] : 0;
          F[dc + b * U + u] = pDCT ? F[dCT + b * U + u] : 0;
        }
        for (let s = T - 1; s >= 0; s--) {
          const t = timeOf(s, T, flags);
          // dh: gradient of h after step s (from later steps, hT, and this step's output hs).
          for (let u = 0; u < U; u++) if (pDHs) F[dh + b * U + u] += F[dHs + (b * T + s) * U + u];
          if (pMask && F[mask + b * T + t] === 0) {
            inputGradient(F, pK, kern, pDx, b * T + t, I, G, () => 0);
            continue; // identity step: dh and dc pass through
          }
          const gRow = gates + (b * T + s) * G;
          for (let u = 0; u < U; u++) {
            const i = F[gRow + u];
            const f = F[gRow + U + u];
            const g = F[gRow + 2 * U + u];
            const o = F[gRow + 3 * U + u];
            const ac = applyAct(act, F[cs + (b * T + s) * U + u]);
            const dhv = F[dh + b * U + u];
            const dzo = dhv * ac * actDeriv(recAct, o);
            // c(t) also enters z_o through p_o; c(t-1) enters z_i, z_f through p_i, p_f
            const dcs = F[dc + b * U + u] + dhv * o * actDeriv(act, ac) + dzo * p(2, u);
            const dzi = dcs * g * actDeriv(recAct, i);
            const dzf = dcs * cPrev(s, u) * actDeriv(recAct, f);
            F[dz + u] = dzi;
            F[dz + U + u] = dzf;
            F[dz + 2 * U + u] = dcs * i * actDeriv(act, g);
            F[dz + 3 * U + u] = dzo;
            F[dc + b * U + u] = dcs * f + dzi * p(0, u) + dzf * p(1, u);
            if (pPeep && pDPeep) {
              F[dPeep + u] += dzi * cPrev(s, u);
              F[dPeep + U + u] += dzf * cPrev(s, u);
              F[dPeep + 2 * U + u] += dzo * F[cs + (b * T + s) * U + u];
            }
          }
          for (let j = 0; j < G; j++) {
            const d = F[dz + j];
            if (pDBias) F[dBias + j] += d;
            if (pDK) for (let k = 0; k < I; k++) F[dK + k * G + j] += F[x + (b * T + t) * I + k] * d;
            if (pDR) for (let k = 0; k < U; k++) F[dR + k * G + j] += hPrev(s, k) * (pRecMask ? F[rm + b * U + k] : 1) * d;
          }
          inputGradient(F, pK, kern, pDx, b * T + t, I, G, (j) => F[dz + j]);
          for (let k = 0; k < U; k++) {
            let v = 0;
            for (let j = 0; j < G; j++) v += F[dz + j] * F[rec + k * G + j];
            F[dh + b * U + k] = v * (pRecMask ? F[rm + b * U + k] : 1);
          }
        }
        for (let u = 0; u < U; u++) {
          if (pDH0) F[dH0 + b * U + u] = F[dh + b * U + u];
          if (pDC0) F[dC0 + b * U + u] = F[dc + b * U + u];
        }
      }
    },
  };
}

import { fx, ix, type JsMemory } from './memory.js';

/**
 * Column j of the input projection of sequence row r (= b*T + t) in a recurrent forward kernel:
 * x[r] · kernel[:, j] with x [B*T, I] and kernel [I, G]. A kernel pointer of 0 means x already
 * holds the projections: rows [B*T, G], or with ids [B*T] (i32) a table [V, G] read at row ids[r].
 * `x`, `K` are float indices of the buffers.
 */
export function inputProjection(mem: JsMemory, pK: number, pIds: number, x: number, K: number, r: number, I: number, G: number, j: number): number {
  const F = mem.F;
  if (!pK) return F[x + (pIds ? mem.I[ix(pIds) + r] : r) * G + j];
  let v = 0;
  for (let i = 0; i < I; i++) v += F[x + r * I + i] * F[K + i * G + j];
  return v;
}

/**
 * Writes the input gradient of sequence row r from the gradient d(j) of its projection [G]:
 * dx[r] = d · kernel^T [I], or with projected inputs (kernel pointer 0) d itself [G].
 */
export function inputGradient(F: Float64Array, pK: number, K: number, pDx: number, r: number, I: number, G: number, d: (j: number) => number): void {
  if (!pDx) return;
  const dx = fx(pDx);
  if (!pK) {
    for (let j = 0; j < G; j++) F[dx + r * G + j] = d(j);
    return;
  }
  for (let i = 0; i < I; i++) {
    let v = 0;
    for (let j = 0; j < G; j++) v += d(j) * F[K + i * G + j];
    F[dx + r * I + i] = v;
  }
}

/** Floats per row of a recurrent backward's dx: I, or G with projected inputs (kernel pointer 0). */
export const dxWidth = (pK: number, I: number, G: number): number => (pK ? I : G);

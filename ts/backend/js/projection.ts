/**
 * Column j of the input projection of sequence row r (= b*T + t) in a recurrent forward kernel:
 * x[r] · kernel[:, j] with x [B*T, I] and kernel [I, G]. A kernel pointer of 0 means x already
 * holds the projections, x [B*T, G] (the inference path of an embedding folded into the kernel).
 * `x`, `K` are float indices of the buffers.
 */
export function inputProjection(F: Float64Array, pK: number, x: number, K: number, r: number, I: number, G: number, j: number): number {
  if (!pK) return F[x + r * G + j];
  let v = 0;
  for (let i = 0; i < I; i++) v += F[x + r * I + i] * F[K + i * G + j];
  return v;
}

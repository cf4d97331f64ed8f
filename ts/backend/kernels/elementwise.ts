import type { KernelsOf } from './family.js';

export const ELEMENTWISE_EXPORTS = ['bias_add', 'bias_grad', 'mul', 'add', 'axpy', 'fill', 'count_non_finite'] as const;
type Raw = KernelsOf<typeof ELEMENTWISE_EXPORTS>;

/** x [rows, cols] += bias [cols] in place. */
export function biasAdd(k: Raw, a: { rows: number; cols: number; x: number; bias: number }): void {
  k.bias_add(a.rows, a.cols, a.x, a.bias);
}

/** dBias [cols] += Σ_rows dy [rows, cols]. */
export function biasGrad(k: Raw, a: { rows: number; cols: number; dy: number; dBias: number }): void {
  k.bias_grad(a.rows, a.cols, a.dy, a.dBias);
}

/** out = a ⊙ b over n floats; out may be a or b. */
export function mul(k: Raw, a: { n: number; a: number; b: number; out: number }): void {
  k.mul(a.n, a.a, a.b, a.out);
}

/** out = a + b over n floats; out may be a or b. */
export function add(k: Raw, a: { n: number; a: number; b: number; out: number }): void {
  k.add(a.n, a.a, a.b, a.out);
}

/** y += alpha·x over n floats. */
export function axpy(k: Raw, a: { n: number; alpha: number; x: number; y: number }): void {
  k.axpy(a.n, a.alpha, a.x, a.y);
}

/** x = value over n floats. */
export function fill(k: Raw, a: { n: number; value: number; x: number }): void {
  k.fill(a.n, a.value, a.x);
}

/** How many of n floats are NaN or ±Inf. */
export function countNonFinite(k: Raw, a: { n: number; x: number }): number {
  return k.count_non_finite(a.n, a.x);
}

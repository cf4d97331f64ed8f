import { bit, ptr, type KernelsOf } from './family.js';

export const OPTIM_EXPORTS = ['sgd_update', 'rmsprop_update', 'adam_update', 'sum_squares', 'scale_inplace', 'clip_inplace'] as const;
type Raw = KernelsOf<typeof OPTIM_EXPORTS>;

/** n params p, gradients g and the optimizer's slots (each n floats). */
interface Update {
  n: number;
  lr: number;
  params: number;
  grads: number;
}

/** Keras SGD: v = momentum·v - lr·g; p += v (nesterov: p += momentum·v - lr·g). velocity absent when momentum is 0. */
export function sgdUpdate(k: Raw, a: Update & { momentum: number; nesterov: boolean; velocity?: number }): void {
  k.sgd_update(a.n, a.lr, a.momentum, bit(a.nesterov), a.params, a.grads, ptr(a.velocity));
}

/** Keras RMSprop; `momentumSlot` absent without momentum, `meanGrad` absent unless centered. */
export function rmspropUpdate(k: Raw, a: Update & {
  rho: number; momentum: number; epsilon: number; centered: boolean; meanSquare: number; momentumSlot?: number; meanGrad?: number;
}): void {
  k.rmsprop_update(a.n, a.lr, a.rho, a.momentum, a.epsilon, bit(a.centered), a.params, a.grads, a.meanSquare, ptr(a.momentumSlot), ptr(a.meanGrad));
}

/** Keras Adam / AdamW at step t (already counted): beta1Power = beta1^t, beta2Power = beta2^t. */
export function adamUpdate(k: Raw, a: Update & {
  beta1: number; beta2: number; epsilon: number; beta1Power: number; beta2Power: number; weightDecay: number; m: number; v: number;
}): void {
  k.adam_update(a.n, a.lr, a.beta1, a.beta2, a.epsilon, a.beta1Power, a.beta2Power, a.weightDecay, a.params, a.grads, a.m, a.v);
}

/** Σ x² over n floats, accumulated in f64. */
export function sumSquares(k: Raw, a: { n: number; x: number }): number {
  return k.sum_squares(a.n, a.x);
}

/** x *= scale over n floats. */
export function scaleInPlace(k: Raw, a: { n: number; scale: number; x: number }): void {
  k.scale_inplace(a.n, a.scale, a.x);
}

/** x = clamp(x, lo, hi) over n floats. */
export function clipInPlace(k: Raw, a: { n: number; lo: number; hi: number; x: number }): void {
  k.clip_inplace(a.n, a.lo, a.hi, a.x);
}

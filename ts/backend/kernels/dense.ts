import { activationCode, type ActivationName } from './activations.js';
import { ptr, type KernelsOf } from './family.js';

export const DENSE_EXPORTS = ['dense_forward', 'dense_backward', 'dense_ws_floats'] as const;
type Raw = KernelsOf<typeof DENSE_EXPORTS>;

/** N rows, In inputs, Out units. */
export interface DenseDims {
  N: number;
  In: number;
  Out: number;
}

/** y [N, Out] = act(x [N, In] · kernel [In, Out] + bias [Out]) (bias absent: none; softmax per row). */
export function denseForward(k: Raw, a: DenseDims & { activation: ActivationName; x: number; kernel: number; bias?: number; y: number; ws: number }): void {
  k.dense_forward(a.N, a.In, a.Out, activationCode(a.activation), a.x, a.kernel, ptr(a.bias), a.y, a.ws);
}

/** From y and dy [N, Out]: overwrites dx [N, In] (absent: skip); accumulates dKernel [In, Out], dBias [Out] (absent: skip). */
export function denseBackward(k: Raw, a: DenseDims & {
  activation: ActivationName; x: number; kernel: number; y: number; dy: number;
  dx?: number; dKernel?: number; dBias?: number; ws: number;
}): void {
  k.dense_backward(a.N, a.In, a.Out, activationCode(a.activation), a.x, a.kernel, a.y, a.dy, ptr(a.dx), ptr(a.dKernel), ptr(a.dBias), a.ws);
}

export function denseWsFloats(k: Raw, { N, In, Out }: DenseDims): number {
  return k.dense_ws_floats(N, In, Out);
}

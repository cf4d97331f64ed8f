import { LwError } from '../../errors.js';
import { ActivationCode } from '../abi.js';
import type { KernelsOf } from './family.js';

export type ActivationName = keyof typeof ActivationCode;

/** Where an activation is used: softmax normalises a row, so a recurrent cell cannot use it. */
export type ActivationUse = 'any' | 'recurrent';

/**
 * Resolves an activation by TF.js or Keras name ('hardSigmoid' or 'hard_sigmoid'; null/undefined
 * = linear). 'hard_sigmoid' is TF.js' and Keras 2's; Keras 3's is 'hardSigmoidKeras3'
 * (`kerasActivationName` in layers/activation-names.ts maps a Keras file's name by its version).
 * Unknown names are BAD_ARGUMENT; softmax in a recurrent cell is UNSUPPORTED.
 * `where` names the caller in the message ('layer "lstm"', 'lstmForward').
 */
export function resolveActivation(name: string | null | undefined, where: string, use: ActivationUse = 'any'): ActivationName {
  const n = (name ?? 'linear').replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  const names = Object.keys(ActivationCode).filter((k) => use === 'any' || k !== 'softmax');
  if (!(n in ActivationCode)) {
    throw new LwError('BAD_ARGUMENT', `${where}: unknown activation "${name}"; use ${names.join(', ')}`);
  }
  if (use === 'recurrent' && n === 'softmax') {
    throw new LwError('UNSUPPORTED', `${where}: activation "${name}" is not supported in recurrent cells; use ${names.join(', ')}`);
  }
  return n as ActivationName;
}

/** The code of a resolved name (a plain lookup on the hot path; a wrong name throws as above). */
export function activationCode(name: ActivationName, use: ActivationUse = 'any'): number {
  const code = ActivationCode[name];
  if (code === undefined || (use === 'recurrent' && name === 'softmax')) resolveActivation(name, 'kernel call', use);
  return code;
}

export const ACTIVATION_EXPORTS = ['activation_forward', 'activation_backward'] as const;
type Raw = KernelsOf<typeof ACTIVATION_EXPORTS>;

/** y [rows, cols] = act(x) (softmax per row); y may be x. */
export function activationForward(k: Raw, a: { rows: number; cols: number; activation: ActivationName; x: number; y: number }): void {
  k.activation_forward(a.rows, a.cols, activationCode(a.activation), a.x, a.y);
}

/** dx [rows, cols] = dy · act'(x) from y = act(x) (softmax: y·(dy - Σ dy·y) per row); dx may be dy. */
export function activationBackward(k: Raw, a: { rows: number; cols: number; activation: ActivationName; y: number; dy: number; dx: number }): void {
  k.activation_backward(a.rows, a.cols, activationCode(a.activation), a.y, a.dy, a.dx);
}

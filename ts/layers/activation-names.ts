import { Act, type ActivationName } from '../backend/abi.js';
import { LwError } from '../errors.js';

/** Keras names (snake_case) of the activations, for model.json. */
export const KERAS_ACTIVATION: Record<ActivationName, string> = {
  linear: 'linear', relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', hardSigmoid: 'hard_sigmoid', softmax: 'softmax',
};

/** Resolves an activation by TF.js or Keras name ('hardSigmoid' or 'hard_sigmoid'; null/undefined = linear). */
export function activationCode(name: string | null | undefined, where: string, allowSoftmax = true): { name: ActivationName; code: number } {
  const n = (name ?? 'linear').replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) as ActivationName;
  const code = (Act as Record<string, number>)[n];
  if (code === undefined || (!allowSoftmax && n === 'softmax')) {
    const names = Object.keys(Act).filter((k) => allowSoftmax || k !== 'softmax');
    throw new LwError('UNSUPPORTED', `${where}: activation "${name}" is not supported; use ${names.join(', ')}`);
  }
  return { name: n, code };
}

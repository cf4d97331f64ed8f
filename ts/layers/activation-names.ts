import { LwError } from '../errors.js';
import { resolveActivation, type ActivationName } from '../backend/kernels/index.js';

/**
 * Keras names (snake_case) of the activations, for model.json. `hard_sigmoid_keras3` is ours: in
 * files we write, `hard_sigmoid` always means TF.js' (and Keras 2's) formula.
 */
export const KERAS_ACTIVATION: Record<ActivationName, string> = {
  linear: 'linear', relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', hardSigmoid: 'hard_sigmoid', softmax: 'softmax',
  hardSigmoidKeras3: 'hard_sigmoid_keras3',
};

/**
 * Our activation for an activation name in a file written by Keras `kerasMajorVersion` (1, 2, 3...).
 * Only `hard_sigmoid` depends on it: Keras 3 defines it as relu6(x + 3)/6 (`hardSigmoidKeras3`),
 * Keras 1 and 2 (and TF.js) as clamp(0.2x + 0.5, 0, 1) (`hardSigmoid`). Unknown names: BAD_ARGUMENT.
 */
export function kerasActivationName(name: string, kerasMajorVersion: number): ActivationName {
  if (!Number.isInteger(kerasMajorVersion) || kerasMajorVersion < 1) {
    throw new LwError('BAD_ARGUMENT', `kerasActivationName: kerasMajorVersion must be a whole number >= 1, got ${kerasMajorVersion}`);
  }
  const ours = resolveActivation(name, `Keras ${kerasMajorVersion} activation`);
  return ours === 'hardSigmoid' && kerasMajorVersion >= 3 ? 'hardSigmoidKeras3' : ours;
}

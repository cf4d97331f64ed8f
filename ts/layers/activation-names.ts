import type { ActivationName } from '../backend/kernels/index.js';

/** Keras names (snake_case) of the activations, for model.json. */
export const KERAS_ACTIVATION: Record<ActivationName, string> = {
  linear: 'linear', relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid', hardSigmoid: 'hard_sigmoid', softmax: 'softmax',
};

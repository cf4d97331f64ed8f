import { activationBackward, activationForward, type ActivationName } from '../backend/kernels/index.js';
import type { StepTensor } from './step-tensor.js';
import type { Tape } from './tape.js';

/** The elementwise activations of the kernels (softmax normalises rows, so it is not among them). */
export type ElementwiseActivation = Exclude<ActivationName, 'softmax' | 'linear'>;

/** y = act(x) elementwise with the activation kernels; the backward reads y (act' from the output). */
export function activation(tape: Tape, act: ElementwiseActivation, x: StepTensor): StepTensor {
  const y = tape.result(x.shape, [x]);
  const k = tape.backend.kernels;
  // One row: the activations are elementwise, so any [rows, cols] of the same size gives the same values.
  activationForward(k, { rows: 1, cols: x.size, activation: act, x: x.ptr, y: y.ptr });
  tape.record(y, (dy) => {
    if (!x.requiresGrad) return;
    const dx = tape.alloc(x.size);
    activationBackward(k, { rows: 1, cols: x.size, activation: act, y: y.ptr, dy, dx });
    tape.addOwned(x, dx);
  });
  return y;
}

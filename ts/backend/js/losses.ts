import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function lossKernels(_mem: JsMemory): Pick<Kernels, 'loss_binary_crossentropy' | 'loss_categorical_crossentropy' | 'loss_sparse_categorical_crossentropy' | 'loss_mean_squared_error' | 'loss_mean_absolute_error'> {
  const todo = (): never => { throw new Error('losses: not implemented'); };
  return {
    loss_binary_crossentropy: todo,
    loss_categorical_crossentropy: todo,
    loss_sparse_categorical_crossentropy: todo,
    loss_mean_squared_error: todo,
    loss_mean_absolute_error: todo,
  };
}

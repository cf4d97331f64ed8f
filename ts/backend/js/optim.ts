import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function optimKernels(_mem: JsMemory): Pick<Kernels, 'sgd_update' | 'rmsprop_update' | 'adam_update' | 'sum_squares' | 'scale_inplace' | 'clip_inplace'> {
  const todo = (): never => { throw new Error('optim: not implemented'); };
  return {
    sgd_update: todo,
    rmsprop_update: todo,
    adam_update: todo,
    sum_squares: todo,
    scale_inplace: todo,
    clip_inplace: todo,
  };
}

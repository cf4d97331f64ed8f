import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function denseKernels(_mem: JsMemory): Pick<Kernels, 'dense_forward' | 'dense_backward' | 'dense_ws_floats'> {
  const todo = (): never => { throw new Error('dense: not implemented'); };
  return {
    dense_forward: todo,
    dense_backward: todo,
    dense_ws_floats: todo,
  };
}

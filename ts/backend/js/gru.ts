import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function gruKernels(_mem: JsMemory): Pick<Kernels, 'gru_forward' | 'gru_backward' | 'gru_cache_floats' | 'gru_ws_floats'> {
  const todo = (): never => { throw new Error('gru: not implemented'); };
  return {
    gru_forward: todo,
    gru_backward: todo,
    gru_cache_floats: todo,
    gru_ws_floats: todo,
  };
}

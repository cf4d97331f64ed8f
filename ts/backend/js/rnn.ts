import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function rnnKernels(_mem: JsMemory): Pick<Kernels, 'rnn_forward' | 'rnn_backward' | 'rnn_cache_floats' | 'rnn_ws_floats'> {
  const todo = (): never => { throw new Error('rnn: not implemented'); };
  return {
    rnn_forward: todo,
    rnn_backward: todo,
    rnn_cache_floats: todo,
    rnn_ws_floats: todo,
  };
}

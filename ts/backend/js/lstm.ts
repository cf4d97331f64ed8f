import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function lstmKernels(_mem: JsMemory): Pick<Kernels, 'lstm_forward' | 'lstm_backward' | 'lstm_cache_floats' | 'lstm_ws_floats'> {
  const todo = (): never => { throw new Error('lstm: not implemented'); };
  return {
    lstm_forward: todo,
    lstm_backward: todo,
    lstm_cache_floats: todo,
    lstm_ws_floats: todo,
  };
}

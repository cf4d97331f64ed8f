import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function embeddingKernels(_mem: JsMemory): Pick<Kernels, 'embedding_forward' | 'embedding_backward'> {
  const todo = (): never => { throw new Error('embedding: not implemented'); };
  return {
    embedding_forward: todo,
    embedding_backward: todo,
  };
}

import type { Kernels } from '../abi.js';
import type { JsMemory } from './memory.js';

// TODO(stub): implemented by the kernel family's owner.
export function elementwiseKernels(_mem: JsMemory): Pick<Kernels, 'activation_forward' | 'activation_backward' | 'bias_add' | 'bias_grad' | 'mul' | 'add' | 'axpy' | 'fill' | 'count_non_finite'> {
  const todo = (): never => { throw new Error('elementwise: not implemented'); };
  return {
    activation_forward: todo,
    activation_backward: todo,
    bias_add: todo,
    bias_grad: todo,
    mul: todo,
    add: todo,
    axpy: todo,
    fill: todo,
    count_non_finite: todo,
  };
}

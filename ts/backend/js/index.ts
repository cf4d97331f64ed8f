import type { Kernels } from '../abi.js';
import { Backend } from '../backend.js';
import { JsMemory } from './memory.js';
import { gemmKernels } from './gemm.js';
import { lstmKernels } from './lstm.js';
import { gruKernels } from './gru.js';
import { simpleRNNKernels } from './simple-rnn.js';
import { denseKernels } from './dense.js';
import { embeddingKernels } from './embedding.js';
import { lossKernels } from './losses.js';
import { optimKernels } from './optim.js';
import { elementwiseKernels } from './elementwise.js';

const INITIAL_BYTES = 1 << 20;

/** The pure-JS backend: float64 arithmetic, written plainly. The test oracle and the JS baseline. */
export function createJsBackend(): Backend {
  const mem = new JsMemory(INITIAL_BYTES);
  const kernels: Kernels = {
    ...gemmKernels(mem),
    ...lstmKernels(mem),
    ...gruKernels(mem),
    ...simpleRNNKernels(mem),
    ...denseKernels(mem),
    ...embeddingKernels(mem),
    ...lossKernels(mem),
    ...optimKernels(mem),
    ...elementwiseKernels(mem),
  };
  // Address 0 stays unused so that 0 can mean "absent".
  return new Backend('js', 8, kernels, mem, 64);
}

import type { Kernels } from '../abi.js';
import { type JsMemory, fx, ix } from './memory.js';

/** Embedding: out [N,D] = table [V,D][ids]; backward scatter-adds dOut into dTable. */
export function embeddingKernels(mem: JsMemory): Pick<Kernels, 'embedding_forward' | 'embedding_backward'> {
  return {
    embedding_forward(N, D, pIds, pTable, pOut) {
      const { F, I } = mem;
      const ids = ix(pIds), table = fx(pTable), out = fx(pOut);
      for (let r = 0; r < N; r++) {
        const src = table + I[ids + r] * D;
        for (let j = 0; j < D; j++) F[out + r * D + j] = F[src + j];
      }
    },
    embedding_backward(N, D, pIds, pDOut, pDTable) {
      const { F, I } = mem;
      const ids = ix(pIds), dOut = fx(pDOut), dTable = fx(pDTable);
      for (let r = 0; r < N; r++) {
        const dst = dTable + I[ids + r] * D;
        for (let j = 0; j < D; j++) F[dst + j] += F[dOut + r * D + j];
      }
    },
  };
}

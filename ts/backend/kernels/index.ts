/**
 * The typed call layer over the raw kernel ABI (`../abi.ts`): one binding per kernel family, each
 * taking the raw `Kernels` and one named-argument object (pointers 0 or absent = none). Layers,
 * lw.ops, tests and benches call kernels only through these.
 */
import type { KernelName } from './family.js';
import { ACTIVATION_EXPORTS } from './activations.js';
import { DENSE_EXPORTS } from './dense.js';
import { ELEMENTWISE_EXPORTS } from './elementwise.js';
import { EMBEDDING_EXPORTS } from './embedding.js';
import { GEMM_EXPORTS } from './gemm.js';
import { LOSS_EXPORTS } from './losses.js';
import { OPTIM_EXPORTS } from './optim.js';
import { RECURRENT_EXPORTS } from './recurrent.js';

export * from './activations.js';
export * from './dense.js';
export * from './elementwise.js';
export * from './embedding.js';
export * from './gemm.js';
export * from './losses.js';
export * from './optim.js';
export * from './recurrent.js';
export type { KernelName, KernelsOf } from './family.js';

/** Every export the wasm module must have: what the bindings call. */
export const KERNEL_EXPORTS = [
  ...GEMM_EXPORTS, ...RECURRENT_EXPORTS, ...DENSE_EXPORTS, ...EMBEDDING_EXPORTS, ...LOSS_EXPORTS,
  ...OPTIM_EXPORTS, ...ACTIVATION_EXPORTS, ...ELEMENTWISE_EXPORTS,
] as const;

// Every kernel of the ABI is listed by a family (the JS oracle implements exactly the ABI).
type Unbound = Exclude<KernelName, (typeof KERNEL_EXPORTS)[number]>;
const everyKernelBound: [Unbound] extends [never] ? true : Unbound = true;
void everyKernelBound;

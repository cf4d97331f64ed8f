/**
 * `lstm-wasm/kernels`: what lies under `lw.*`, for writing layers of your own, checking kernels or
 * benchmarking them. A backend is one memory with a heap and the kernels over it (wasm with SIMD,
 * wasm without, or the float64 JavaScript oracle); the kernels are reached through typed bindings
 * taking one named-argument object (`../docs/architecture.md`, "Kernels and backends").
 *
 *   import { createBackend, gemm, gemmWsFloats } from 'lstm-wasm/kernels';
 *
 * Building, training and running models needs none of this: that is `lstm-wasm` itself.
 */
export { Backend, Scope, type BackendName, type BackendMemory, type FloatArray } from './backend/backend.js';
export { ActivationCode, KERNELS_ABI_VERSION, RecurrentFlags, type Kernels } from './backend/abi.js';
export * from './backend/kernels/index.js';
export { createBackend, currentBackend, type ReadyOptions } from './runtime/ready.js';
export { poolOf, type ThreadPool } from './backend/wasm/threads.js';

/**
 * lstm-wasm: recurrent sequence models (LSTM, GRU, SimpleRNN) with WebAssembly SIMD kernels.
 * Backends, the kernel ABI and its bindings are in the subpath `lstm-wasm/kernels` (./kernels.ts).
 */
export { ready, getBackend, getThreads, type ReadyOptions } from './runtime/ready.js';
export { Tensor, tensor, type DType, type TensorLike, type NestedArray } from './tensor.js';
export { LwError, type LwErrorCode } from './errors.js';
export type { BackendName } from './backend/backend.js';
export type { ActivationName } from './backend/kernels/index.js';
export { hasSimd, hasSharedMemory } from './runtime/features.js';
export * as ops from './ops/index.js';
export * as layers from './layers/index.js';
export { input } from './layers/input.js';
export { sequential, Sequential } from './model/sequential.js';
export { model, LayersModel, type CompileArgs } from './model/model.js';
export type { FitArgs, History } from './model/fit.js';
export type { ModelData, DataLike, ShapedArray } from './model/data.js';
export * as train from './optim/index.js';
export * as callbacks from './callbacks/index.js';
export { setSeed, Random } from './random.js';
export * as data from './data/index.js';
export { loadModel } from './model/load-model.js';
export type { OnnxLoadOptions } from './model/load-onnx.js';
export * as export from './model/onnx/index.js';
export { setOnnxProtobuf } from './io/onnx/proto.js';
export { setKerasParsers } from './io/keras/parsers.js';
export { registerLayer } from './layers/registry.js';
export type { ModelArtifacts, SaveOptions } from './io/artifacts.js';
export type { SaveResult } from './io/save.js';
export type { ModelSource } from './io/read-artifacts.js';
export * as report from './report/index.js';
export * as selection from './selection/index.js';
export * as text from './text/index.js';

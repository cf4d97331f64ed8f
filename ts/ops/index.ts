/**
 * `lw.ops`: the kernels over tensors in JS memory. Each call copies its inputs into the current
 * backend, runs one kernel, and copies the results out — the same kernels the layers use on
 * resident buffers, for users who compose their own models or check gradients. matMul, add, sub,
 * mul, sigmoid, tanh, relu, hardSigmoid, concat, split and slice are the ops recurrent cells are
 * written with (lw.layers.rnn), here on tensors.
 */
export { gemm, type GemmOptions } from './gemm.js';
export {
  recurrentForward, recurrentBackward, lstmForward, lstmBackward, gruForward, gruBackward,
  simpleRNNForward, simpleRNNBackward,
  type CellKind, type RecurrentOpArgs, type RecurrentForward, type RecurrentGrads,
} from './recurrent.js';
export { denseForward, denseBackward, activationForward, embeddingLookup, embeddingBackward, type DenseOpArgs } from './dense.js';
export { loss, type LossName, type LossResult } from './losses.js';
export { matMul, add, sub, mul, sigmoid, tanh, relu, hardSigmoid, concat, split, slice } from './step-ops.js';

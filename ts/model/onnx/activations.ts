// Activations as ONNX: a node after a layer (Dense, Activation), or the names and parameters a
// recurrent operator takes in its `activations` list.
import { LwError } from '../../errors.js';
import type { OnnxGraphBuilder } from './graph-builder.js';

/** Keras names (as getConfig writes them) → ONNX: operator and HardSigmoid's alpha/beta. */
const ONNX_ACTIVATION: Record<string, { op: string; alpha?: number; beta?: number } | null> = {
  linear: null,
  relu: { op: 'Relu' },
  tanh: { op: 'Tanh' },
  sigmoid: { op: 'Sigmoid' },
  softmax: { op: 'Softmax' },
  hard_sigmoid: { op: 'HardSigmoid', alpha: 0.2, beta: 0.5 }, // TF.js, Keras 2: clamp(0.2x + 0.5, 0, 1)
  hard_sigmoid_keras3: { op: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 }, // relu6(x + 3) / 6
};

function lookup(kerasName: string, where: string) {
  if (!(kerasName in ONNX_ACTIVATION)) throw new LwError('UNSUPPORTED', `${where}: activation "${kerasName}" has no ONNX export`, { activation: kerasName });
  return ONNX_ACTIVATION[kerasName];
}

/** `x` through the activation (softmax over the last axis); linear returns x itself. */
export function applyActivation(g: OnnxGraphBuilder, x: string, kerasName: string, where: string, base: string): string {
  const a = lookup(kerasName, where);
  if (!a) return x;
  if (a.op === 'Softmax') return g.op('Softmax', [x], { axis: -1 }, base);
  if (a.op === 'HardSigmoid') return g.op('HardSigmoid', [x], { alpha: { f: a.alpha! }, beta: { f: a.beta! } }, base);
  return g.op(a.op, [x], {}, base);
}

/** One recurrent activation: its ONNX name, and alpha/beta when it takes them. */
export interface RecurrentActivation {
  name: string;
  alpha?: number;
  beta?: number;
}

/** The ONNX recurrent activation for a Keras name (linear is Affine 1·x + 0; softmax has none). */
export function recurrentActivation(kerasName: string, where: string): RecurrentActivation {
  const a = lookup(kerasName, where);
  if (!a) return { name: 'Affine', alpha: 1, beta: 0 };
  if (a.op === 'Softmax') throw new LwError('UNSUPPORTED', `${where}: softmax inside a recurrent cell has no ONNX recurrent activation`, { activation: kerasName });
  return { name: a.op, alpha: a.alpha, beta: a.beta };
}

/** The attributes for a list of recurrent activations: alpha/beta are given in list order for those that take them. */
export function activationAttrs(list: RecurrentActivation[]) {
  const withParams = list.filter((a) => a.alpha !== undefined);
  return {
    activations: { strings: list.map((a) => a.name) },
    ...(withParams.length ? { activation_alpha: { floats: withParams.map((a) => a.alpha!) }, activation_beta: { floats: withParams.map((a) => a.beta!) } } : {}),
  };
}

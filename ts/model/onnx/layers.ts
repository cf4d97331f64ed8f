// The layers without recurrence as ONNX nodes. Each takes its inputs' tensor names and ranks and returns
// its outputs' names; shapes carry the batch first.
import type { Layer } from '../../engine/layer.js';
import type { TimeDistributed } from '../../layers/time-distributed.js';
import { applyActivation } from './activations.js';
import { exportDot } from './dot.js';
import { maskedMean } from './masks.js';
import type { Exported, OnnxGraphBuilder } from './graph-builder.js';
import { describe, unsupported } from './unsupported.js';

/** x [..., in] · kernel [in, units] + bias, then the activation: Gemm for rank 2, MatMul + Add above. */
function exportDense(g: OnnxGraphBuilder, layer: Layer, x: Exported, base: string): string {
  const config = layer.getConfig();
  const [kernel, bias] = layer.getWeights();
  const K = g.shared(layer, 'kernel', () => g.floats(`${base}/kernel`, kernel.shape, kernel.dataSync() as Float32Array));
  const b = bias && g.shared(layer, 'bias', () => g.floats(`${base}/bias`, bias.shape, bias.dataSync() as Float32Array));
  let y: string;
  if (x.rank === 2) y = g.op('Gemm', b ? [x.name, K, b] : [x.name, K], {}, `${base}/gemm`);
  else {
    y = g.op('MatMul', [x.name, K], {}, `${base}/matmul`);
    if (b) y = g.op('Add', [y, b], {}, `${base}/add`);
  }
  return applyActivation(g, y, config.activation as string, describe(layer), `${base}/${config.activation as string}`);
}

/** Keras axis (negative counts from the end, the batch is axis 0) as ONNX's, which means the same. */
const axisOf = (axis: unknown) => axis as number;

/** Layers whose values pass unchanged at inference. */
const IDENTITY = new Set(['Dropout', 'SpatialDropout1D']);

/** The ONNX nodes for one application of a non-recurrent layer. */
export function exportLayer(g: OnnxGraphBuilder, layer: Layer, inputs: Exported[], outShapes: readonly (readonly (number | null)[])[]): string[] {
  const config = layer.getConfig();
  const base = layer.name;
  const [x] = inputs;
  if (IDENTITY.has(layer.className)) return [g.op('Identity', [x.name], {}, base)];
  switch (layer.className) {
    case 'Embedding': {
      const T = g.shared(layer, 'embeddings', () => {
        const [table] = layer.getWeights();
        return g.floats(`${base}/embeddings`, table.shape, table.dataSync() as Float32Array);
      });
      return [g.op('Gather', [T, x.name], { axis: 0 }, base)];
    }
    case 'Dense':
      return [exportDense(g, layer, x, base)];
    case 'TimeDistributed':
      // A Dense on [batch, time, in] is already applied per step (export.ts runs any other layer per step).
      return [exportDense(g, (layer as TimeDistributed).layer, x, base)];
    case 'Activation':
      return [applyActivation(g, x.name, config.activation as string, describe(layer), base)];
    case 'Flatten':
      return [g.op('Flatten', [x.name], { axis: 1 }, base)];
    case 'Concatenate':
      return [g.op('Concat', inputs.map((i) => i.name), { axis: axisOf(config.axis) }, base)];
    case 'RepeatVector': {
      // [batch, F] → [batch, 1, F] → broadcast to [batch, n, F].
      const one = g.op('Unsqueeze', [x.name, g.int64s(`${base}/axis`, [1])], {}, `${base}/unsqueezed`);
      return [g.op('Expand', [one, g.int64s(`${base}/shape`, [1, config.n as number, 1])], {}, base)];
    }
    case 'Reshape': {
      // 0 keeps the batch dimension as it is (allowzero 0, the default).
      const target = config.target_shape as number[];
      return [g.op('Reshape', [x.name, g.int64s(`${base}/shape`, [0, ...target])], {}, base)];
    }
    case 'GlobalAveragePooling1D':
      // With a mask, the mean of the kept steps (Keras 3).
      return [x.mask ? maskedMean(g, x.name, x.mask, !!config.keepdims, base) : g.reduce('ReduceMean', x.name, [1], !!config.keepdims, base)];
    case 'GlobalMaxPooling1D':
      return [g.reduce('ReduceMax', x.name, [1], !!config.keepdims, base)];
    case 'Dot':
      return [exportDot(g, layer, inputs, outShapes[0])];
    default:
      throw unsupported(layer, 'this layer has no ONNX export');
  }
}

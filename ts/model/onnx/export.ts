// A model as an ONNX ModelProto (opset 17): its graph node by node, inputs and outputs with a symbolic
// batch dimension. What ONNX cannot express exactly (a mask reaching a layer that reads it, a user cell,
// state between calls) is UNSUPPORTED naming the layer, never a different graph.
import { LwError } from '../../errors.js';
import type { ModelGraph } from '../../engine/graph.js';
import type { Layer, SymbolicTensor } from '../../engine/layer.js';
import { Bidirectional } from '../../layers/bidirectional.js';
import { RecurrentLayer } from '../../layers/recurrent-base.js';
import { encodeModelProto, type OnnxModelProto } from '../../io/onnx/proto.js';
import { OnnxGraphBuilder, valueInfo } from './graph-builder.js';
import { exportLayer, type Exported } from './layers.js';
import { describe, exportBidirectional, exportRecurrent } from './recurrent.js';

export interface OnnxExportOptions {
  /** Default-domain opset written in the file (17 or later; the operators used mean the same up to 17). */
  opset?: number;
  /** The symbolic name of the batch dimension (default 'batch'). */
  batchName?: string;
}

/** Layers whose output carries their input's mask (Keras), so a mask made upstream still matters below. */
const PASSES_MASK = new Set(['Dense', 'Activation', 'Dropout', 'SpatialDropout1D', 'TimeDistributed', 'Concatenate']);
/** Layers whose values depend on the mask they are given. */
const READS_MASK = new Set(['LSTM', 'GRU', 'SimpleRNN', 'RNN', 'Bidirectional', 'GlobalAveragePooling1D']);

/** Whether a mask can reach each tensor: Embedding({ maskZero }) makes one, Masking is refused outright. */
function masked(layer: Layer, inputsMasked: boolean[]): boolean {
  const config = layer.getConfig();
  if (layer.className === 'Embedding') return config.mask_zero === true;
  if (PASSES_MASK.has(layer.className)) return inputsMasked.some(Boolean);
  return !!config.return_sequences && inputsMasked.some(Boolean);
}

function checkOpset(opset: number): void {
  if (!Number.isInteger(opset) || opset < 17) throw new LwError('BAD_ARGUMENT', `lw.export.onnx: opset must be a whole number >= 17, got ${opset}`);
  // ReduceMean / ReduceMax / ReduceProd take their axes as an attribute, Split its count from its outputs, up to 17.
  if (opset > 17) throw new LwError('UNSUPPORTED', `lw.export.onnx: opset ${opset}: this exporter writes opset 17 (its reductions and Split changed form in 18)`);
}

/** The ModelProto of `model`'s graph, as plain objects. */
export function modelToOnnxProto(model: ModelGraph, options: OnnxExportOptions = {}): OnnxModelProto {
  const opset = options.opset ?? 17;
  checkOpset(opset);
  const batch = options.batchName ?? 'batch';
  if (!model.inputs.length) throw new LwError('NOT_READY', `model "${model.name}" has no input shape yet: give the first layer inputShape, or build it first`);
  const g = new OnnxGraphBuilder();
  const values = new Map<SymbolicTensor, Exported & { masked: boolean }>();
  const intInputs = new Set<SymbolicTensor>();
  for (const node of model.executionNodes) {
    if (node.layer.className === 'Embedding') for (const t of node.inputs) if (model.inputs.includes(t)) intInputs.add(t);
  }
  // The inputs and outputs are named after their layers; reserved first, so inner tensors take suffixes.
  const outputNames = model.outputs.map((t) => g.uniqueName(t.node.layer.name + (t.index ? `_${t.index}` : '')));
  const input = model.inputs.map((t) => {
    const name = g.uniqueName(t.node.layer.name);
    values.set(t, { name, rank: t.shape.length, masked: false });
    return valueInfo(name, intInputs.has(t) ? 'int32' : 'float', t.shape, (axis) => (axis === 0 ? batch : `${name}_dim${axis}`));
  });
  for (const node of model.executionNodes) {
    const layer = node.layer;
    if (layer.className === 'InputLayer') continue;
    const where = describe(layer);
    if (layer.className === 'Masking') throw new LwError('UNSUPPORTED', `${where}: a mask has no exact ONNX form (which steps are padding is known only from the values)`, { layer: layer.name });
    if ('executionNodes' in layer) throw new LwError('UNSUPPORTED', `${where}: a model inside a model has no ONNX export yet`, { layer: layer.name });
    const inputs = node.inputs.map((t) => {
      const v = values.get(t);
      if (!v) throw new LwError('UNSUPPORTED', `${where}: its input "${t.name}" is not computed in this model`, { layer: layer.name });
      return v;
    });
    if (READS_MASK.has(layer.className) && inputs.some((i) => i.masked)) {
      throw new LwError('UNSUPPORTED', `${where}: a mask (from an Embedding with maskZero) reaches it; ONNX sequence_lens would be exact only for left-aligned padding, which the graph cannot know`, { layer: layer.name });
    }
    const isRecurrent = layer instanceof RecurrentLayer || layer instanceof Bidirectional;
    if (isRecurrent && inputs.length > 1) throw new LwError('UNSUPPORTED', `${where}: initial states as inputs have no ONNX export here`, { layer: layer.name });
    const names = layer instanceof Bidirectional ? exportBidirectional(g, layer, inputs[0].name)
      : layer instanceof RecurrentLayer ? [exportRecurrent(g, layer, inputs[0].name)]
      : exportLayer(g, layer, inputs);
    const isMasked = masked(layer, inputs.map((i) => i.masked));
    if (names.length !== node.outputs.length) throw new LwError('UNSUPPORTED', `${where}: ${node.outputs.length} outputs, of which the export makes ${names.length}`, { layer: layer.name });
    node.outputs.forEach((t, i) => values.set(t, { name: names[i], rank: t.shape.length, masked: isMasked }));
  }
  const output = model.outputs.map((t, i) => {
    // Each graph output is a tensor of its own under the name reserved for it (Identity).
    const name = outputNames[i];
    g.nodes.push({ input: [values.get(t)!.name], output: [name], name: g.uniqueName(`${name}/Identity`), op_type: 'Identity', attribute: [] });
    return valueInfo(name, 'float', t.shape, (axis) => (axis === 0 ? batch : `${name}_dim${axis}`));
  });
  return {
    ir_version: 8,
    producer_name: 'lstm-wasm',
    producer_version: '0.1.0',
    opset_import: [{ domain: '', version: opset }],
    graph: { name: model.name, node: g.nodes, initializer: g.initializers, input, output },
  };
}

/** `model` as ONNX bytes (protobufjs is imported on first use). */
export async function exportOnnx(model: ModelGraph, options?: OnnxExportOptions): Promise<Uint8Array> {
  return encodeModelProto(modelToOnnxProto(model, options));
}

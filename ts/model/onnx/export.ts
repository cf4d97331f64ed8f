// A model as an ONNX ModelProto (opset 17 to 22): its graph node by node (a model inside it inlined),
// inputs and outputs with a symbolic batch dimension, masks computed in the graph from the values as the
// layers compute them. What ONNX cannot express exactly (a user cell, state kept between calls) is
// UNSUPPORTED naming the layer, never a different graph.
import { LwError } from '../../errors.js';
import type { ModelGraph } from '../../engine/graph.js';
import type { Layer, SymbolicTensor } from '../../engine/layer.js';
import type { Shape } from '../../engine/shape.js';
import { checkOptions } from '../../engine/options.js';
import { Bidirectional } from '../../layers/bidirectional.js';
import { Masking } from '../../layers/masking.js';
import { RecurrentLayer } from '../../layers/recurrent-base.js';
import { TimeDistributed } from '../../layers/time-distributed.js';
import { encodeModelProto, ONNX_DTYPE, type OnnxModelProto } from '../../io/onnx/proto.js';
import { OnnxGraphBuilder, valueInfo, type Exported } from './graph-builder.js';
import { exportLayer } from './layers.js';
import { joinMasks, maskFromIds, maskFromValues } from './masks.js';
import { exportBidirectional, exportRecurrent } from './recurrent.js';
import { unsupported } from './unsupported.js';

export interface OnnxExportOptions {
  /** Default-domain opset written in the file, 17 (default) to 22. */
  opset?: number;
  /** The symbolic name of the batch dimension (default 'batch'). */
  batchName?: string;
}

/** Layers whose output carries their input's mask (Keras), so a mask made upstream still matters below. */
const PASSES_MASK = new Set(['Dense', 'Activation', 'Dropout', 'SpatialDropout1D', 'TimeDistributed']);

/** The mask of a layer's output (Keras' rules, as the layers declare them): a float [batch, time] tensor, or none. */
function outputMask(g: OnnxGraphBuilder, layer: Layer, inputs: Value[]): string | undefined {
  const config = layer.getConfig();
  if (layer.className === 'Embedding') return config.mask_zero ? maskFromIds(g, inputs[0].name, `${layer.name}/mask`) : undefined;
  if (layer.className === 'Concatenate') return joinMasks(g, inputs.map((i) => i.mask), layer.name);
  if (PASSES_MASK.has(layer.className)) return inputs[0].mask;
  // A recurrent layer's sequences keep the mask (a Bidirectional's say so in its forward layer's config).
  const recurrent = layer instanceof Bidirectional ? layer.forwardLayer.getConfig() : config;
  return recurrent.return_sequences ? inputs[0].mask : undefined;
}

/** Concatenate along time joins the masks too, which is not written here. */
function checkConcatenateMasks(layer: Layer, inputs: Value[]): void {
  const axis = layer.getConfig().axis as number;
  const rank = inputs[0].rank;
  if (inputs.some((i) => i.mask) && (axis + rank) % rank === 1) {
    throw unsupported(layer, 'joining masked inputs along the time axis has no ONNX export here');
  }
}

/** The opsets written, each tested with onnxruntime 1.30. */
export const MIN_OPSET = 17;
export const MAX_OPSET = 22;

function checkOpset(opset: number): void {
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new LwError('BAD_ARGUMENT', `lw.export.onnx: opset must be a whole number from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
}

/** A tensor of the graph being written; `int` only for model inputs that feed Embeddings alone. */
interface Value extends Exported {
  int: boolean;
}

/** Converts where a layer needs another element type: an Embedding's ids int32, everything else float. */
function ofType(g: OnnxGraphBuilder, v: Value, int: boolean): Value {
  if (v.int === int) return v;
  return { ...v, int, name: g.op('Cast', [v.name], { to: int ? ONNX_DTYPE.int32 : ONNX_DTYPE.float }, `${v.name}/${int ? 'ids' : 'float'}`) };
}

/** Writes `graph`'s nodes, given the values of its inputs; returns the values of its outputs. */
function exportGraph(g: OnnxGraphBuilder, graph: ModelGraph, feeds: Value[]): Value[] {
  const values = new Map<SymbolicTensor, Value>(graph.inputs.map((t, i) => [t, feeds[i]]));
  for (const node of graph.executionNodes) {
    const layer = node.layer;
    if (layer.className === 'InputLayer') continue;
    const given = node.inputs.map((t) => {
      const v = values.get(t);
      if (!v) throw unsupported(layer, `its input "${t.name}" is not computed in this model`);
      return v;
    });
    const outs = exportApplication(g, layer, given, node.outputs.map((t) => t.shape));
    if (outs.length !== node.outputs.length) throw unsupported(layer, `${node.outputs.length} outputs, of which the export makes ${outs.length}`);
    node.outputs.forEach((t, i) => values.set(t, outs[i]));
  }
  return graph.outputs.map((t) => values.get(t)!);
}

/** One application of `layer` to `given`, whose outputs have `outShapes` (batch first). */
function exportApplication(g: OnnxGraphBuilder, layer: Layer, given: Value[], outShapes: Shape[]): Value[] {
  // Before any getConfig, which a cell that cannot be saved refuses for its own reason.
  if (layer.className === 'RNN') throw unsupported(layer, 'a user-defined cell has no ONNX recurrent operator (LSTM, GRU and SimpleRNN have)');
  if (isGraph(layer)) {
    // A model used as a layer: its nodes inline, fed this node's inputs.
    if (layer.inputs.length !== given.length) throw unsupported(layer, `applied to ${given.length} inputs, has ${layer.inputs.length}`);
    return exportGraph(g, layer, given);
  }
  if (layer instanceof TimeDistributed && layer.layer.className !== 'Dense') return [exportPerStep(g, layer, given[0], outShapes[0])];
  const inputs = given.map((v) => ofType(g, v, layer.className === 'Embedding'));
  if (layer.className === 'Concatenate') checkConcatenateMasks(layer, inputs);
  let mask = outputMask(g, layer, inputs);
  let names: string[];
  // A recurrent layer's further inputs are its initial states (Keras order).
  const initial = inputs.slice(1).map((i) => i.name);
  if (layer instanceof Bidirectional) names = exportBidirectional(g, layer, inputs[0].name, inputs[0].mask, initial);
  else if (layer instanceof RecurrentLayer) names = exportRecurrent(g, layer, inputs[0].name, inputs[0].mask, initial);
  else if (layer instanceof Masking) {
    const [y, m] = maskFromValues(g, inputs[0].name, layer.maskValue, layer.name);
    names = [y];
    mask = m;
  } else names = exportLayer(g, layer, inputs, outShapes);
  // Only the main outputs carry the mask (both directions' with mergeMode null); a recurrent layer's states have none.
  const withMask = layer instanceof Bidirectional && layer.mergeMode === null ? 2 : 1;
  return names.map((name, i) => ({ name, rank: outShapes[i]?.length ?? 0, mask: i < withMask ? mask : undefined, int: false }));
}

/**
 * TimeDistributed of any layer: x [batch, time, ...] as batch·time samples [batch·time, ...] through the
 * layer, then back to [batch, time, ...]. The output keeps x's mask; the layer inside sees none (Keras).
 */
function exportPerStep(g: OnnxGraphBuilder, layer: TimeDistributed, x: Value, outShape: Shape): Value {
  const base = layer.name;
  const lead = g.op('Shape', [x.name], { start: 0, end: 2 }, `${base}/batch_time`);
  const rest = g.op('Shape', [x.name], { start: 2 }, `${base}/step_shape`);
  const flatShape = g.op('Concat', [g.int64s(`${base}/all_steps`, [-1]), rest], { axis: 0 }, `${base}/flat_shape`);
  const flat = g.op('Reshape', [x.name, flatShape], {}, `${base}/steps`);
  const [inner] = exportApplication(g, layer.layer, [{ name: flat, rank: x.rank - 1, int: x.int }], [[null, ...outShape.slice(2)]]);
  const innerRest = g.op('Shape', [inner.name], { start: 1 }, `${base}/out_step_shape`);
  const outShapeT = g.op('Concat', [lead, innerRest], { axis: 0 }, `${base}/out_shape`);
  return { name: g.op('Reshape', [inner.name, outShapeT], {}, base), rank: outShape.length, mask: x.mask, int: false };
}

/** A model used as a layer (it has a graph of its own). */
function isGraph(layer: Layer): layer is Layer & ModelGraph {
  return 'executionNodes' in layer;
}

/** The ModelProto of `model`'s graph, as plain objects. */
export function modelToOnnxProto(model: ModelGraph, options: OnnxExportOptions = {}): OnnxModelProto {
  checkOptions(options, { opset: true, batchName: true }, 'lw.export.onnx');
  const opset = options.opset ?? 17;
  checkOpset(opset);
  const batch = options.batchName ?? 'batch';
  if (typeof batch !== 'string' || !batch) throw new LwError('BAD_ARGUMENT', `lw.export.onnx: batchName must be a non-empty string, got ${String(batch)}`);
  if (!model.inputs.length) throw new LwError('NOT_READY', `model "${model.name}" has no input shape yet: give the first layer inputShape, or build it first`);
  const g = new OnnxGraphBuilder(opset);
  // An input whose every consumer is an Embedding is int32 ids; any other is float (an Embedding below casts it).
  const consumers = (t: SymbolicTensor) => model.executionNodes.filter((n) => n.inputs.includes(t));
  const isIds = (t: SymbolicTensor) => consumers(t).length > 0 && consumers(t).every((n) => n.layer.className === 'Embedding');
  // The inputs and outputs are named after their layers; reserved first, so inner tensors take suffixes.
  const outputNames = model.outputs.map((t) => g.uniqueName(t.node.layer.name + (t.index ? `_${t.index}` : '')));
  const feeds: Value[] = model.inputs.map((t) => ({ name: g.uniqueName(t.node.layer.name), rank: t.shape.length, int: isIds(t) }));
  const input = feeds.map((v, i) => valueInfo(v.name, v.int ? 'int32' : 'float', model.inputs[i].shape, (axis) => (axis === 0 ? batch : `${v.name}_dim${axis}`)));
  const results = exportGraph(g, model, feeds);
  const output = model.outputs.map((t, i) => {
    // Each graph output is a tensor of its own under the name reserved for it (Identity).
    const name = outputNames[i];
    g.nodes.push({ input: [ofType(g, results[i], false).name], output: [name], name: g.uniqueName(`${name}/Identity`), op_type: 'Identity', attribute: [] });
    return valueInfo(name, 'float', t.shape, (axis) => (axis === 0 ? batch : `${name}_dim${axis}`));
  });
  return {
    // The IR version released with the opset (ONNX 1.12: 17 / 8, 1.14: 19 / 9, 1.16: 21 / 10); no field
    // added after IR 8 is written, so the 1.12 schema encodes them all.
    ir_version: opset >= 21 ? 10 : opset >= 19 ? 9 : 8,
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

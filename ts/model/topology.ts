// A model's Keras topology (model.json "modelTopology") as TF.js writes it: Sequential with
// {name, layers: [{class_name, config}]}, functional 'Model' with layers, inbound_nodes,
// input_layers and output_layers. A model used as a layer is one layer entry with its own config.
import { LwError } from '../errors.js';
import { KERAS_VERSION } from '../io/artifacts.js';
import type { JsonObject } from '../io/json.js';
import type { Layer, Node, SymbolicTensor } from '../engine/layer.js';
import type { ModelGraph } from '../engine/graph.js';

function isSequential(model: ModelGraph): boolean {
  return model.className === 'Sequential';
}

export function modelTopology(model: ModelGraph): JsonObject {
  if (!model.inputs.length) {
    throw new LwError('NOT_READY', `model "${model.name}" has no input shape yet: give the first layer inputShape, or call fit/predict first`);
  }
  return { class_name: model.className, config: modelConfig(model), keras_version: KERAS_VERSION, backend: 'tensor_flow.js' };
}

/** The model's config: {name, layers} (Sequential) or {name, layers, input_layers, output_layers}; a nested model's too. */
export function modelConfig(model: ModelGraph): JsonObject {
  const layers = model.layers;
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw new LwError('BAD_ARGUMENT', `model "${model.name}" has two layers named "${l.name}": layer names must be unique to save`);
    names.add(l.name);
  }
  return isSequential(model) ? sequentialConfig(model, layers) : functionalConfig(model, layers);
}

function sequentialConfig(model: ModelGraph, layers: Layer[]): JsonObject {
  return {
    name: model.name,
    layers: layers.map((l, i) => {
      const config = l.getConfig();
      // The first layer carries the model's input shape (TF.js writes no InputLayer here); a model
      // there has its own inputs.
      if (i === 0 && !l.batchInputShape) config.batch_input_shape = [...model.inputs[0].shape];
      return { class_name: l.className, config };
    }),
  };
}

function functionalConfig(model: ModelGraph, layers: Layer[]): JsonObject {
  const inModel = new Set<Node>(model.executionNodes);
  // Node indices count only the nodes of this model (a layer may be used in other models too),
  // after a nested model's own node 0 (Keras, TF.js).
  const nodeIndex = (node: Node) => node.layer.nodeIndexOffset + node.layer.inboundNodes.filter((n) => inModel.has(n)).indexOf(node);
  const ref = (t: SymbolicTensor) => [t.node.layer.name, nodeIndex(t.node), t.index];
  return {
    name: model.name,
    layers: layers.map((l) => ({
      name: l.name,
      class_name: l.className,
      config: l.getConfig(),
      inbound_nodes: l.inboundNodes.filter((n) => inModel.has(n) && n.inputs.length).map((n) => n.inputs.map((t) => [...ref(t), {}])),
    })),
    input_layers: model.inputs.map(ref),
    output_layers: model.outputs.map(ref),
  };
}

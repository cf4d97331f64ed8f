// lw.loadModel for Keras files: builds the model from the file's config and puts each stored
// weight into its layer, by layer order and class as Keras itself matches them (names in real
// files vary by version and collide), each checked for shape before it is read.
import type { Layer } from '../engine/layer.js';
import type { Weight } from '../engine/weight.js';
import { badFile } from '../io/json.js';
import type { H5Dataset } from '../io/keras/hdf5.js';
import { isKerasFile, readKerasFile, readKerasMembers, type KerasFile, type LayerListWeights, type SaveableWeights } from '../io/keras/keras-file.js';
import { kerasParsers } from '../io/keras/load-parsers.js';
import { Bidirectional } from '../layers/bidirectional.js';
import { InputLayer } from '../layers/input.js';
import { RecurrentLayer } from '../layers/recurrent-base.js';
import { RNN } from '../layers/rnn.js';
import { TimeDistributed } from '../layers/time-distributed.js';
import { configOrder, kerasMajorVersion, modelFromTopology } from './deserialize.js';
import { GraphLayer } from '../engine/graph-layer.js';
import type { LayersModel } from './model.js';
import { compileFromKeras3, compileFromTfjs } from './training-config.js';

/**
 * Reads a Keras `.keras` or `.h5` file (`what` names it) into a model; the parsers are imported
 * on first use (see setKerasParsers).
 */
export async function loadKerasModel(bytes: Uint8Array, what: string): Promise<LayersModel> {
  if (!isKerasFile(bytes)) {
    throw badFile(`${what} is not a model file lstm-wasm knows: not a Keras .keras (zip) or .h5 (HDF5), an ONNX ModelProto, nor a TF.js model.json${looksLikeOnnx(bytes) ? ' (it starts like ONNX but its protobuf fields do not cover the bytes: a damaged or truncated ONNX file?)' : ''}`);
  }
  return modelFromKerasFile(readKerasFile(bytes, what, await kerasParsers()), what);
}

/** A Keras 3 model saved as a directory (`zipped=False`, sharded weights), from its files. */
export async function loadKerasDirectory(files: ReadonlyMap<string, Uint8Array>, what: string): Promise<LayersModel> {
  return modelFromKerasFile(readKerasMembers(files, what, await kerasParsers()), what);
}

/** An ONNX model is a protobuf whose first field is ir_version (field 1, varint: byte 0x08). */
const looksLikeOnnx = (bytes: Uint8Array) => bytes.length > 2 && bytes[0] === 0x08 && bytes[1] < 0x20;

export function modelFromKerasFile(file: KerasFile, what: string): LayersModel {
  const major = kerasMajorVersion(file.kerasVersion);
  const model = modelFromTopology(file.model, (layers) => {
    const pairs = file.weights.kind === 'saveable' ? saveablePairs(layers, file.weights, 'layers') : layerListPairs(layers, file.weights, what);
    // Every weight is checked and read before any is written: a bad file leaves nothing half set.
    const values = pairs.map(([w, d]) => d.readFloats(w.shape, `weight "${w.path}" of layer "${w.layer.name}" (${w.layer.className})`));
    pairs.forEach(([w], i) => w.write(values[i]));
  }, major);
  if (file.compileConfig) compileFromKeras3(model, file.compileConfig);
  else if (file.trainingConfig) compileFromTfjs(model, file.trainingConfig);
  return model;
}

/** Keras's naming.to_snake_case, which names each saved object after its class. */
function snakeCase(name: string): string {
  const s = name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * The names Keras 3 gives a list of objects in its weights file: each class's name in snake case,
 * numbered `_1`, `_2` for repeats in list order.
 */
function containerNames(classNames: readonly string[]): string[] {
  const counts = new Map<string, number>();
  return classNames.map((cls) => {
    const base = snakeCase(cls);
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}

/**
 * Keras 3 stores a list of layers under `<container>/<name from containerNames>`; each layer's
 * variables under `vars`, its sub-objects (a recurrent layer's `cell`, a wrapper's `layer`,
 * Bidirectional's `forward_layer` and `backward_layer`, a nested model's `layers`) below.
 */
function saveablePairs(layers: readonly Layer[], store: SaveableWeights, container: string): [Weight, H5Dataset][] {
  // Keras 3 calls a functional model's class Functional; TF.js and lstm-wasm say Model.
  const names = containerNames(layers.map((l) => (l instanceof InputLayer ? 'InputLayer' : l.className === 'Model' ? 'Functional' : l.className)));
  return layers.flatMap((layer, i) => layerPairs(layer, `${container}/${names[i]}`, store));
}

/** Each weight of `layer` with its dataset under `path`. */
function layerPairs(layer: Layer, path: string, store: SaveableWeights): [Weight, H5Dataset][] {
  // A model inside the model: its layers in its config's order (Keras's model.layers).
  if (layer instanceof GraphLayer) return saveablePairs(configOrder.get(layer) ?? layer.layers, store, `${path}/layers`);
  if (layer instanceof Bidirectional) return [...layerPairs(layer.forwardLayer, `${path}/forward_layer`, store), ...layerPairs(layer.backwardLayer, `${path}/backward_layer`, store)];
  if (layer instanceof TimeDistributed) return layerPairs(layer.layer, `${path}/layer`, store);
  let datasets = store.vars(path);
  if (layer instanceof RecurrentLayer) datasets = [...datasets, ...store.vars(`${path}/cell`)];
  else if (layer instanceof RNN) {
    // RNN(cell): the cell's variables under `cell`; StackedRNNCells' under `cell/cells/<name>`, named as layers are.
    const cells = layer.cells.length === 1 ? [`${path}/cell`] : containerNames(layer.cells.map(({ cell }) => cell.className ?? 'cell')).map((n) => `${path}/cell/cells/${n}`);
    datasets = [...datasets, ...cells.flatMap((p) => store.vars(p))];
  }
  if (datasets.length !== layer.weights.length) {
    const has = store.children(path);
    throw badFile(`layer "${layer.name}" (${layer.className}) has ${layer.weights.length} weights, but the file stores ${datasets.length} for it under ${path}${has.length ? ` (members: ${has.join(', ')})` : ' (no such group)'}`, { layer: layer.name, path });
  }
  return layer.weights.map((w, i) => [w, datasets[i]]);
}

/**
 * Legacy `.h5`: as Keras's load_weights, the layers with weights are matched to the file's layers
 * with weights in order, and within a layer the weights in order.
 */
function layerListPairs(layers: Layer[], store: LayerListWeights, what: string): [Weight, H5Dataset][] {
  const mine = layers.filter((l) => l.weights.length > 0);
  const theirs = store.layers.filter((l) => l.weights.length > 0);
  if (mine.length !== theirs.length) {
    throw badFile(`${what} stores weights for ${theirs.length} layers (${theirs.map((l) => l.name).join(', ')}), but the model has ${mine.length} layers with weights (${mine.map((l) => l.name).join(', ')})`);
  }
  const pairs: [Weight, H5Dataset][] = [];
  mine.forEach((layer, i) => {
    const saved = theirs[i].weights;
    if (saved.length !== layer.weights.length) {
      throw badFile(`layer "${layer.name}" (${layer.className}) has ${layer.weights.length} weights, but the file's layer "${theirs[i].name}" stores ${saved.length} (${saved.map((w) => w.name).join(', ')})`, { layer: layer.name });
    }
    layer.weights.forEach((w, k) => pairs.push([w, saved[k].dataset]));
  });
  return pairs;
}

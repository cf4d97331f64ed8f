// A Keras model file as its parts: the model config, compile settings and a store of weights, from
// a Keras 3 `.keras` zip (config.json, metadata.json, model.weights.h5) or a legacy HDF5 `.h5`
// (Keras 2 / tf.keras, or Keras 3's `model.save('m.h5')`). It knows no model: matching the weights
// to layers is ts/model/load-keras.ts's.
import { badFile, describe, isObject, own, parseJson, type JsonObject } from '../json.js';
import { H5File, isHdf5, type H5Dataset, type H5Group } from './hdf5.js';
import { isZip, readZip } from './zip.js';
import type { KerasParsers } from './load-parsers.js';

/** Weights of a Keras 3 file: `<object path>/vars/0, 1, ...` (e.g. `layers/lstm/cell`). */
export interface SaveableWeights {
  kind: 'saveable';
  /** The datasets of `<path>/vars` in order; [] when the object saved no variables. */
  vars(path: string): H5Dataset[];
  /** Names under `path` (to tell what the file has in messages). */
  children(path: string): string[];
}

/** Weights of a legacy `.h5`: per layer (by name, in the file's order), its weights by name. */
export interface LayerListWeights {
  kind: 'layer-list';
  layers: { name: string; weights: { name: string; dataset: H5Dataset }[] }[];
}

export interface KerasFile {
  format: 'keras' | 'h5';
  /** As the file says ('3.6.0', '2.15.0'), or null when it does not. */
  kerasVersion: string | null;
  /** The model: {class_name, config} (Keras 3 adds module, registered_name, build_config). */
  model: JsonObject;
  /** Keras 3 compile_config (loss, optimizer, metrics as serialized objects). */
  compileConfig?: JsonObject;
  /** Keras 2 training_config (loss, metrics, optimizer_config). */
  trainingConfig?: JsonObject;
  weights: SaveableWeights | LayerListWeights;
}

const MB = 1 << 20;
/** Largest config.json / metadata.json kept: real ones are kilobytes. */
const MAX_JSON_BYTES = 64 * MB;
/** Largest weights file kept: the wasm memory cannot hold more. */
const MAX_WEIGHTS_BYTES = 4096 * MB - 1;

/** Whether `bytes` may be a Keras file (a zip or HDF5), before any parser is loaded. */
export function isKerasFile(bytes: Uint8Array): boolean {
  return isZip(bytes) || isHdf5(bytes);
}

/** Reads a Keras model file from its bytes (`what` names it in messages). */
export function readKerasFile(bytes: Uint8Array, what: string, parsers: KerasParsers): KerasFile {
  if (isZip(bytes)) return readKerasZip(bytes, what, parsers);
  if (isHdf5(bytes)) return readLegacyH5(new H5File(bytes, what, parsers.jsfive), what);
  throw badFile(`${what} is neither a Keras .keras zip nor an HDF5 .h5 file`);
}

function jsonMember(files: Map<string, Uint8Array>, name: string, what: string): JsonObject {
  const raw = files.get(name);
  if (!raw) throw badFile(`${what} has no ${name}: not a Keras 3 .keras file (members: ${[...files.keys()].join(', ') || 'none'})`);
  const v = parseJson(new TextDecoder().decode(raw), `${what} ${name}`);
  if (!isObject(v)) throw badFile(`${what} ${name} must be a JSON object, got ${describe(v)}`);
  return v;
}

function readKerasZip(bytes: Uint8Array, what: string, parsers: KerasParsers): KerasFile {
  const files = readZip(bytes, what, (name) => {
    if (name === 'config.json' || name === 'metadata.json') return MAX_JSON_BYTES;
    if (name === 'model.weights.h5') return MAX_WEIGHTS_BYTES;
    return undefined;
  }, parsers.fflate);
  const config = jsonMember(files, 'config.json', what);
  const metadata = files.has('metadata.json') ? jsonMember(files, 'metadata.json', what) : {};
  const version = own(metadata, 'keras_version');
  const weightsBytes = files.get('model.weights.h5');
  if (!weightsBytes) {
    const npz = own(metadata, 'keras_version');
    throw badFile(`${what} has no model.weights.h5 (Keras ${describe(npz)}): lstm-wasm reads weights saved as HDF5`);
  }
  const h5 = new H5File(weightsBytes, `${what} model.weights.h5`, parsers.jsfive);
  const compileConfig = own(config, 'compile_config');
  return {
    format: 'keras',
    kerasVersion: typeof version === 'string' ? version : null,
    model: config,
    compileConfig: isObject(compileConfig) ? compileConfig : undefined,
    weights: saveableWeights(h5.root),
  };
}

/** Keras 3's weights store: the group of each saved object, its variables under `vars`. */
export function saveableWeights(root: H5Group): SaveableWeights {
  const at = (path: string) => path.split('/').filter(Boolean).reduce<H5Group | null>((g, name) => g?.group(name) ?? null, root);
  return {
    kind: 'saveable',
    vars(path) {
      const vars = at(path)?.group('vars');
      if (!vars) return [];
      const names = vars.keys();
      const out: H5Dataset[] = [];
      // Keras names the variables 0, 1, ... in the order the object made them.
      for (let i = 0; i < names.length; i++) {
        const d = vars.dataset(String(i));
        if (!d) throw badFile(`${vars.path} has ${names.length} members but no variable "${i}" (it holds ${names.slice(0, 8).join(', ')})`);
        out.push(d);
      }
      return out;
    },
    children(path) {
      return at(path)?.keys() ?? [];
    },
  };
}

function jsonAttr(g: H5Group, name: string, what: string): JsonObject | undefined {
  const v = g.attr(name);
  if (v === undefined) return undefined;
  const text = v instanceof Uint8Array ? new TextDecoder().decode(v) : v;
  if (typeof text !== 'string') throw badFile(`${what}: attribute "${name}" must be a JSON string, got ${describe(text)}`);
  const parsed = parseJson(text, `${what} attribute ${name}`);
  if (!isObject(parsed)) throw badFile(`${what}: attribute "${name}" must hold a JSON object, got ${describe(parsed)}`);
  return parsed;
}

function readLegacyH5(file: H5File, what: string): KerasFile {
  const root = file.root;
  const model = jsonAttr(root, 'model_config', what);
  if (!model) {
    const weightsOnly = root.stringList('layer_names') !== undefined;
    throw badFile(weightsOnly
      ? `${what} holds only weights (model.save_weights): it has no model config to build the model from`
      : `${what} is an HDF5 file without a Keras "model_config" attribute: not a Keras model file`);
  }
  const version = root.attr('keras_version');
  const group = root.group('model_weights');
  if (!group) throw badFile(`${what} has no "model_weights" group`);
  const layerNames = group.stringList('layer_names');
  if (!layerNames) throw badFile(`${what}: "model_weights" has no "layer_names" attribute`);
  const layers = layerNames.map((name) => {
    const g = group.group(name);
    if (!g) throw badFile(`${what}: layer "${name}" listed in layer_names has no group in model_weights`, { layer: name });
    const names = g.stringList('weight_names') ?? [];
    return {
      name,
      weights: names.map((w) => {
        const dataset = g.dataset(w);
        if (!dataset) throw badFile(`${what}: weight "${w}" of layer "${name}" is listed in weight_names but not stored`, { layer: name, weight: w });
        return { name: w, dataset };
      }),
    };
  });
  return {
    format: 'h5',
    kerasVersion: typeof version === 'string' ? version : null,
    model,
    trainingConfig: jsonAttr(root, 'training_config', what),
    weights: { kind: 'layer-list', layers },
  };
}

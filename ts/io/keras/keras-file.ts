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

function jsonMember(files: ReadonlyMap<string, Uint8Array>, name: string, what: string): JsonObject {
  const raw = files.get(name);
  if (!raw) throw badFile(`${what} has no ${name}: not a Keras 3 .keras file (members: ${[...files.keys()].join(', ') || 'none'})`);
  const v = parseJson(new TextDecoder().decode(raw), `${what} ${name}`);
  if (!isObject(v)) throw badFile(`${what} ${name} must be a JSON object, got ${describe(v)}`);
  return v;
}

/**
 * How much of each member of a Keras 3 archive or directory is kept: its JSON files and weights
 * (one `model.weights.h5`, or a `*.weights.json` index with its `*_NNNNN.weights.h5` shards).
 */
export function kerasMemberLimit(name: string): number | undefined {
  if (name === 'config.json' || name === 'metadata.json' || /\.weights\.json$/.test(name)) return MAX_JSON_BYTES;
  if (/\.weights\.h5$/.test(name)) return MAX_WEIGHTS_BYTES;
  return undefined;
}

function readKerasZip(bytes: Uint8Array, what: string, parsers: KerasParsers): KerasFile {
  return readKerasMembers(readZip(bytes, what, kerasMemberLimit, parsers.fflate), what, parsers);
}

/** The shard files a sharded weights index names: `weight_map` of `/<object path>/vars` → file name. */
export function shardNames(index: JsonObject, what: string): Map<string, string> {
  const map = own(index, 'weight_map');
  if (!isObject(map)) throw badFile(`${what}: "weight_map" must be an object of variable paths to shard files, got ${describe(map)}`);
  const out = new Map<string, string>();
  for (const [path, file] of Object.entries(map)) {
    // Shards sit beside the index: plain file names only.
    if (typeof file !== 'string' || !/^[\w.-]+\.weights\.h5$/.test(file)) throw badFile(`${what}: shard of "${path}" must be a file name ending .weights.h5, got ${describe(file)}`);
    out.set(path.replace(/^\/+/, ''), file);
  }
  return out;
}

/**
 * A Keras 3 model from its members (a .keras zip's, or a directory's as `zipped=False` and
 * sharded saves leave them): config.json, metadata.json and the weights.
 */
export function readKerasMembers(files: ReadonlyMap<string, Uint8Array>, what: string, parsers: KerasParsers): KerasFile {
  const config = jsonMember(files, 'config.json', what);
  const metadata = files.has('metadata.json') ? jsonMember(files, 'metadata.json', what) : {};
  const version = own(metadata, 'keras_version');
  const h5 = (name: string) => {
    const bytes = files.get(name);
    if (!bytes) throw badFile(`${what} has no ${name}`);
    return new H5File(bytes, `${what} ${name}`, parsers.jsfive).root;
  };
  const indexName = [...files.keys()].find((n) => /\.weights\.json$/.test(n));
  let weights: SaveableWeights;
  if (files.has('model.weights.h5')) weights = saveableWeights([h5('model.weights.h5')], () => undefined);
  else if (indexName) {
    const shards = shardNames(jsonMember(files, indexName, what), `${what} ${indexName}`);
    const roots = new Map([...new Set(shards.values())].map((name) => [name, h5(name)]));
    weights = saveableWeights([...roots.values()], (path) => roots.get(shards.get(`${path}/vars`) ?? ''));
  } else throw badFile(`${what} has no model.weights.h5 nor a *.weights.json index (Keras ${describe(version)}): lstm-wasm reads weights saved as HDF5`);
  const compileConfig = own(config, 'compile_config');
  return {
    format: 'keras',
    kerasVersion: typeof version === 'string' ? version : null,
    model: config,
    compileConfig: isObject(compileConfig) ? compileConfig : undefined,
    weights,
  };
}

/**
 * Keras 3's weights store: the group of each saved object, its variables under `vars`. Sharded,
 * an object's variables are in the shard the index names (`home`), and its empty `vars` group may
 * sit in another: the first shard holding variables for the path wins.
 */
export function saveableWeights(roots: H5Group[], home: (path: string) => H5Group | undefined): SaveableWeights {
  const at = (root: H5Group, path: string) => path.split('/').filter(Boolean).reduce<H5Group | null>((g, name) => g?.group(name) ?? null, root);
  const varsGroup = (path: string) => {
    const first = home(path);
    const groups = [...(first ? [first] : []), ...roots.filter((r) => r !== first)].map((r) => at(r, path)?.group('vars')).filter((g): g is H5Group => !!g);
    return groups.find((g) => g.keys().length > 0) ?? groups[0];
  };
  return {
    kind: 'saveable',
    vars(path) {
      const vars = varsGroup(path);
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
      return [...new Set(roots.flatMap((r) => at(r, path)?.keys() ?? []))];
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

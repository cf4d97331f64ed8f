// lw.loadModel: a model from its saved artifacts. The file's weights are matched to the model's
// by name and shape before any is written; compile settings and optimizer state come back too.
import { badFile, describe, isObject, own, ownObject, type JsonObject } from '../io/json.js';
import { LAYERS_MODEL_FORMAT, STATE_KEY, type ModelArtifacts } from '../io/artifacts.js';
import { OPTIMIZER_GROUP, restoreSlots } from '../optim/state.js';
import { readArtifacts, type ModelSource } from '../io/read-artifacts.js';
import { crc32, decodeWeights, type WeightSpec } from '../io/weights.js';
import type { Weight } from '../engine/weight.js';
import { modelFromTopology } from './deserialize.js';
import type { LayersModel } from './model.js';
import { fmt } from '../engine/shape.js';
import { compileFromTfjs, restoreTraining } from './training-config.js';
import { loadKerasDirectory, loadKerasModel } from './load-keras.js';
import { loadOnnxModel, type OnnxLoadOptions } from './load-onnx.js';
import { isOnnxModelBytes } from '../io/onnx/detect.js';

/**
 * Loads a model saved in the TF.js layers format (by lstm-wasm, TF.js, or a Keras conversion):
 * `'file://dir/model.json'` (Node, Deno), an http(s) URL (weights paths relative to it), the
 * artifacts from `model.toArtifacts()`, or an object with `load()`. A file saved with
 * `includeOptimizer` comes back compiled, with its optimizer state, ready to resume training.
 * Keras files load too: a Keras 3 `.keras` or a legacy `.h5` (Keras 2, tf.keras), by URL
 * (`'file://m.keras'`, http(s)) or as bytes (`Uint8Array`, `ArrayBuffer`), the format told from
 * the bytes; their compile settings compile the model when lstm-wasm has them all.
 * ONNX files load the same way (a ModelProto told from its bytes): torch.onnx.export's recurrent models
 * become layers (docs/from-python.md); `options.inputs` binds graph inputs that are weights.
 */
export async function loadModel(source: ModelSource, options: OnnxLoadOptions = {}): Promise<LayersModel> {
  const read = await readArtifacts(source);
  if (read.kind === 'file') return isOnnxModelBytes(read.bytes) ? loadOnnxModel(read.bytes, read.what, options) : loadKerasModel(read.bytes, read.what);
  if (read.kind === 'keras-directory') return loadKerasDirectory(read.files, read.what);
  return modelFromArtifacts(read.artifacts, read.bytes);
}

/** Builds the model, checks and sets its weights, then restores compile settings and optimizer state. */
function modelFromArtifacts(a: ModelArtifacts, bytes: Uint8Array): LayersModel {
  const format = own(a as unknown as JsonObject, 'format');
  if (format !== undefined && format !== null && format !== LAYERS_MODEL_FORMAT) {
    throw badFile(`model format is "${String(format)}": lstm-wasm loads "${LAYERS_MODEL_FORMAT}" (TF.js graph models cannot be trained or converted here)`);
  }
  const topology = ownObject(a as unknown as JsonObject, 'modelTopology', 'the model file');
  const state = own(a as unknown as JsonObject, STATE_KEY);
  if (state !== undefined && !isObject(state)) throw badFile(`"${STATE_KEY}" must be an object, got ${describe(state)}`);
  const check = state ? own(state, 'weights') : undefined;
  if (isObject(check)) {
    const sum = crc32(bytes);
    if (own(check, 'bytes') !== bytes.byteLength || own(check, 'crc32') !== sum) {
      throw badFile(`the weight data (${bytes.byteLength} bytes, CRC-32 ${sum}) is not the one this model.json was saved with (${String(own(check, 'bytes'))} bytes, CRC-32 ${String(own(check, 'crc32'))}): the files come from different saves`);
    }
  }

  const specs = a.weightSpecs ?? [];
  const values = decodeWeights(specs, bytes);
  const model = modelFromTopology(topology, (layers) => {
    const targets = matchWeights(layers.flatMap((l) => l.weights), specs.filter((s) => s.group !== OPTIMIZER_GROUP));
    for (const [w, spec] of targets) w.write(values.get(spec.name)!);
  });

  if (state) {
    const optimizerValues = new Map<string, { shape: number[]; values: Float32Array }>();
    for (const s of specs) if (s.group === OPTIMIZER_GROUP) optimizerValues.set(s.name, { shape: s.shape, values: values.get(s.name)! });
    try {
      const restored = restoreTraining(model, state, `"${STATE_KEY}"`);
      if (restored) restoreSlots(model.optimizer!, model.params(), restored.iterations, optimizerValues);
    } catch (e) {
      model.dispose(); // the parameter block and optimizer slots made for the restore go back to the heap
      throw e;
    }
  } else if (isObject(own(a as unknown as JsonObject, 'trainingConfig'))) {
    compileFromTfjs(model, own(a as unknown as JsonObject, 'trainingConfig') as JsonObject);
  }
  return model;
}

/**
 * The names a saved weight may have for a weight of path `<layer>/<weight>`: that one (TF.js, also
 * for the layers of a nested model), with the cell name Keras 2.2+ adds (`lstm/lstm_cell/kernel`,
 * dropped as TF.js does), or under the name of the model that holds the layer (`inner/dense/kernel`).
 */
function pathsFor(name: string): string[] {
  const tokens = name.split('/');
  if (tokens.length < 3) return [name];
  return [name, [...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/'), tokens.slice(-2).join('/')];
}

/**
 * Pairs each model weight with its spec by name (see pathsFor). Every weight must be matched once,
 * with the same shape, and every spec must match a weight.
 */
function matchWeights(weights: Weight[], specs: WeightSpec[]): Map<Weight, WeightSpec> {
  const byPath = new Map<string, Weight>();
  for (const w of weights) byPath.set(w.path, w);
  const out = new Map<Weight, WeightSpec>();
  for (const s of specs) {
    const w = pathsFor(s.name).map((p) => byPath.get(p)).find((x) => x !== undefined);
    if (!w) {
      const known = [...byPath.keys()];
      throw badFile(`weight "${s.name}" in the file belongs to no layer of the model (its weights are ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''})`, { weight: s.name });
    }
    if (out.has(w)) throw badFile(`weights "${out.get(w)!.name}" and "${s.name}" both set ${w.path}`, { weight: s.name });
    const same = s.shape.length === w.shape.length && s.shape.every((d, i) => d === w!.shape[i]);
    if (!same) {
      throw badFile(`weight "${s.name}" has shape ${fmt(s.shape)} in the file, but layer "${w.layer.name}" (${w.layer.className}) needs ${fmt([...w.shape])}`, { weight: s.name, shape: s.shape, expected: [...w.shape] });
    }
    out.set(w, s);
  }
  for (const w of weights) {
    if (!out.has(w)) throw badFile(`weight "${w.path}" of layer "${w.layer.name}" (${w.layer.className}) is missing from the file`, { weight: w.path });
  }
  return out;
}

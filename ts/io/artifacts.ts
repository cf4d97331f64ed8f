// In-memory form of a saved model (TF.js ModelArtifacts) and the model.json written from it.
import { LwError } from '../errors.js';
import type { LayersModel } from '../model/model.js';
import type { JsonObject } from './json.js';
import { optimizerConfig, slotWeights } from './optimizer-state.js';
import { KERAS_VERSION, modelTopology } from './topology.js';
import { crc32, encodeWeights, type NamedWeight, type WeightSpec, type WeightsManifestGroup } from './weights.js';

export const LAYERS_MODEL_FORMAT = 'layers-model';
/** Key of lstm-wasm's own training state in model.json and artifacts (TF.js ignores unknown keys). */
export const STATE_KEY = 'lstmWasm';

/** What lstm-wasm adds to a saved model: compile settings and optimizer state (includeOptimizer). */
export interface TrainingState {
  format: 1;
  compile?: { loss: unknown; metrics?: unknown; loss_weights?: unknown; from_logits?: boolean };
  optimizer?: { class_name: string; config: JsonObject; iterations: number };
  /** Byte count and CRC-32 of the weight data: a model.json and weights file from different saves are caught. */
  weights?: { bytes: number; crc32: number };
}

/** TF.js ModelArtifacts (the fields lstm-wasm reads and writes). */
export interface ModelArtifacts {
  modelTopology: JsonObject;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightSpecs?: WeightSpec[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  trainingConfig?: JsonObject;
  userDefinedMetadata?: JsonObject;
  [STATE_KEY]?: TrainingState;
}

/** model.json as TF.js writes it. */
export interface ModelJson {
  modelTopology: JsonObject;
  format: string;
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: WeightsManifestGroup[];
  [STATE_KEY]?: TrainingState;
}

export interface SaveOptions {
  /** Also save the optimizer (class, config, step count, slots) and compile settings, to resume training exactly. */
  includeOptimizer?: boolean;
}

/** The model's topology, weights (float32) and, when asked, optimizer state. */
export function modelToArtifacts(model: LayersModel, opts: SaveOptions = {}): ModelArtifacts & { weightData: ArrayBuffer; weightSpecs: WeightSpec[] } {
  const topology = modelTopology(model);
  const store = model.params();
  const weights: NamedWeight[] = model.weights.map((w) => ({ name: w.path, shape: w.shape, values: w.read() }));
  const state: TrainingState = { format: 1 };
  const compile = model.compileConfig;
  if (opts.includeOptimizer && compile && model.optimizer) {
    state.compile = { loss: compile.loss, metrics: compile.metrics, loss_weights: compile.lossWeights, from_logits: compile.fromLogits };
    state.optimizer = { ...optimizerConfig(model.optimizer), iterations: model.optimizer.iterations } as TrainingState['optimizer'];
    weights.push(...slotWeights(model.optimizer, store));
  }
  const names = new Set<string>();
  for (const w of weights) {
    if (names.has(w.name)) throw new LwError('BAD_ARGUMENT', `two weights are named "${w.name}": layer names must be unique to save`);
    names.add(w.name);
  }
  const { specs, data } = encodeWeights(weights);
  state.weights = { bytes: data.byteLength, crc32: crc32(new Uint8Array(data)) };
  return {
    modelTopology: topology,
    format: LAYERS_MODEL_FORMAT,
    generatedBy: KERAS_VERSION,
    convertedBy: null,
    weightSpecs: specs,
    weightData: data,
    [STATE_KEY]: state,
  };
}

/** model.json for artifacts whose weight data is written to `weightsPath` (relative to model.json). */
export function artifactsToModelJson(a: ModelArtifacts, weightsPath: string): ModelJson {
  const json: ModelJson = {
    modelTopology: a.modelTopology,
    format: a.format ?? LAYERS_MODEL_FORMAT,
    generatedBy: a.generatedBy ?? KERAS_VERSION,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs ?? [] }],
  };
  if (a[STATE_KEY]) json[STATE_KEY] = a[STATE_KEY];
  return json;
}

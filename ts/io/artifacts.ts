// In-memory form of a saved model (TF.js ModelArtifacts) and the model.json written from it.
import type { JsonObject } from './json.js';
import type { WeightSpec, WeightsManifestGroup } from './weights.js';

const LIB_VERSION = '0.1.0';
/** What model.json's `generatedBy` and a topology's `keras_version` say. */
export const KERAS_VERSION = `lstm-wasm ${LIB_VERSION}`;

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

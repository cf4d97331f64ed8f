// A model as TF.js ModelArtifacts: its topology, its weights (float32) and, when asked, the
// compile settings and optimizer state (lstm-wasm's own key, which TF.js ignores).
import { LwError } from '../errors.js';
import { KERAS_VERSION, LAYERS_MODEL_FORMAT, STATE_KEY, type ModelArtifacts, type SaveOptions, type TrainingState } from '../io/artifacts.js';
import { crc32, encodeWeights, type NamedWeight, type WeightSpec } from '../io/weights.js';
import type { Weight } from '../engine/weight.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerConfig, slotWeights } from '../optim/state.js';
import type { CompileArgs } from './compile.js';
import type { ModelGraph } from '../engine/graph.js';
import type { ParamStore } from '../engine/params.js';
import { modelTopology } from './topology.js';

/** What saving needs of a model. */
export interface SavableModel extends ModelGraph {
  readonly weights: Weight[];
  params(): ParamStore;
  readonly optimizer: Optimizer | null;
  /** compile's arguments, null before compile. */
  readonly compileConfig: CompileArgs | null;
}

/** The model's topology, weights (float32) and, when asked, optimizer state. */
export function modelToArtifacts(model: SavableModel, opts: SaveOptions = {}): ModelArtifacts & { weightData: ArrayBuffer; weightSpecs: WeightSpec[] } {
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


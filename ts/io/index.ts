/** Saving and loading models in the TF.js layers format (model.json + weights.bin). */
export { loadModel, type ModelSource, type LoadHandler } from './load.js';
export { saveModel, toArtifacts, type SaveHandler, type SaveResult } from './save.js';
export type { ModelArtifacts, ModelJson, SaveOptions, TrainingState } from './artifacts.js';
export type { WeightSpec, WeightsManifestGroup } from './weights.js';
export { registerLayer, registeredLayerClasses, type LayerFromConfig, type RegistryContext } from './layer-registry.js';
export { ConfigReader } from './config-reader.js';

export { type Callback, type Logs } from './callback.js';
export { EarlyStopping, earlyStopping, type EarlyStoppingArgs } from './early-stopping.js';
export { ReduceLROnPlateau, reduceLROnPlateau, type ReduceLROnPlateauArgs } from './reduce-lr.js';
export { TerminateOnNaN, terminateOnNaN } from './terminate-on-nan.js';
export { ModelCheckpoint, modelCheckpoint, type ModelCheckpointArgs } from './model-checkpoint.js';

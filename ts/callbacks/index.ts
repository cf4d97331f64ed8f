export { type Callback, type Logs, type TrainParams } from './callback.js';
export { EarlyStopping, earlyStopping, type EarlyStoppingArgs } from './early-stopping.js';
export { ReduceLROnPlateau, reduceLROnPlateau, type ReduceLROnPlateauArgs } from './reduce-lr.js';
export { TerminateOnNaN, terminateOnNaN } from './terminate-on-nan.js';
export { ModelCheckpoint, modelCheckpoint, type ModelCheckpointArgs } from './model-checkpoint.js';
export { ProgressBar, progressBar, type ProgressBarArgs, type ProgressStream } from '../model/progress-bar.js';

// lw.callbacks.Callback (fit's callback protocol with the model typed as a LayersModel) and what the
// monitoring callbacks share.
import type { FitCallback } from '../model/fit-callbacks.js';
import type { LayersModel } from '../model/model.js';

export type { Logs, TrainParams } from '../model/fit-callbacks.js';

/** A callback of fit (Keras, TF.js): an object with any of the hooks; `model` is the model being trained. */
export type Callback = FitCallback<LayersModel>;


/** Whether a monitored quantity improves when it goes down (losses, errors) or up (accuracy). */
export function improvesDown(monitor: string, mode: 'auto' | 'min' | 'max' = 'auto'): boolean {
  if (mode !== 'auto') return mode === 'min';
  return !/acc|auc|precision|recall/.test(monitor);
}

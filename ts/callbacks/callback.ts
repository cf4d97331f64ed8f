import type { LayersModel } from '../model/model.js';

export type Logs = Record<string, number>;

/** What fit tells callbacks before onTrainBegin (Keras `callback.params`). */
export interface TrainParams {
  epochs: number;
  /** batches per epoch */
  steps: number;
  /** training samples per epoch */
  samples: number;
  batchSize: number;
  initialEpoch: number;
}

/** Plain objects with any of these methods work as callbacks (TF.js style); each may be async. */
export interface Callback {
  /** Set by fit before onTrainBegin. */
  model?: LayersModel;
  /** Set by fit before onTrainBegin. */
  params?: TrainParams;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
}

type Hook = 'onTrainBegin' | 'onEpochBegin' | 'onBatchBegin' | 'onBatchEnd' | 'onEpochEnd' | 'onTrainEnd';

/** Calls a hook on every callback in order, awaiting each. */
export async function callHook(callbacks: Callback[], hook: Hook, ...args: unknown[]): Promise<void> {
  for (const cb of callbacks) {
    const f = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (f) await f.apply(cb, args);
  }
}

/** Whether a monitored quantity improves when it goes down (losses, errors) or up (accuracy). */
export function improvesDown(monitor: string, mode: 'auto' | 'min' | 'max' = 'auto'): boolean {
  if (mode !== 'auto') return mode === 'min';
  return !/acc|auc|precision|recall/.test(monitor);
}

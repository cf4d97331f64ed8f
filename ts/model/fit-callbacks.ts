// The protocol between fit and its callbacks: hooks, their logs and the training parameters.

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

/**
 * What fit calls on its callbacks: plain objects with any of these methods (TF.js style); each may
 * be async. `M` is the model type fit sets (lw.callbacks.Callback: an lw.LayersModel).
 */
export interface FitCallback<M = unknown> {
  /** Set by fit before onTrainBegin. */
  model?: M;
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
export async function callHook(callbacks: FitCallback[], hook: Hook, ...args: unknown[]): Promise<void> {
  for (const cb of callbacks) {
    const f = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
    if (f) await f.apply(cb, args);
  }
}

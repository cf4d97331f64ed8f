import { LwError } from '../errors.js';
import type { Callback, Logs } from './callback.js';

/**
 * Stops training with NON_FINITE when a batch loss is NaN or infinite. fit always does this
 * before the bad update (the weights from before the step are kept); this callback exists for
 * code ported from Keras/TF.js and also checks the epoch-level logs (validation loss).
 */
export class TerminateOnNaN implements Callback {
  onBatchEnd(batch: number, logs: Logs = {}): void {
    if (logs.loss !== undefined && !Number.isFinite(logs.loss)) {
      throw new LwError('NON_FINITE', `loss is ${logs.loss} at batch ${batch + 1}`);
    }
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    for (const [k, v] of Object.entries(logs)) {
      if (!Number.isFinite(v)) throw new LwError('NON_FINITE', `${k} is ${v} at the end of epoch ${epoch + 1}; try a lower learning rate or gradient clipping (clipNorm)`);
    }
  }
}

export const terminateOnNaN = () => new TerminateOnNaN();

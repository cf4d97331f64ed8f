import { LwError } from '../errors.js';
import { improvesDown, type Callback, type Logs } from './callback.js';

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number;
  /** Puts back the weights of the best epoch when training stops (or ends). */
  restoreBestWeights?: boolean;
}

/** Stops training when `monitor` has not improved by `minDelta` for `patience` epochs (Keras semantics). */
export class EarlyStopping implements Callback {
  model?: Callback['model'];
  readonly monitor: string;
  private readonly down: boolean;
  private best = NaN;
  private wait = 0;
  private bestWeights: Float32Array | null = null;
  /** Epoch at which training was stopped (0 if it was not). */
  stoppedEpoch = 0;
  bestEpoch = 0;

  constructor(private readonly args: EarlyStoppingArgs = {}) {
    this.monitor = args.monitor ?? 'val_loss';
    this.down = improvesDown(this.monitor, args.mode);
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.args.baseline ?? (this.down ? Infinity : -Infinity);
    this.bestWeights = null;
    this.stoppedEpoch = 0;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const v = logs[this.monitor];
    if (v === undefined) {
      throw new LwError('BAD_ARGUMENT', `earlyStopping monitors "${this.monitor}", which is not in the logs (${Object.keys(logs).join(', ')}); give validation data or monitor "loss"`);
    }
    const delta = Math.abs(this.args.minDelta ?? 0);
    const better = this.down ? v < this.best - delta : v > this.best + delta;
    if (better) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.args.restoreBestWeights) this.bestWeights = this.model!.params().snapshot();
      return;
    }
    this.wait++;
    if (this.wait >= (this.args.patience ?? 0)) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.args.restoreBestWeights && this.bestWeights) this.model!.params().restore(this.bestWeights);
  }
}

export const earlyStopping = (args?: EarlyStoppingArgs) => new EarlyStopping(args);

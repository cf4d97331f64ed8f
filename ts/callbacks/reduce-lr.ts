import { improvesDown, type Callback, type Logs } from './callback.js';

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  factor?: number;
  patience?: number;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
  mode?: 'auto' | 'min' | 'max';
}

/** Multiplies the learning rate by `factor` when `monitor` stalls for `patience` epochs (Keras semantics). */
export class ReduceLROnPlateau implements Callback {
  model?: Callback['model'];
  private best = NaN;
  private wait = 0;
  private cooldownLeft = 0;
  private readonly down: boolean;

  constructor(private readonly args: ReduceLROnPlateauArgs = {}) {
    this.down = improvesDown(args.monitor ?? 'val_loss', args.mode);
  }

  onTrainBegin(): void {
    this.best = this.down ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownLeft = 0;
  }

  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const v = logs[this.args.monitor ?? 'val_loss'] ?? logs.loss;
    const delta = this.args.minDelta ?? 1e-4;
    if (this.cooldownLeft > 0) this.cooldownLeft--;
    if (this.down ? v < this.best - delta : v > this.best + delta) {
      this.best = v;
      this.wait = 0;
      return;
    }
    if (this.cooldownLeft > 0) return;
    if (++this.wait >= (this.args.patience ?? 10)) {
      const opt = this.model!.optimizer!;
      opt.learningRate = Math.max(opt.learningRate * (this.args.factor ?? 0.1), this.args.minLr ?? 0);
      this.cooldownLeft = this.args.cooldown ?? 0;
      this.wait = 0;
    }
  }
}

export const reduceLROnPlateau = (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args);

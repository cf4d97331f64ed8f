import { LwError } from '../errors.js';
import { improvesDown, type Callback, type Logs } from './callback.js';

export interface ModelCheckpointArgs {
  /**
   * Where to save: 'file://dir' (Node, Deno). May hold `{epoch}` (1-based) and log values,
   * with Python-style formats as Keras: 'file://ckpt/{epoch:02d}-{val_loss:.3f}'.
   */
  filepath: string;
  /** Quantity compared for saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** Save only when `monitor` improves on the best seen. */
  saveBestOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** Save the optimizer state too, to resume training exactly (default true). */
  includeOptimizer?: boolean;
  /** Save every this many epochs (default 1). */
  period?: number;
}

/** Formats `{name}`, `{name:02d}`, `{name:.4f}` from the epoch (1-based) and the logs. */
export function formatCheckpointPath(template: string, epoch: number, logs: Logs): string {
  return template.replace(/\{([A-Za-z_][\w]*)(?::(0?)(\d*)(?:\.(\d+))?([df]))?\}/g, (whole, key: string, zero: string, width: string, prec: string, kind: string) => {
    const v = key === 'epoch' ? epoch : Object.prototype.hasOwnProperty.call(logs, key) ? logs[key] : undefined;
    if (v === undefined) throw new LwError('BAD_ARGUMENT', `modelCheckpoint filepath uses ${whole}, but the logs have only epoch, ${Object.keys(logs).join(', ')}`);
    let s = kind === 'd' ? String(Math.round(v)) : kind === 'f' ? v.toFixed(prec ? Number(prec) : 6) : String(v);
    if (width) s = s.padStart(Number(width), zero ? '0' : ' ');
    return s;
  });
}

/** Saves the model at the end of epochs (every one, or only when `monitor` improves). */
export class ModelCheckpoint implements Callback {
  model?: Callback['model'];
  readonly monitor: string;
  private readonly down: boolean;
  private best = NaN;
  /** Path of the last save (file://...), '' before any. */
  lastSaved = '';

  constructor(private readonly args: ModelCheckpointArgs) {
    if (!args || typeof args.filepath !== 'string' || !args.filepath) throw new LwError('BAD_ARGUMENT', "modelCheckpoint needs { filepath: 'file://dir' }");
    const period = args.period ?? 1;
    if (!Number.isInteger(period) || period < 1) throw new LwError('BAD_ARGUMENT', `modelCheckpoint period must be a whole number >= 1, got ${period}`);
    this.monitor = args.monitor ?? 'val_loss';
    this.down = improvesDown(this.monitor, args.mode);
  }

  onTrainBegin(): void {
    this.best = this.down ? Infinity : -Infinity;
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if ((epoch + 1) % (this.args.period ?? 1) !== 0) return;
    if (this.args.saveBestOnly) {
      const v = logs[this.monitor];
      if (v === undefined) {
        throw new LwError('BAD_ARGUMENT', `modelCheckpoint monitors "${this.monitor}", which is not in the logs (${Object.keys(logs).join(', ')}); give validation data or monitor "loss"`);
      }
      if (!(this.down ? v < this.best : v > this.best)) return;
      this.best = v;
    }
    const path = formatCheckpointPath(this.args.filepath, epoch + 1, logs);
    await this.model!.save(path, { includeOptimizer: this.args.includeOptimizer ?? true });
    this.lastSaved = path;
  }
}

/** `lw.callbacks.modelCheckpoint({ filepath: 'file://dir', monitor: 'val_loss', saveBestOnly: true })` */
export const modelCheckpoint = (args: ModelCheckpointArgs) => new ModelCheckpoint(args);

import type { FitCallback, Logs, TrainParams } from './fit-callbacks.js';

/** Where progress goes: a Node/Deno stream (TTY gets a live bar) or plain lines. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarArgs {
  /** Default: process.stdout in Node/Deno, else console.log lines. */
  stream?: ProgressStream;
  /** 'auto': a live bar on a TTY, one line per epoch otherwise; 'lines': always one line per epoch. */
  mode?: 'auto' | 'lines';
  /** Redraw at most this often (ms). */
  interval?: number;
}

const fmtNum = (v: number) => (Math.abs(v) >= 1000 || v === 0 ? v.toFixed(0) : Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4));
const fmtTime = (s: number) => (s >= 90 ? `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, '0')}s` : `${s.toFixed(s < 10 ? 1 : 0)}s`);

function defaultStream(): ProgressStream {
  const out = (globalThis as { process?: { stdout?: ProgressStream } }).process?.stdout;
  if (out && typeof out.write === 'function') return out;
  let pending = '';
  return {
    write(s: string) {
      pending += s;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) console.log(l);
    },
  };
}

/**
 * Keras-style progress: per epoch a bar with batch, loss and metrics, samples/s and ETA (live on
 * a terminal), then a summary line with the validation metrics and the epoch time. fit uses it
 * when `verbose` is 1 (live) or 2 (lines).
 */
export class ProgressBar implements FitCallback {
  params?: TrainParams;
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private readonly interval: number;
  private epoch = 0;
  private started = 0;
  private seen = 0;
  private lastDraw = 0;
  private sums: Record<string, number> = {};

  constructor(args: ProgressBarArgs = {}) {
    this.stream = args.stream ?? defaultStream();
    this.live = (args.mode ?? 'auto') === 'auto' && !!this.stream.isTTY;
    this.interval = args.interval ?? 100;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.started = Date.now();
    this.seen = 0;
    this.sums = {};
    this.lastDraw = 0;
  }

  onBatchEnd(batch: number, logs: Logs = {}): void {
    const size = logs.size ?? 0;
    this.seen += size;
    for (const [k, v] of Object.entries(logs)) if (k !== 'batch' && k !== 'size') this.sums[k] = (this.sums[k] ?? 0) + v * size;
    if (!this.live) return;
    const now = Date.now();
    const steps = this.params?.steps ?? 0;
    if (now - this.lastDraw < this.interval && batch + 1 < steps) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const rate = this.seen / Math.max(elapsed, 1e-3);
    const left = Math.max(0, (this.params?.samples ?? this.seen) - this.seen) / Math.max(rate, 1e-9);
    const width = 24;
    const done = steps ? Math.round((width * (batch + 1)) / steps) : width;
    const bar = `[${'='.repeat(Math.max(0, done - 1))}${done < width ? '>' : '='}${'.'.repeat(width - done)}]`;
    const metrics = Object.entries(this.sums).map(([k, s]) => `${k} ${fmtNum(s / Math.max(this.seen, 1))}`).join('  ');
    const line = `${this.head()} ${bar} ${batch + 1}/${steps}  ${metrics}  ${Math.round(rate)} samples/s  ETA ${fmtTime(left)}`;
    const cols = this.stream.columns ?? 120;
    this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
  }

  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const secs = (Date.now() - this.started) / 1000;
    const rate = this.seen / Math.max(secs, 1e-3);
    const metrics = Object.entries(logs).map(([k, v]) => `${k} ${fmtNum(v)}`).join('  ');
    this.stream.write(`${this.live ? '\r\x1b[K' : ''}${this.head()} ${fmtTime(secs)}  ${Math.round(rate)} samples/s  ${metrics}\n`);
  }

  private head(): string {
    const total = this.params?.epochs ?? 0;
    return `Epoch ${String(this.epoch + 1).padStart(String(total).length)}/${total}`;
  }
}

export const progressBar = (args?: ProgressBarArgs) => new ProgressBar(args);

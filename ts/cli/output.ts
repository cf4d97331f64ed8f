import type { ProgressStream } from '../model/progress-bar.js';

/** Where the CLI writes: injectable so that tests and other hosts can capture it. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The progress bar's stream (a live bar when it is a terminal). */
  progress: ProgressStream;
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    progress: process.stderr,
  };
}

/**
 * A command's output. Without --json, reports go to stdout. With --json, stdout carries only the
 * final JSON object (one line) and the human-readable lines go to stderr, so `| jq` just works.
 */
export class Output {
  constructor(readonly io: CliIO, readonly jsonMode: boolean) {}

  /** A human-readable line (stderr under --json). */
  info(line: string): void {
    (this.jsonMode ? this.io.stderr : this.io.stdout)(`${line}\n`);
  }

  /** A result line (predictions, generated text): stdout unless --json. */
  result(line: string): void {
    if (!this.jsonMode) this.io.stdout(`${line}\n`);
  }

  /** The --json object, as the last line of stdout. */
  json(value: unknown): void {
    if (this.jsonMode) this.io.stdout(`${JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))}\n`);
  }
}

/** A metric for people: 4 significant decimals, small values in exponent form. */
export function fmtMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(3);
  return Math.abs(v) >= 1e4 ? v.toFixed(1) : v.toFixed(4);
}

/** `name value` lines, names aligned. */
export function metricLines(metrics: Record<string, number>): string[] {
  const w = Math.max(...Object.keys(metrics).map((k) => k.length));
  return Object.entries(metrics).map(([k, v]) => `  ${k.padEnd(w)}  ${fmtMetric(v)}`);
}

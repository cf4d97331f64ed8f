// Options and results the training examples have in common, the start of a run, and the
// early stopping they use.
import * as lw from 'lstm-wasm';
import { stopwatch } from './timing.js';

export interface ExampleOptions {
  seed?: number;
  /** fit's progress output: 0 none, 1 live, 2 a line per epoch (default 1). */
  verbose?: 0 | 1 | 2;
  /** Where the example's report lines go (default console.log). */
  log?: (line: string) => void;
}

export interface RunFolderOptions extends ExampleOptions {
  /** Run folder; default runs/<example>-<time>. */
  out?: string;
}

/** Where an example's written files are. */
export interface RunFolderResult {
  outDir: string;
  files: string[];
}

/** The `log` option, else console.log. */
export const logOf = (opts: ExampleOptions) => opts.log ?? ((line: string) => console.log(line));

export interface RunStart {
  /** Seconds since the run started. */
  elapsed: () => number;
  log: (line: string) => void;
  seed: number;
}

/** Starts the clock, waits for the backend and seeds lw's generator with `opts.seed ?? defaultSeed`. */
export async function startRun(opts: ExampleOptions, defaultSeed: number): Promise<RunStart> {
  const elapsed = stopwatch();
  const seed = opts.seed ?? defaultSeed;
  await lw.ready();
  lw.setSeed(seed);
  return { elapsed, log: logOf(opts), seed };
}

/**
 * Ends training when val_loss has not improved for `patience` epochs (keeping the best weights),
 * and halves the learning rate, down to `minLr`, after `lrPatience` epochs without improvement.
 */
export function stopOnPlateau(patience: number, lrPatience: number, minLr: number): lw.callbacks.Callback[] {
  return [
    lw.callbacks.earlyStopping({ monitor: 'val_loss', patience, restoreBestWeights: true }),
    lw.callbacks.reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: lrPatience, minLr }),
  ];
}

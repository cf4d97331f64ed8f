// What the comparison benchmark measures and how a system's process reports it to bench/run.ts.
//
// Every system runs in a process of its own and writes one JSON object per line to stdout,
// prefixed with EVENT_PREFIX (libraries print banners and warnings to stdout too). A measurement
// reports every step as it ends, so the orchestrator can still give a figure, or a bound, for a
// process it had to kill because a single step outlasted the budget.

/** The seed article's model: embedding 10000x64 over 50 tokens → LSTM 64 (sequences) → LSTM 32 → dense sigmoid. */
export const WORKLOAD = {
  vocab: 10000,
  seqLen: 50,
  embedDim: 64,
  units1: 64,
  units2: 32,
  batch: 64,
} as const;

/**
 * - train.embedding: training steps (forward, backward, Adam) on the seed model, batch 64, token
 *   ids drawn uniformly from the vocabulary (about 86% of a batch's 3,200 tokens distinct).
 * - train.words: the same with word-like token frequencies (Zipf's law, s = 1: id k drawn with
 *   probability ∝ 1/k; about 42% of a batch's tokens distinct), as text gives.
 * - train.floats: the same model without the embedding, float inputs [64, 50, 64] (TF.js's wasm
 *   backend cannot train an embedding, so every system has a comparable training row).
 * - predict.batch64: inference on the seed model, 64 sequences per call.
 * - predict.batch1: inference latency on one sequence.
 */
export const MEASURES = ['train.embedding', 'train.words', 'train.floats', 'predict.batch64', 'predict.batch1'] as const;
export type MeasureName = (typeof MEASURES)[number];

export type MeasureStatus =
  /** A median over timed repeats after warm-up. */
  | 'ok'
  /** The budget ran out before the planned repeats: the median of those that ran. */
  | 'partial'
  /** The budget ran out before any timed repeat: `value` is a bound (see `bound`). */
  | 'exceeded'
  /** The system cannot do this (reason says why). */
  | 'unsupported'
  /** The system (or this variant of it) is not available on this machine. */
  | 'unavailable'
  | 'error';

export interface MeasureResult {
  measure: string;
  status: MeasureStatus;
  /** samples/s for train.* and predict.batch64, milliseconds for predict.batch1. */
  value?: number;
  unit: 'samples/s' | 'ms';
  /** For status 'exceeded': whether `value` is a lower or an upper bound on the true figure. */
  bound?: 'lower' | 'upper';
  reason?: string;
  /** Milliseconds per step over the timed repeats. */
  medianMs?: number;
  minMs?: number;
  relIqr?: number;
  repeats?: number;
  warmupSteps?: number;
  warmupMs?: number;
  /** Samples per step (the batch). */
  samples?: number;
  /** Anything the system wants to add (model differences, checks). */
  notes?: string[];
  /** With several rounds (bench/run.ts --rounds): every round's value, in order; the figure is the best. */
  roundValues?: (number | null)[];
}

/** Kernel time vs TypeScript time in lstm-wasm training steps (a separate profiling pass). */
export interface KernelProfile {
  steps: number;
  /** Median wall time of a profiled step (timers around every kernel call included). */
  stepMs: number;
  /** Median time inside kernel calls per step. */
  kernelMs: number;
  kernelShare: number;
  typescriptShare: number;
  /** Milliseconds per step by kernel, largest first. */
  byKernel: { name: string; ms: number; calls: number }[];
}

/** GEMM 256^3 against the best single-thread SIMD128 micro-kernel loop measured in the same run. */
export interface GemmPeak {
  gemm: { shape: string; gflops: number; medianMs: number }[];
  /** The best of the hand-written micro-kernel loops (GFLOP/s, 1 thread, L1-resident). */
  peak: { gflops: number; shape: string; all: { shape: string; gflops: number }[] };
  /** GEMM 256^3 / peak. */
  gemm256OfPeak: number;
  /**
   * The core's clock measured by a chain of dependent 3-cycle multiplies, and the flops per cycle
   * the best loop and GEMM 256^3 reach at it: a 4-lane mul and add on separate ports can do at
   * most 4 flops per port and cycle.
   */
  clock?: { ghz: number; peakFlopsPerCycle: number; gemm256FlopsPerCycle: number };
}

export type BenchEvent =
  | { event: 'hello'; system: string; version?: string; details?: Record<string, unknown>; rssMB?: number }
  | { event: 'start'; measure: string; budgetMs: number }
  | { event: 'step'; measure: string; phase: 'warmup' | 'timed'; ms: number; samples: number }
  | { event: 'result'; result: MeasureResult }
  | { event: 'extra'; key: string; value: unknown }
  | { event: 'skip'; reason: string }
  | { event: 'done'; peakRssMB?: number };

export const EVENT_PREFIX = '@@bench ';

export function formatEvent(e: BenchEvent): string {
  return EVENT_PREFIX + JSON.stringify(e);
}

/** The event on a line of a system's stdout, or undefined for any other output. */
export function parseEvent(line: string): BenchEvent | undefined {
  const at = line.indexOf(EVENT_PREFIX);
  if (at < 0) return undefined;
  try {
    return JSON.parse(line.slice(at + EVENT_PREFIX.length)) as BenchEvent;
  } catch {
    return undefined;
  }
}

/** Arguments the orchestrator passes to every system process. */
export interface SystemArgs {
  measures: string[];
  budgetMs: number;
  quick: boolean;
  variant?: string;
}

export function parseSystemArgs(argv: readonly string[]): SystemArgs {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    measures: (get('measures') ?? MEASURES.join(',')).split(',').filter(Boolean),
    budgetMs: Number(get('budget-ms') ?? 60_000),
    quick: argv.includes('--quick'),
    variant: get('variant'),
  };
}

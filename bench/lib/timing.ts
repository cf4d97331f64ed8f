// Timing loops: warm-up (so the engine's optimizing tier is in), self-calibrating batches, medians.
import { summarize, type Summary } from './stats.js';

export interface MeasureOptions {
  /** Time spent calling `fn` before measuring (lets V8 tier up wasm and JS). Default 300 ms. */
  warmupMs?: number;
  /** Minimum number of timed samples. Default 15. */
  minSamples?: number;
  /** Stop adding samples after this many. Default 200. */
  maxSamples?: number;
  /** Keep sampling (beyond minSamples) until this much time has passed. Default 1000 ms. */
  targetMs?: number;
  /** A sample calls `fn` enough times to last at least this long. Default 2 ms. */
  minSampleMs?: number;
  /** Hard cap on the time spent, warm-up included; wins over minSamples. Default 20 s. */
  maxMs?: number;
}

export interface Measurement extends Summary {
  /** Calls per sample. */
  inner: number;
  /** Summary values are milliseconds per call. */
  unit: 'ms';
}

const now = () => performance.now();

/**
 * Times `fn` (one call = one unit of work) and summarizes milliseconds per call over samples.
 * A slow `fn` (the JS backend) gets one call per sample and few samples: set minSamples and
 * warmupMs low for it.
 */
export function measure(fn: () => void, opts: MeasureOptions = {}): Measurement {
  const warmupMs = opts.warmupMs ?? 300;
  const minSamples = opts.minSamples ?? 15;
  const maxSamples = opts.maxSamples ?? 200;
  const targetMs = opts.targetMs ?? 1000;
  const minSampleMs = opts.minSampleMs ?? 2;
  const maxMs = opts.maxMs ?? 20_000;
  const start = now();

  // Warm-up, at least one call; it also estimates the cost of a call.
  let calls = 0;
  do {
    fn();
    calls++;
  } while (now() - start < warmupMs);
  const perCall = (now() - start) / calls;
  const inner = Math.max(1, Math.ceil(minSampleMs / Math.max(perCall, 1e-6)));

  const samples: number[] = [];
  const measureStart = now();
  while (samples.length < maxSamples) {
    const t0 = now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((now() - t0) / inner);
    const elapsed = now() - measureStart;
    if (now() - start > maxMs) break;
    if (samples.length >= minSamples && elapsed >= targetMs) break;
  }
  return { ...summarize(samples), inner, unit: 'ms' };
}

export interface RoundsMeasurement extends Measurement {
  /** The median of every round, in order; the summary above is the round with the lowest. */
  roundMedians: number[];
}

/**
 * `measure` repeated `rounds` times (warm-up only before the first) keeping the round with the
 * lowest median: on a shared machine a burst of other work inflates a whole round, and the best
 * round's median is the reproducible figure. Still a median of >= minSamples samples.
 */
export function measureRounds(fn: () => void, opts: MeasureOptions = {}, rounds = 3): RoundsMeasurement {
  let best: Measurement | undefined;
  const roundMedians: number[] = [];
  for (let r = 0; r < Math.max(1, rounds); r++) {
    const m = measure(fn, r === 0 ? opts : { ...opts, warmupMs: 0 });
    roundMedians.push(m.median);
    if (!best || m.median < best.median) best = m;
  }
  return { ...best!, roundMedians };
}

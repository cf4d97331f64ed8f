// The system-process side of the comparison benchmark: workload data, the budgeted timing loop
// (warm-up excluded, median of repeats), peak memory, and the events bench/run.ts reads.
import { readFileSync } from 'node:fs';
import { summarize } from '../lib/stats.js';
import { uniform } from '../lib/random.js';
import {
  WORKLOAD, formatEvent, parseSystemArgs,
  type BenchEvent, type MeasureResult, type SystemArgs,
} from './protocol.js';

export { uniform };

export function emit(e: BenchEvent): void {
  process.stdout.write(formatEvent(e) + '\n');
}

/** Thrown by a measurement the system cannot do; becomes status 'unsupported' with this reason. */
export class Unsupported extends Error {}

/** One timed unit of work: a training step on a batch, or a predict call. */
export interface MeasureDef {
  run: () => unknown | Promise<unknown>;
  /** Samples per call. */
  samples: number;
  unit: 'samples/s' | 'ms';
  notes?: string[];
}

export interface SystemDef {
  system: string;
  version?: string;
  details?: Record<string, unknown>;
  /** Builds a measurement (model, data); throw Unsupported for what the system cannot do. */
  measures: Record<string, () => MeasureDef | Promise<MeasureDef>>;
  /** Untimed extras (profiling passes, checks) run in order when named in --measures. */
  extras?: Record<string, () => unknown | Promise<unknown>>;
  /** Runs after peak memory is reported (e.g. a correctness check that loads another library). */
  after?: () => unknown | Promise<unknown>;
}

/**
 * Token ids in [1, vocab) for `batch` sequences of the seed model's length: uniform, or `words`:
 * Zipf's law with s = 1 (log-uniform: id k with probability ∝ 1/k), as words occur in text.
 */
export function tokenBatch(batch: number, seed = 1, words = false): Int32Array {
  const u = uniform(batch * WORKLOAD.seqLen, seed);
  const V = WORKLOAD.vocab;
  return Int32Array.from(u, (v) => (words ? Math.min(V - 1, Math.max(1, Math.floor(Math.exp(v * Math.log(V))))) : 1 + Math.floor(v * (V - 1))));
}

/** Float inputs [batch, 50, 64] in [-1, 1) for the model without embedding. */
export function floatBatch(batch: number, seed = 2): Float32Array {
  const u = uniform(batch * WORKLOAD.seqLen * WORKLOAD.embedDim, seed);
  return Float32Array.from(u, (v) => v * 2 - 1);
}

/** Binary labels for `batch` samples. */
export function labelBatch(batch: number, seed = 3): Float32Array {
  return Float32Array.from(uniform(batch, seed), (v) => (v < 0.5 ? 0 : 1));
}

function procStatusKB(field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident memory of this process so far, MiB (threads included). */
export function peakRssMB(): number {
  const kb = procStatusKB('VmHWM') ?? process.resourceUsage().maxRSS;
  return kb / 1024;
}

export function rssMB(): number {
  const kb = procStatusKB('VmRSS');
  return kb !== undefined ? kb / 1024 : process.memoryUsage().rss / 2 ** 20;
}

export interface LoopPlan {
  /** Warm up at least this long (and at least one step). */
  warmupMs: number;
  maxWarmupSteps: number;
  minRepeats: number;
  maxRepeats: number;
  /** Keep repeating (beyond minRepeats) until this much timed work. */
  targetMs: number;
}

export function loopPlan(quick: boolean, budgetMs: number): LoopPlan {
  if (quick) return { warmupMs: 0, maxWarmupSteps: 1, minRepeats: 1, maxRepeats: 3, targetMs: 0 };
  return { warmupMs: Math.min(1500, budgetMs * 0.1), maxWarmupSteps: 10, minRepeats: 5, maxRepeats: 200, targetMs: Math.min(4000, budgetMs * 0.3) };
}

const now = () => performance.now();

/** The result from per-step times; shared with the orchestrator's reconstruction after a kill. */
export function resultFromSteps(
  measure: string, unit: 'samples/s' | 'ms', samples: number, warmup: number[], timed: number[], minRepeats: number,
  budgetMs: number,
): MeasureResult {
  const warmupMs = warmup.reduce((a, b) => a + b, 0);
  const base = { measure, unit, samples, warmupSteps: warmup.length, warmupMs };
  if (timed.length === 0) {
    // Only unwarmed steps: the last one is slower than a warm step, so it bounds the figure.
    const last = warmup[warmup.length - 1];
    if (last === undefined) return { ...base, status: 'error', reason: 'no step ran' };
    const value = unit === 'ms' ? last : samples / (last / 1000);
    return {
      ...base, status: 'exceeded', value, bound: unit === 'ms' ? 'upper' : 'lower',
      reason: `exceeded budget (${(budgetMs / 1000).toFixed(0)} s) before a timed repeat: bound from the unwarmed step (${(last / 1000).toFixed(1)} s)`,
    };
  }
  const s = summarize(timed);
  const value = unit === 'ms' ? s.median : samples / (s.median / 1000);
  const partial = timed.length < minRepeats;
  return {
    ...base, status: partial ? 'partial' : 'ok', value, medianMs: s.median, minMs: s.min, relIqr: s.relIqr, repeats: timed.length,
    ...(partial ? { reason: `budget (${(budgetMs / 1000).toFixed(0)} s) allowed ${timed.length} of ${minRepeats} repeats` } : {}),
  };
}

/** Warm-up, then timed repeats within the budget; every step is reported as it ends. */
export async function timeMeasure(measure: string, def: MeasureDef, budgetMs: number, plan: LoopPlan): Promise<MeasureResult> {
  emit({ event: 'start', measure, budgetMs });
  const deadline = now() + budgetMs;
  const step = async (phase: 'warmup' | 'timed') => {
    const t0 = now();
    await def.run();
    const ms = now() - t0;
    emit({ event: 'step', measure, phase, ms, samples: def.samples });
    return ms;
  };
  const warmup: number[] = [];
  const started = now();
  do {
    warmup.push(await step('warmup'));
  } while (warmup.length < plan.maxWarmupSteps && now() - started < plan.warmupMs && now() + warmup[warmup.length - 1] < deadline);
  const timed: number[] = [];
  let timedMs = 0;
  for (;;) {
    if (timed.length >= plan.maxRepeats) break;
    if (timed.length >= plan.minRepeats && timedMs >= plan.targetMs) break;
    const expected = timed.length ? Math.min(...timed) : warmup[warmup.length - 1];
    if (now() + expected > deadline) break;
    const ms = await step('timed');
    timed.push(ms);
    timedMs += ms;
  }
  const r = resultFromSteps(measure, def.unit, def.samples, warmup, timed, plan.minRepeats, budgetMs);
  return def.notes ? { ...r, notes: def.notes } : r;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0].slice(0, 300);
}

/** Runs the measurements named on the command line and reports them; the process then exits. */
export async function runSystem(define: (args: SystemArgs) => SystemDef | Promise<SystemDef>): Promise<void> {
  const args = parseSystemArgs(process.argv.slice(2));
  let def: SystemDef;
  try {
    def = await define(args);
  } catch (e) {
    emit({ event: 'skip', reason: e instanceof Unsupported ? e.message : `setup failed: ${firstLine(e)}` });
    emit({ event: 'done', peakRssMB: peakRssMB() });
    return;
  }
  emit({ event: 'hello', system: def.system, version: def.version, details: def.details, rssMB: rssMB() });
  const plan = loopPlan(args.quick, args.budgetMs);
  for (const name of args.measures) {
    const extra = def.extras?.[name];
    if (extra) {
      try {
        emit({ event: 'extra', key: name, value: await extra() });
      } catch (e) {
        emit({ event: 'extra', key: name, value: { error: firstLine(e) } });
      }
      continue;
    }
    const make = def.measures[name];
    const unit = name === 'predict.batch1' ? 'ms' : 'samples/s';
    if (!make) {
      emit({ event: 'result', result: { measure: name, status: 'unsupported', unit, reason: `${def.system} has no ${name}` } });
      continue;
    }
    let result: MeasureResult;
    try {
      result = await timeMeasure(name, await make(), args.budgetMs, plan);
    } catch (e) {
      result = e instanceof Unsupported
        ? { measure: name, status: 'unsupported', unit, reason: e.message }
        : { measure: name, status: 'error', unit, reason: firstLine(e) };
    }
    emit({ event: 'result', result });
  }
  emit({ event: 'done', peakRssMB: peakRssMB() });
  if (def.after) {
    try {
      await def.after();
    } catch (e) {
      emit({ event: 'extra', key: 'after', value: { error: firstLine(e) } });
    }
  }
}

// compile(): the loss, loss weight and metrics of every output, resolved once from the Keras-style
// arguments (one for all outputs, a list per output, or a record by output name).
import { LwError } from '../errors.js';
import type { SymbolicTensor } from '../engine/layer.js';
import { isSparseLoss, resolveLoss, type LossName } from '../backend/kernels/index.js';
import { getMetric, type Metric } from '../metrics.js';
import type { Optimizer } from '../optim/optimizer.js';

export interface CompileArgs {
  optimizer: string | Optimizer;
  /** One loss for every output, one per output (array), or by output name. */
  loss: string | string[] | Record<string, string>;
  /** Metrics for every output (`['accuracy']`), per output (`[['mae'], ['accuracy']]`), or by output name. */
  metrics?: string[] | string[][] | Record<string, string[]>;
  /** Weights of the outputs' losses in the total (array or by output name). */
  lossWeights?: number[] | Record<string, number>;
  /** Losses take raw scores instead of probabilities. */
  fromLogits?: boolean;
}

/** An output's loss as compile resolved it (the kernel call is `lossForward`). */
export interface CompiledLoss {
  name: LossName;
  /** Targets are integer class ids (one per row), not a tensor shaped like the prediction. */
  sparse: boolean;
  fromLogits: boolean;
}

/** What one model output is trained and measured with. */
export interface OutputTarget {
  loss: CompiledLoss;
  weight: number;
  metrics: Metric[];
  /** The output's last dimension (classes for the sparse loss). */
  cols: number;
}

const outputName = (o: SymbolicTensor) => o.node.layer.name;

/** The targets of `outputs` from compile's arguments. */
export function resolveTargets(outputs: SymbolicTensor[], args: CompileArgs): OutputTarget[] {
  const names = outputs.map(outputName);
  const pick = <T>(v: T | T[] | Record<string, T> | undefined, i: number, what: string, fallback?: T): T => {
    if (v === undefined) return fallback as T;
    if (Array.isArray(v)) {
      if (v.length !== outputs.length) throw new LwError('BAD_ARGUMENT', `compile: ${what} has ${v.length} entries for ${outputs.length} outputs`);
      return v[i];
    }
    if (typeof v === 'object' && v !== null) {
      const rec = v as Record<string, T>;
      if (!(names[i] in rec)) throw new LwError('BAD_ARGUMENT', `compile: ${what} has no entry for output "${names[i]}"`);
      return rec[names[i]];
    }
    return v as T;
  };
  return outputs.map((o, i) => {
    // Keras / TF.js names: 'binary_crossentropy', 'binaryCrossentropy', 'mse'.
    const name = resolveLoss(pick(args.loss as string | string[] | Record<string, string>, i, 'loss'));
    const loss: CompiledLoss = { name, sparse: isSparseLoss(name), fromLogits: args.fromLogits ?? false };
    const cols = Number(o.shape[o.shape.length - 1] ?? 1);
    return {
      loss,
      weight: pick(args.lossWeights, i, 'lossWeights', 1),
      cols,
      metrics: metricNames(outputs, args.metrics, i).map((m) => getMetric(m, loss.name, cols)),
    };
  });
}

/** The metric names of output i from compile's `metrics` (shared list, list per output, or by name). */
function metricNames(outputs: SymbolicTensor[], metrics: CompileArgs['metrics'], i: number): string[] {
  if (!metrics) return [];
  if (Array.isArray(metrics)) {
    if (!metrics.some(Array.isArray)) return metrics as string[];
    if (metrics.length !== outputs.length) throw new LwError('BAD_ARGUMENT', `compile: metrics has ${metrics.length} lists for ${outputs.length} outputs`);
    return (metrics as string[][])[i] ?? [];
  }
  const unknown = Object.keys(metrics).filter((k) => !outputs.some((o) => outputName(o) === k));
  if (unknown.length) throw new LwError('BAD_ARGUMENT', `compile: metrics names no output ${unknown.map((u) => `"${u}"`).join(', ')}`);
  const name = outputName(outputs[i]);
  return Object.prototype.hasOwnProperty.call(metrics, name) ? metrics[name] : [];
}

/**
 * History keys besides the total loss, in Keras order: with several outputs, each output's own
 * (unweighted) loss `<output>_loss`, then the metrics prefixed with their output's name.
 */
export function metricKeys(outputs: SymbolicTensor[], targets: OutputTarget[]): string[] {
  const multi = outputs.length > 1;
  const names = outputs.map(outputName);
  const losses = multi ? names.map((n) => `${n}_loss`) : [];
  return [...losses, ...targets.flatMap((t, i) => t.metrics.map((m) => (multi ? `${names[i]}_${m.key}` : m.key)))];
}

// Inference and evaluation over a data set, batch by batch (no dropout; seeded the same each call).
import type { Backend } from '../backend/backend.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';
import { range } from './batches.js';
import { forwardBatch, runStep, type BatchModel } from './step.js';

/** The outputs for `xs` computed in batches: one tensor per output, [n, ...output shape]. */
export function predictBatches(m: BatchModel, backend: Backend, xs: Tensor[], batchSize: number): Tensor[] {
  const n = xs[0].shape[0];
  // Output sizes come from each batch's activations: unknown (null) time dimensions are allowed.
  const parts: Float32Array[][] = m.outputs.map(() => []);
  const shapes: number[][] = m.outputs.map(() => []);
  const rng = new Random(0);
  for (let start = 0; start < n; start += batchSize) {
    const idx = range(start, Math.min(n, start + batchSize));
    backend.scoped((scope) => {
      const { trace } = forwardBatch(m, backend, scope, xs, idx, false, rng);
      m.outputs.forEach((o, j) => {
        const a = trace.acts.get(o)!;
        shapes[j] = a.shape.slice(1);
        parts[j].push(backend.readFloats(a.ptr, a.shape.reduce((p, d) => p * d, 1)) as Float32Array);
      });
    });
  }
  return parts.map((ps, j) => {
    const out = new Float32Array(ps.reduce((a, p) => a + p.length, 0));
    let off = 0;
    for (const p of ps) {
      out.set(p, off);
      off += p.length;
    }
    return new Tensor(out, [n, ...shapes[j]]);
  });
}

/**
 * The masks of the outputs (null: none) for `xs` and the inputs' masks, from one forward pass over
 * every row (inference): what the graph's layers hand downstream.
 */
export function outputMasks(m: BatchModel, backend: Backend, xs: Tensor[], masks: readonly (Tensor | null)[]): (Tensor | null)[] {
  const n = xs[0].shape[0];
  return backend.scoped((scope) => {
    const { trace } = forwardBatch(m, backend, scope, xs, range(0, n), false, new Random(0), masks);
    return m.outputs.map((o) => {
      const a = trace.acts.get(o)!;
      if (!a.mask) return null;
      const [b, t] = a.shape;
      return new Tensor(backend.readFloats(a.mask, b * t) as Float32Array, [b, t]);
    });
  });
}

/** Loss and metric means over (xs, ys) by history key, each prefixed with `prefix` ('val_'). */
export function evaluateBatches(m: BatchModel, backend: Backend, xs: Tensor[], ys: Tensor[], batchSize: number, prefix = ''): Record<string, number> {
  const n = xs[0].shape[0];
  const rng = new Random(0);
  let loss = 0;
  const sums: Record<string, number> = {};
  for (let start = 0; start < n; start += batchSize) {
    const idx = range(start, Math.min(n, start + batchSize));
    const logs = runStep(m, backend, xs, ys, idx, false, rng);
    loss += logs.loss * idx.length;
    for (const [key, v] of Object.entries(logs.metricSums)) sums[key] = (sums[key] ?? 0) + v;
  }
  const out: Record<string, number> = { [`${prefix}loss`]: loss / n };
  for (const key of m.metricKeys) out[`${prefix}${key}`] = (sums[key] ?? 0) / n;
  return out;
}

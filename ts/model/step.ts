// One batch through a model: its rows copied into the batch scope, the forward pass, one loss
// kernel per output, metrics and, when training, backward and the optimizer's update.
import type { Backend, Scope } from '../backend/backend.js';
import { lossForward, sumSquares } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import type { Node, SymbolicTensor } from '../engine/layer.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import type { OutputTarget } from './compile.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { runBackward, runForward, type Trace } from '../engine/graph.js';
import type { ParamStore } from '../engine/params.js';

/** What running a batch needs of a model: its graph, its parameters and what compile resolved. */
export interface BatchModel {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** The graph's nodes in execution order. */
  nodes: Node[];
  store: ParamStore;
  /** One per output; empty before compile (prediction only). */
  targets: OutputTarget[];
  /** History keys besides the loss (see metricKeys). */
  metricKeys: string[];
  optimizer: Optimizer | null;
}

/** Per-batch numbers of a training or evaluation step. */
export interface StepLogs {
  /** Weighted total loss, mean over the batch. */
  loss: number;
  /** Metric sums over rows (divide by rows for means) by history key. */
  metricSums: Record<string, number>;
  rows: number;
}

function execCtx(m: BatchModel, backend: Backend, scope: Scope, training: boolean, rng: Random): ExecCtx {
  const store = m.store;
  const fb = backend.floatBytes;
  return {
    backend, scope, training, rng,
    fi: (p) => p / fb,
    alloc: (n) => scope.floats(n),
    zeros: (n) => scope.zeros(n),
    paramPtr: (o) => store.params + o * fb,
    gradPtr: (o) => store.grads + o * fb,
    derived: (key, spec) => store.derived.get(key, spec),
  };
}

/**
 * Copies rows `idx` of each tensor into the scope (int32 tensors as i32, others as floats).
 * `checked`: the tensors are model inputs that checkInputs has seen.
 */
function feed(backend: Backend, scope: Scope, data: Tensor[], idx: ArrayLike<number>, checked = false): BatchTensor[] {
  return data.map((t) => {
    const per = t.size / t.shape[0];
    const ints = t.dtype === 'int32';
    const p = ints ? scope.ints(idx.length * per) : scope.floats(idx.length * per);
    const view = ints ? backend.ints() : backend.floats();
    const base = ints ? p / 4 : backend.fi(p);
    const src = t.dataSync();
    for (let r = 0; r < idx.length; r++) view.set(src.subarray(idx[r] * per, idx[r] * per + per), base + r * per);
    return { ptr: p, shape: [idx.length, ...t.shape.slice(1)], checked };
  });
}

/**
 * The forward pass over rows `idx` of `xs` (from checkInputs), inside `scope`. `masks`: the inputs'
 * masks [n, time] (null: none), as computeMask is given them.
 */
export function forwardBatch(m: BatchModel, backend: Backend, scope: Scope, xs: Tensor[], idx: ArrayLike<number>, training: boolean, rng: Random, masks?: readonly (Tensor | null)[]): { ctx: ExecCtx; trace: Trace } {
  const ctx = execCtx(m, backend, scope, training, rng);
  const acts = feed(backend, scope, xs, idx, true);
  masks?.forEach((mask, i) => {
    if (mask) acts[i].mask = feed(backend, scope, [mask], idx)[0].ptr;
  });
  const trace = runForward(ctx, m.nodes, new Map(m.inputs.map((t, i) => [t, acts[i]])), m.outputs);
  return { ctx, trace };
}

/**
 * One batch: forward, losses (and metrics) and, when training, backward and the optimizer
 * update. Throws NON_FINITE before updating when the loss or a gradient is NaN or infinite.
 * `ys` come from checkTargets (sparse targets already int32 class ids).
 */
export function runStep(m: BatchModel, backend: Backend, xs: Tensor[], ys: Tensor[], idx: ArrayLike<number>, training: boolean, rng: Random): StepLogs {
  const k = backend.kernels;
  return backend.scoped((scope) => {
    const { ctx, trace } = forwardBatch(m, backend, scope, xs, idx, training, rng);
    const targets = feed(backend, scope, ys, idx);
    const seeds = new Map<SymbolicTensor, number>();
    const metricSums: Record<string, number> = {};
    const multi = m.outputs.length > 1;
    let keyIndex = multi ? m.outputs.length : 0;
    let loss = 0;
    m.outputs.forEach((o, j) => {
      const t = m.targets[j];
      const pred = trace.acts.get(o)!;
      const cols = pred.shape[pred.shape.length - 1];
      const rows = pred.shape.reduce((a, b) => a * b, 1) / cols;
      const lossOut = scope.floats(rows);
      const grad = training ? scope.floats(rows * cols) : 0;
      lossForward(k, {
        loss: t.loss.name, fromLogits: t.loss.fromLogits, rows, cols, pred: pred.ptr, target: targets[j].ptr, scale: t.weight / rows, perRow: lossOut, grad,
      });
      const lo = backend.fi(lossOut);
      const f = backend.floats();
      let s = 0;
      for (let r = 0; r < rows; r++) s += f[lo + r];
      loss += (t.weight * s) / rows;
      if (multi) metricSums[m.metricKeys[j]] = (s / rows) * idx.length;
      if (grad) seeds.set(o, grad);
      if (t.metrics.length) {
        const predVals = backend.readFloats(pred.ptr, rows * cols);
        const tp = targets[j].ptr;
        const targetVals = t.loss.sparse ? backend.ints().slice(tp / 4, tp / 4 + rows) : backend.readFloats(tp, rows * cols);
        for (const metric of t.metrics) metricSums[m.metricKeys[keyIndex++]] = (metric.batchSum(predVals, targetVals, rows, cols) / rows) * idx.length;
      }
    });
    if (!Number.isFinite(loss)) {
      throw new LwError('NON_FINITE', `loss is ${loss}: the model diverged or the data has NaN/Inf; try a lower learning rate or gradient clipping (clipNorm)`, { loss });
    }
    if (training) {
      m.store.zeroGrads();
      runBackward(ctx, m.nodes, trace, seeds);
      assertFiniteGradients(m.store, loss);
      m.optimizer!.apply(m.store);
    }
    return { loss, metricSums, rows: idx.length };
  });
}

/**
 * NON_FINITE before the update when a gradient is NaN or infinite although the loss is finite
 * (an overflow in backward): the update would make the weights non-finite for good.
 */
function assertFiniteGradients(store: ParamStore, loss: number): void {
  const k = store.backend.kernels;
  if (Number.isFinite(sumSquares(k, { n: store.trainableFloats, x: store.grads }))) return;
  const bad = store.weights.find((w) => w.trainable && w.layer.trainable && !Number.isFinite(sumSquares(k, { n: w.size, x: store.gradPtr(w) })));
  const where = bad ? `the gradient of ${bad.path} (layer "${bad.layer.name}", ${bad.layer.className})` : 'the gradients';
  throw new LwError('NON_FINITE', `${where} overflowed (NaN or infinite) with a loss of ${loss}: the model diverged; try a lower learning rate or gradient clipping (clipNorm)`, { loss, weight: bad?.path });
}

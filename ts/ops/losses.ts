import { currentBackend } from '../runtime/ready.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { isSparseLoss, lossForward, resolveLoss } from '../backend/kernels/index.js';
import { callKernel } from './call.js';
import { asFloat, asIds, expectShape } from './validate.js';

export type { LossName } from '../backend/kernels/index.js';

export interface LossResult {
  /** mean over rows of the per-row losses (Keras' default reduction) */
  loss: number;
  /** [rows] per-row loss */
  perRow: Tensor;
  /** d loss / d pred, same shape as pred */
  grad: Tensor;
}

/**
 * A loss and its gradient: pred [rows, ..., cols] against target of the same shape (sparse
 * categorical: integer class ids of shape [rows, ...]). Names as compile takes them ('mse', 'binary_crossentropy').
 */
export function loss(name: string, pred: TensorLike, target: TensorLike, opts: { fromLogits?: boolean } = {}): LossResult {
  const lossName = resolveLoss(name);
  const sparse = isSparseLoss(lossName);
  const p = asFloat('pred', pred);
  const cols = p.shape[p.rank - 1] ?? 1;
  const rows = p.size / Math.max(cols, 1);
  const t = sparse ? asIds('loss', 'target', target, cols) : asFloat('target', target);
  expectShape('loss', 'target', t, sparse ? p.shape.slice(0, -1) : p.shape);
  const out = callKernel(currentBackend(), { p, t }, { perRow: [rows], grad: p.shape }, (q, k) =>
    lossForward(k, { loss: lossName, rows, cols, fromLogits: opts.fromLogits, pred: q.p, target: q.t, scale: 1 / rows, perRow: q.perRow, grad: q.grad }),
  );
  const per = out.perRow.dataSync();
  let sum = 0;
  for (let i = 0; i < per.length; i++) sum += per[i];
  return { loss: sum / rows, perRow: out.perRow, grad: out.grad };
}

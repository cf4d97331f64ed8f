import { currentBackend } from '../runtime/ready.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { LwError } from '../errors.js';
import type { Kernels } from '../backend/abi.js';
import { callKernel } from './call.js';
import { asFloat, asIds, expectShape } from './validate.js';

export type LossName =
  | 'binaryCrossentropy'
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError';

export interface LossResult {
  /** mean over rows of the per-row losses (Keras' default reduction) */
  loss: number;
  /** [rows] per-row loss */
  perRow: Tensor;
  /** d loss / d pred, same shape as pred */
  grad: Tensor;
}

type Call = (k: Kernels, rows: number, cols: number, fromLogits: number, pred: number, target: number, scale: number, out: number, grad: number) => void;
const KERNEL: Record<LossName, Call> = {
  binaryCrossentropy: (k, r, c, l, p, t, s, o, g) => k.loss_binary_crossentropy(r, c, l, p, t, s, o, g),
  categoricalCrossentropy: (k, r, c, l, p, t, s, o, g) => k.loss_categorical_crossentropy(r, c, l, p, t, s, o, g),
  sparseCategoricalCrossentropy: (k, r, c, l, p, t, s, o, g) => k.loss_sparse_categorical_crossentropy(r, c, l, p, t, s, o, g),
  meanSquaredError: (k, r, c, _l, p, t, s, o, g) => k.loss_mean_squared_error(r, c, p, t, s, o, g),
  meanAbsoluteError: (k, r, c, _l, p, t, s, o, g) => k.loss_mean_absolute_error(r, c, p, t, s, o, g),
};

/**
 * A loss and its gradient: pred [rows, ..., cols] against target of the same shape (sparse
 * categorical: integer class ids of shape [rows, ...]).
 */
export function loss(name: LossName, pred: TensorLike, target: TensorLike, opts: { fromLogits?: boolean } = {}): LossResult {
  const call = KERNEL[name];
  if (!call) throw new LwError('BAD_ARGUMENT', `unknown loss "${name}": use ${Object.keys(KERNEL).join(', ')}`);
  const p = asFloat('pred', pred);
  const cols = p.shape[p.rank - 1] ?? 1;
  const rows = p.size / Math.max(cols, 1);
  const t = name === 'sparseCategoricalCrossentropy' ? asIds('loss', 'target', target, cols) : asFloat('target', target);
  expectShape('loss', 'target', t, name === 'sparseCategoricalCrossentropy' ? p.shape.slice(0, -1) : p.shape);
  const out = callKernel(currentBackend(), { p, t }, { perRow: [rows], grad: p.shape }, (q, k) =>
    call(k, rows, cols, opts.fromLogits ? 1 : 0, q.p, q.t, 1 / rows, q.perRow, q.grad),
  );
  const per = out.perRow.dataSync();
  let sum = 0;
  for (let i = 0; i < per.length; i++) sum += per[i];
  return { loss: sum / rows, perRow: out.perRow, grad: out.grad };
}

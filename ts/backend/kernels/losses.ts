import { LwError } from '../../errors.js';
import { bit, ptr, type KernelsOf } from './family.js';

export const LOSS_EXPORTS = [
  'loss_binary_crossentropy', 'loss_categorical_crossentropy', 'loss_sparse_categorical_crossentropy',
  'loss_mean_squared_error', 'loss_mean_absolute_error',
] as const;
type Raw = KernelsOf<typeof LOSS_EXPORTS>;

export type LossName =
  | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy'
  | 'meanSquaredError' | 'meanAbsoluteError';

/** A loss kernel: the cross-entropies also take `fromLogits`. */
type LossEntry = {
  /** Targets are integer class ids (one per row), not a tensor shaped like the prediction. */
  sparse: boolean;
  /** Other names accepted (Keras / TF.js), compared without '_' and case. */
  aliases: string[];
} & (
  | { logits: true; export: 'loss_binary_crossentropy' | 'loss_categorical_crossentropy' | 'loss_sparse_categorical_crossentropy' }
  | { logits: false; export: 'loss_mean_squared_error' | 'loss_mean_absolute_error' }
);

/** The one loss table: compile and lw.ops.loss resolve names here. */
const LOSSES: Record<LossName, LossEntry> = {
  binaryCrossentropy: { export: 'loss_binary_crossentropy', sparse: false, logits: true, aliases: [] },
  categoricalCrossentropy: { export: 'loss_categorical_crossentropy', sparse: false, logits: true, aliases: [] },
  sparseCategoricalCrossentropy: { export: 'loss_sparse_categorical_crossentropy', sparse: true, logits: true, aliases: [] },
  meanSquaredError: { export: 'loss_mean_squared_error', sparse: false, logits: false, aliases: ['mse'] },
  meanAbsoluteError: { export: 'loss_mean_absolute_error', sparse: false, logits: false, aliases: ['mae'] },
};

const squash = (s: string) => s.replace(/_/g, '').toLowerCase();
const BY_ALIAS = new Map<string, LossName>(
  (Object.keys(LOSSES) as LossName[]).flatMap((n) => [n, ...LOSSES[n].aliases].map((a) => [squash(a), n] as const)),
);

/** Resolves Keras / TF.js loss names ('binary_crossentropy', 'binaryCrossentropy', 'mse'); unknown: BAD_ARGUMENT. */
export function resolveLoss(name: string): LossName {
  const canonical = typeof name === 'string' ? BY_ALIAS.get(squash(name)) : undefined;
  if (!canonical) throw new LwError('BAD_ARGUMENT', `unknown loss "${name}": use ${Object.keys(LOSSES).join(', ')}`);
  return canonical;
}

/** Whether a loss takes integer class ids [rows] as targets. */
export const isSparseLoss = (name: LossName): boolean => LOSSES[name].sparse;

/**
 * Per-row losses perRow [rows] of pred [rows, cols] against target [rows, cols] (sparse: i32 ids
 * [rows]) and, when grad is given, grad [rows, cols] = scale · d perRow[r] / d pred.
 */
export interface LossArgs {
  loss: LossName;
  rows: number;
  cols: number;
  /** Cross-entropies: pred holds raw scores. */
  fromLogits?: boolean;
  pred: number;
  target: number;
  scale: number;
  perRow: number;
  grad?: number;
}

export function lossForward(k: Raw, a: LossArgs): void {
  const e = LOSSES[a.loss];
  const g = ptr(a.grad);
  if (e.logits) k[e.export](a.rows, a.cols, bit(a.fromLogits), a.pred, a.target, a.scale, a.perRow, g);
  else k[e.export](a.rows, a.cols, a.pred, a.target, a.scale, a.perRow, g);
}

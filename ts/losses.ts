import type { Kernels } from './backend/abi.js';
import { LwError } from './errors.js';

export type LossName =
  | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy'
  | 'meanSquaredError' | 'meanAbsoluteError';

/** A loss kernel: per-row losses into `out`, scale·gradient into `grad` (0 = skip). */
export interface LossSpec {
  name: LossName;
  /** Targets are integer class ids (one per row), not a tensor shaped like the prediction. */
  sparse: boolean;
  run(k: Kernels, rows: number, cols: number, pred: number, target: number, scale: number, out: number, grad: number): void;
}

const ALIASES: Record<string, LossName> = {
  binarycrossentropy: 'binaryCrossentropy',
  categoricalcrossentropy: 'categoricalCrossentropy',
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
  meansquarederror: 'meanSquaredError',
  mse: 'meanSquaredError',
  meanabsoluteerror: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
};

/** Resolves Keras / TF.js loss names ('binary_crossentropy', 'binaryCrossentropy', 'mse'). */
export function getLoss(name: string, fromLogits = false): LossSpec {
  const canonical = ALIASES[name.replace(/_/g, '').toLowerCase()];
  if (!canonical) throw new LwError('BAD_ARGUMENT', `unknown loss "${name}": use ${Object.values(ALIASES).filter((v, i, a) => a.indexOf(v) === i).join(', ')}`);
  const logits = fromLogits ? 1 : 0;
  const runs: Record<LossName, LossSpec['run']> = {
    binaryCrossentropy: (k, r, c, p, t, s, o, g) => k.loss_binary_crossentropy(r, c, logits, p, t, s, o, g),
    categoricalCrossentropy: (k, r, c, p, t, s, o, g) => k.loss_categorical_crossentropy(r, c, logits, p, t, s, o, g),
    sparseCategoricalCrossentropy: (k, r, c, p, t, s, o, g) => k.loss_sparse_categorical_crossentropy(r, c, logits, p, t, s, o, g),
    meanSquaredError: (k, r, c, p, t, s, o, g) => k.loss_mean_squared_error(r, c, p, t, s, o, g),
    meanAbsoluteError: (k, r, c, p, t, s, o, g) => k.loss_mean_absolute_error(r, c, p, t, s, o, g),
  };
  return { name: canonical, sparse: canonical === 'sparseCategoricalCrossentropy', run: runs[canonical] };
}

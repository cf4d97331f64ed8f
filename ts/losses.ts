import type { Kernels } from './backend/abi.js';
import { isSparseLoss, lossForward, resolveLoss, type LossName } from './backend/kernels/index.js';

export type { LossName } from './backend/kernels/index.js';

/** A compiled loss: per-row losses into `out`, scale·gradient into `grad` (0 = skip). */
export interface LossSpec {
  name: LossName;
  /** Targets are integer class ids (one per row), not a tensor shaped like the prediction. */
  sparse: boolean;
  run(k: Kernels, rows: number, cols: number, pred: number, target: number, scale: number, out: number, grad: number): void;
}

/** Resolves Keras / TF.js loss names ('binary_crossentropy', 'binaryCrossentropy', 'mse') for compile. */
export function getLoss(name: string, fromLogits = false): LossSpec {
  const loss = resolveLoss(name);
  return {
    name: loss,
    sparse: isSparseLoss(loss),
    run: (k, rows, cols, pred, target, scale, perRow, grad) => lossForward(k, { loss, rows, cols, fromLogits, pred, target, scale, perRow, grad }),
  };
}

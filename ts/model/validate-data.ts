// Checks of the values (not the shapes) of model data, run before any batch is trained: a bad
// value anywhere in x or y stops fit before its first step, so the weights and the optimizer
// state are those from before the call. Messages name the argument, the sample and the value.
import { LwError, fmtShape } from '../errors.js';
import type { LossName } from '../losses.js';
import type { Tensor } from '../tensor.js';

/** Index of flat element i in a row-major tensor of `shape`: [sample, ...]. */
export function positionOf(shape: readonly number[], i: number): number[] {
  const pos = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    pos[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return pos;
}

/** NON_FINITE at the first NaN or ±Infinity of `t`, naming `what`, the sample and the position. */
export function assertFinite(t: Tensor, what: string): void {
  const d = t.dataSync();
  if (d instanceof Int32Array) return;
  for (let i = 0; i < d.length; i++) {
    if (Number.isFinite(d[i])) continue;
    const pos = positionOf(t.shape, i);
    throw new LwError('NON_FINITE', `${what} has ${d[i]} at ${fmtShape(pos)} (sample ${pos[0]}): remove or fill in non-finite values first`, { sample: pos[0], position: pos, value: d[i] });
  }
}

/** ID_OUT_OF_RANGE at the first value of `t` that is not a whole number in [0, count). */
export function assertIds(t: Tensor, count: number, what: string, hint: string): void {
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v >= 0 && v < count && Number.isInteger(v)) continue;
    const pos = positionOf(t.shape, i);
    throw new LwError('ID_OUT_OF_RANGE', `${what} has ${v} at ${fmtShape(pos)} (sample ${pos[0]}), outside the whole numbers [0, ${count}); ${hint}`, { sample: pos[0], position: pos, value: v, count });
  }
}

/** Losses whose targets are probabilities: every target value must lie in [0, 1]. */
const PROBABILITY_TARGETS: ReadonlySet<LossName> = new Set<LossName>(['binaryCrossentropy', 'categoricalCrossentropy']);

/**
 * Checks targets for an output trained with `loss` over `cols` columns: finite values, class ids
 * in [0, cols) for sparse losses, values in [0, 1] for the cross-entropies of probabilities.
 */
export function assertTargets(t: Tensor, loss: LossName, cols: number, what: string): void {
  assertFinite(t, what);
  if (loss === 'sparseCategoricalCrossentropy') {
    assertIds(t, cols, `${what} (${loss})`, `the output has ${cols} classes`);
    return;
  }
  if (!PROBABILITY_TARGETS.has(loss)) return;
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (d[i] >= 0 && d[i] <= 1) continue;
    const pos = positionOf(t.shape, i);
    const hint = loss === 'binaryCrossentropy' ? ' (for class ids use sparseCategoricalCrossentropy with one output unit per class)' : '';
    throw new LwError('BAD_ARGUMENT', `${what} has ${d[i]} at ${fmtShape(pos)} (sample ${pos[0]}): ${loss} needs targets in [0, 1]${hint}`, { sample: pos[0], position: pos, value: d[i], loss });
  }
}

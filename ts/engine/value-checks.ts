// Checks of tensor values that name the first bad element: its position, its sample, its value.
// Model data is checked with these before any batch runs; an Embedding checks its ids with them.
import { LwError, fmtShape } from '../errors.js';
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

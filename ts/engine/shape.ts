import { LwError, fmtShape } from '../errors.js';

/** A Keras shape: the batch dimension (and any unknown one) is null. */
export type Shape = (number | null)[];

export function fmt(shape: readonly (number | null)[]): string {
  return fmtShape(shape.map((d) => (d === null ? 'None' : d)) as number[]);
}

/** Concrete shape with the batch size put in. */
export function withBatch(shape: Shape, batch: number): number[] {
  return shape.map((d, i) => {
    if (d !== null) return d;
    if (i === 0) return batch;
    throw new LwError('SHAPE_MISMATCH', `shape ${fmt(shape)} has an unknown dimension besides the batch: give inputLength / inputShape`);
  });
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Product of all but the first dimension (the per-sample size). */
export function sampleSize(shape: Shape, what: string): number {
  let n = 1;
  for (const d of shape.slice(1)) {
    if (d === null) throw new LwError('SHAPE_MISMATCH', `${what}: shape ${fmt(shape)} has an unknown dimension besides the batch`);
    n *= d;
  }
  return n;
}

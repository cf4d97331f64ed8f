import { fmtShape } from '../errors.js';

/** A Keras shape: the batch dimension (and any unknown one) is null. */
export type Shape = (number | null)[];

/** A shape for messages: unknown dimensions as None, as Keras prints them. */
export function fmt(shape: readonly (number | null)[]): string {
  return fmtShape(shape.map((d) => (d === null ? 'None' : d)) as number[]);
}

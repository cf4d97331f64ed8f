import { checkOptions } from '../engine/options.js';
import type { ApplyArgs, SymbolicTensor } from '../engine/layer.js';
import { LwError } from '../errors.js';
import { fmt, type Shape } from '../engine/shape.js';

/**
 * A recurrent layer's node inputs for `apply(x, { initialState })` (TF.js, Keras), or for
 * `apply([x, ...states])` as TF.js and saved graphs give it: the states are further inputs.
 */
export function initialStateInputs(layer: { name: string; className: string }, inputs: SymbolicTensor[], kwargs: ApplyArgs): SymbolicTensor[] {
  const where = `layer "${layer.name}" (${layer.className}).apply`;
  checkOptions(kwargs, { initialState: true }, where);
  const given = kwargs.initialState === undefined ? [] : Array.isArray(kwargs.initialState) ? kwargs.initialState : [kwargs.initialState];
  if (given.length && inputs.length > 1) throw new LwError('BAD_ARGUMENT', `${where}: initial states given both as inputs and as initialState`);
  return [...inputs, ...given];
}

/**
 * A recurrent layer's output shapes for inputs [x [batch, time, features], ...initial states]:
 * the sequence [batch, time, outputSize] or the last output [batch, outputSize], then (returnState)
 * one [batch, size] per state. Checks x's rank and features and each given state's shape.
 */
export function recurrentOutputShapes(
  inputShapes: Shape[],
  layer: { stateSizes: readonly number[]; outputSize: number; returnSequences: boolean; returnState: boolean },
  expectRank: (shapes: Shape[], ranks: number[]) => Shape,
  shapeError: (message: string, details?: Record<string, unknown>) => LwError,
): Shape[] {
  const [xShape, ...stateShapes] = inputShapes;
  const s = expectRank([xShape], [3]);
  if (s[2] === null) throw shapeError('the feature (last) dimension of the input must be known');
  const sizes = layer.stateSizes;
  if (stateShapes.length && stateShapes.length !== sizes.length) {
    throw shapeError(`takes ${sizes.length} initial state${sizes.length > 1 ? 's' : ''} (sizes ${sizes.join(', ')}), got ${stateShapes.length}`);
  }
  stateShapes.forEach((st, i) => {
    if (st.length !== 2 || st[1] !== sizes[i]) throw shapeError(`initial state ${i} must be [batch, ${sizes[i]}], got ${fmt(st)}`, { shape: st });
  });
  const O = layer.outputSize;
  const out: Shape = layer.returnSequences ? [s[0], s[1], O] : [s[0], O];
  return [out, ...(layer.returnState ? sizes.map((n): Shape => [s[0], n]) : [])];
}

import { checkOptions } from '../engine/options.js';
import type { ApplyArgs, SymbolicTensor } from '../engine/layer.js';
import { LwError } from '../errors.js';

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

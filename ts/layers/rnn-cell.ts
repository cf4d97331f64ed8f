// What a user-defined recurrent cell is (Keras' RNN cell protocol, TF.js' RNNCell): its state
// sizes, the weights it declares, and one step written with differentiable ops.
import type { StepOps } from '../autograd/ops.js';
import type { StepTensor } from '../autograd/step-tensor.js';
import type { Shape } from '../engine/shape.js';
import type { Weight } from '../engine/weight.js';
import type { Initializer, InitializerName } from '../initializers.js';

import type { JsonObject } from '../io/json.js';
export type { StepOps, Operand } from '../autograd/ops.js';
export type { StepTensor } from '../autograd/step-tensor.js';

/**
 * Declares a weight of the cell: `name` (unique in the cell, the last part of its path
 * `<layer>/<cell>/<name>`), its shape, its initializer (default glorotUniform, as Keras' add_weight)
 * and whether the optimizer updates it (default true). The step gets it as `weights[name]`.
 */
export type AddWeight = (name: string, shape: readonly number[], initializer?: InitializerName | Initializer, trainable?: boolean) => Weight;

/** What a step returns: the output [batch, outputSize] and the new states, one [batch, stateSize[i]] each. */
export interface StepResult {
  output: StepTensor;
  states: StepTensor[];
}

/**
 * A recurrent cell: a plain object or an `RNNCell` subclass, wrapped by `lw.layers.rnn({ cell })`.
 * The layer calls `call` once per time step, on tensors of the whole batch.
 */
export interface Cell {
  /** Units of each state: a number (one state) or one per state (`[units, units]` for an LSTM's h and c). */
  readonly stateSize: number | readonly number[];
  /** Features of the output (default the first state's size, as Keras). */
  readonly outputSize?: number;
  /** Names the cell's weights (`<layer>/<name>/kernel`); default "cell". */
  readonly name?: string;
  /** Declares the weights for step inputs of `inputShape` ([batch, features]). */
  build?(inputShape: Shape, addWeight: AddWeight): void;
  /** One step: input [batch, features], the states, the declared weights by name. */
  call(ops: StepOps, input: StepTensor, states: StepTensor[], weights: Record<string, StepTensor>): StepResult;
  /** For saving: the name the cell is registered under (`lw.layers.registerCell`)... */
  readonly className?: string;
  /** ...and the JSON config its factory makes it again from. */
  getConfig?(): Record<string, unknown>;
}

/** Where a saved cell config comes from: the Keras major version of the file (hard_sigmoid changed in Keras 3). */
export interface CellContext {
  kerasMajor: number;
}

/** Makes a cell again from the config its getConfig() gave (with `name` added when it had none). */
export type CellFactory = (config: JsonObject, context?: CellContext) => Cell;

/** Keras' class-name-to-name rule: MinimalRNNCell → minimal_rnn_cell, LSTMCell → lstm_cell. */
const snake = (s: string) => s.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/**
 * A base class for cells (TF.js `tf.RNNCell`, Keras' cell protocol): extend it, set `stateSize`,
 * declare weights in `build` and write `call`. Its default name is the class name in snake case.
 */
export abstract class RNNCell implements Cell {
  readonly name: string;
  abstract readonly stateSize: number | readonly number[];
  declare readonly outputSize?: number;

  constructor(args: { name?: string } = {}) {
    this.name = args.name ?? snake(new.target.name);
  }

  build(_inputShape: Shape, _addWeight: AddWeight): void {}

  abstract call(ops: StepOps, input: StepTensor, states: StepTensor[], weights: Record<string, StepTensor>): StepResult;
}

// The cells of an RNN layer as the layer holds them: checked once, named uniquely, their sizes
// resolved and their weights declared under the layer.
import type { StepTensor } from '../autograd/step-tensor.js';
import type { Tape } from '../autograd/tape.js';
import type { ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Weight, type WeightOwner } from '../engine/weight.js';
import { LwError } from '../errors.js';
import { getInitializer, type Initializer, type InitializerName } from '../initializers.js';
import type { Cell } from './rnn-cell.js';

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`);
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** One cell of a layer: its unique name, state sizes, output size and declared weights (by name). */
export class BoundCell {
  readonly stateSizes: number[];
  readonly outputSize: number;
  readonly weights = new Map<string, Weight>();

  constructor(readonly cell: Cell, readonly name: string, readonly where: string) {
    const s = cell.stateSize;
    const sizes = Array.isArray(s) ? s : [s];
    if (!sizes.length || !sizes.every(isSize)) {
      throw new LwError('BAD_ARGUMENT', `${where}: stateSize must be a whole number >= 1 or a non-empty array of them, got ${describe(s)}`, { cell: name });
    }
    this.stateSizes = [...sizes];
    if (cell.outputSize !== undefined && !isSize(cell.outputSize)) {
      throw new LwError('BAD_ARGUMENT', `${where}: outputSize must be a whole number >= 1, got ${describe(cell.outputSize)}`, { cell: name });
    }
    this.outputSize = cell.outputSize ?? sizes[0];
  }

  /** Calls the cell's build for step inputs of `features`; its weights are named under `owner`. */
  build(features: number, owner: WeightOwner): Weight[] {
    const inputShape: Shape = [null, features];
    this.cell.build?.(inputShape, (name, shape, init = 'glorotUniform', trainable = true) => {
      const where = `${this.where}: addWeight`;
      if (typeof name !== 'string' || !name) throw new LwError('BAD_ARGUMENT', `${where}: the name must be a non-empty string, got ${describe(name)}`);
      if (this.weights.has(name)) throw new LwError('BAD_ARGUMENT', `${where}: the cell already has a weight "${name}"`);
      if (!Array.isArray(shape) || !shape.every(isSize)) throw new LwError('BAD_ARGUMENT', `${where}("${name}"): the shape must be an array of whole numbers >= 1, got ${describe(shape)}`);
      if (typeof trainable !== 'boolean') throw new LwError('BAD_ARGUMENT', `${where}("${name}"): trainable must be true or false, got ${describe(trainable)}`);
      const w = new Weight(owner, name, shape, initializerFor(init, `${where}("${name}")`), trainable);
      this.weights.set(name, w);
      return w;
    });
    return [...this.weights.values()];
  }

  /** The weights as tensors of `tape`: their values in the parameter block; gradients into the gradient block when trained. */
  weightTensors(tape: Tape, ctx: ExecCtx, trained: boolean): Record<string, StepTensor> {
    const out: Record<string, StepTensor> = {};
    for (const [name, w] of this.weights) out[name] = tape.leaf(ctx.paramPtr(w.offset), w.shape, trained && w.trainable ? ctx.gradPtr(w.offset) : 0);
    return Object.freeze(out);
  }
}

function initializerFor(init: InitializerName | Initializer, where: string): Initializer {
  try {
    return getInitializer(init);
  } catch (e) {
    if (e instanceof LwError) throw new LwError(e.code, `${where}: ${e.message.replace(/^\[\w+\] /, '')}`);
    throw e;
  }
}

/**
 * Checks a layer's cells (objects with stateSize and call) and names each uniquely in the layer:
 * its own name (default "cell"), then name_1, name_2... for repeats.
 */
export function bindCells(cells: unknown, layerWhere: string): BoundCell[] {
  const list = Array.isArray(cells) ? cells : [cells];
  if (!list.length) throw new LwError('BAD_ARGUMENT', `${layerWhere}: cell is an empty array; give a cell or cells to stack`);
  const used = new Set<string>();
  return list.map((c: unknown, i) => {
    if (typeof c !== 'object' || c === null || typeof (c as Cell).call !== 'function') {
      throw new LwError('BAD_ARGUMENT', `${layerWhere}: cell${list.length > 1 ? ` ${i}` : ''} must be an object with stateSize and call(ops, input, states, weights) (lw.layers.RNNCell), got ${describe(c)}`);
    }
    const cell = c as Cell;
    if (cell.build !== undefined && typeof cell.build !== 'function') throw new LwError('BAD_ARGUMENT', `${layerWhere}: the cell's build must be a function, got ${describe(cell.build)}`);
    const base = typeof cell.name === 'string' && cell.name ? cell.name : 'cell';
    let name = base;
    for (let n = 1; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return new BoundCell(cell, name, `${layerWhere}, cell "${name}"`);
  });
}

// Saving and loading user cells: a cell's code cannot go into model.json, so a cell is saved as
// its registered class name and config, and loaded by the factory registered under that name.
import { LwError } from '../errors.js';
import { badFile, describe, isObject, own, type JsonObject } from '../io/json.js';
import type { Cell, CellFactory } from './rnn-cell.js';
import { KERAS_CELLS } from './keras-cells.js';
import type { BoundCell } from './rnn-cells.js';

export type { CellFactory } from './rnn-cell.js';

const factories = new Map<string, CellFactory>();

/** Keras' class name for several cells run as one (`cell: [c1, c2]`). */
export const STACKED_CELLS = 'StackedRNNCells';

/**
 * Registers (or replaces) how a cell class is made from its config, for saving and loading models
 * with `lw.layers.rnn({ cell })`: `registerCell('MinimalGRU', (config) => new MinimalGRU(config))`.
 */
export function registerCell(className: string, factory: CellFactory): void {
  if (typeof className !== 'string' || !className || className === STACKED_CELLS) {
    throw new LwError('BAD_ARGUMENT', `registerCell: the class name must be a non-empty string other than "${STACKED_CELLS}", got ${describe(className)}`);
  }
  if (typeof factory !== 'function') throw new LwError('BAD_ARGUMENT', `registerCell("${className}"): the factory must be a function (config) => cell, got ${describe(factory)}`);
  factories.set(className, factory);
}

/** A cell as model.json holds it: { class_name, config }; UNSUPPORTED when it cannot be saved. */
export function cellToJson(layerWhere: string, bound: BoundCell): { class_name: string; config: JsonObject } {
  const { cell, name } = bound;
  const how = 'give it a className and getConfig() and register its factory with lw.layers.registerCell(className, factory)';
  if (typeof cell.className !== 'string' || typeof cell.getConfig !== 'function') {
    throw new LwError('UNSUPPORTED', `${layerWhere}: cell "${name}" is code, which a saved model cannot hold: to save it, ${how}`, { cell: name });
  }
  if (!factories.has(cell.className) && !Object.hasOwn(KERAS_CELLS, cell.className)) {
    throw new LwError('UNSUPPORTED', `${layerWhere}: cell "${name}" has className "${cell.className}", which is not registered: call lw.layers.registerCell("${cell.className}", (config) => cell) before saving and loading`, { cell: name });
  }
  const config = cell.getConfig();
  if (!isObject(config)) throw new LwError('BAD_ARGUMENT', `${layerWhere}: cell "${name}".getConfig() must return an object, got ${describe(config)}`, { cell: name });
  return { class_name: cell.className, config: { name, ...config } };
}

/** The cells of a saved RNN layer's "cell" (one cell, or StackedRNNCells); BAD_MODEL_FILE naming `where`. */
export function cellsFromJson(json: unknown, where: string, kerasMajor = 2): Cell[] {
  const one = (j: unknown, at: string): Cell => {
    if (!isObject(j)) throw badFile(`${at} must be an object {class_name, config}, got ${describe(j)}`);
    const cls = own(j, 'class_name');
    const config = own(j, 'config') ?? {};
    if (typeof cls !== 'string') throw badFile(`${at}: "class_name" must be a string, got ${describe(cls)}`);
    if (!isObject(config)) throw badFile(`${at} (${cls}): "config" must be an object, got ${describe(config)}`);
    const factory = factories.get(cls) ?? KERAS_CELLS[cls];
    if (!factory) {
      const known = [...factories.keys()].sort();
      // What the file asks for is not here (a Keras built-in cell such as LSTMCell, or a user cell): as an unknown layer.
      throw new LwError('UNSUPPORTED', `${at}: cell class "${cls}" is not registered: call lw.layers.registerCell("${cls}", factory) before loading${known.length ? ` (registered: ${known.join(', ')})` : ''}`, { className: cls });
    }
    return named(factory(config, { kerasMajor }), own(config, 'name'));
  };
  if (isObject(json) && own(json, 'class_name') === STACKED_CELLS) {
    const config = own(json, 'config');
    const cells = isObject(config) ? own(config, 'cells') : undefined;
    if (!Array.isArray(cells) || !cells.length) throw badFile(`${where} cell (${STACKED_CELLS}): "config.cells" must be a non-empty list, got ${describe(cells)}`);
    return cells.map((c, i) => one(c, `${where} cell ${i}`));
  }
  return [one(json, `${where} cell`)];
}

/** The cell under the saved name (its weights' paths hold it), whatever name its factory gave it. */
function named(cell: Cell, name: unknown): Cell {
  if (typeof name !== 'string' || !isObject(cell) || cell.name === name) return cell;
  return Object.create(cell, { name: { value: name, enumerable: true } }) as Cell;
}

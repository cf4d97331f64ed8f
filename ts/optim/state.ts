// Optimizer state in a saved model: class and config (with clipping) and the step count in
// model.json, slot arrays as 'optimizer'-group weights `<weight path>/<slot>` that TF.js
// separates from the model's weights (and ignores, as model.json has no trainingConfig).
import type { Weight } from '../engine/weight.js';
import type { ParamStore } from '../engine/params.js';
import type { Optimizer } from './optimizer.js';
import { LwError } from '../errors.js';
import { badFile, describe, isObject, own, type JsonObject } from '../io/json.js';
import type { NamedWeight } from '../io/weights.js';

/** Slot names by optimizer class, in the order of the update kernel's state pointers (Keras 3 names). */
const SLOT_NAMES: Record<string, string[]> = {
  SGD: ['momentum'],
  RMSprop: ['velocity', 'momentum', 'average_gradient'],
  Adam: ['momentum', 'velocity'],
  AdamW: ['momentum', 'velocity'],
};

export const OPTIMIZER_GROUP = 'optimizer';

/** {class_name, config} of an optimizer (snake_case, as Keras). */
export function optimizerConfig(opt: Optimizer): JsonObject {
  if (!SLOT_NAMES[opt.className]) {
    throw new LwError('BAD_ARGUMENT', `cannot save optimizer "${opt.className}": includeOptimizer supports ${Object.keys(SLOT_NAMES).join(', ')}`);
  }
  const config: JsonObject = { ...opt.getConfig() };
  if (opt.clipNorm !== undefined) config.clipnorm = opt.clipNorm;
  if (opt.clipValue !== undefined) config.clipvalue = opt.clipValue;
  if (opt.globalClipNorm !== undefined) config.global_clipnorm = opt.globalClipNorm;
  return { class_name: opt.className, config };
}

/** Trainable weights in the store's order (the optimizer's slots cover exactly these). */
function trainableInStore(store: ParamStore): Weight[] {
  return store.weights.filter((w) => w.trainable && w.layer.trainable).sort((a, b) => a.offset - b.offset);
}

/** The optimizer's slots as one weight per (trainable weight, slot); [] before its first step. */
export function slotWeights(opt: Optimizer, store: ParamStore): NamedWeight[] {
  const state = opt.getState();
  if (!state.slots.length) return [];
  const names = SLOT_NAMES[opt.className];
  const trainable = trainableInStore(store);
  if (state.slots[0].length !== store.trainableFloats) {
    throw new LwError('BAD_ARGUMENT', `the optimizer state covers ${state.slots[0].length} values but the model now trains ${store.trainableFloats} (trainable flags changed since the last step?): train one step or save without includeOptimizer`);
  }
  const out: NamedWeight[] = [];
  state.slots.forEach((slot, s) => {
    for (const w of trainable) {
      out.push({ name: `${w.path}/${names[s]}`, shape: w.shape, values: slot.slice(w.offset, w.offset + w.size), group: OPTIMIZER_GROUP });
    }
  });
  return out;
}

/**
 * Puts saved slots back: `values` holds the optimizer-group weights by name. Every slot of every
 * trainable weight must be there with the weight's shape (or no slots at all: a fresh optimizer).
 */
export function restoreSlots(opt: Optimizer, store: ParamStore, iterations: number, values: Map<string, { shape: number[]; values: Float32Array }>): void {
  const names = SLOT_NAMES[opt.className];
  const trainable = trainableInStore(store);
  if (values.size === 0) {
    opt.iterations = iterations;
    return;
  }
  const expected = names.length * trainable.length;
  const slots = names.map((slot) => {
    const flat = new Float32Array(store.trainableFloats);
    for (const w of trainable) {
      const key = `${w.path}/${slot}`;
      const v = values.get(key);
      if (!v) throw badFile(`optimizer state "${key}" is missing (${opt.className} keeps ${names.join(', ')} for every trainable weight)`, { weight: key });
      const same = v.shape.length === w.shape.length && v.shape.every((d, i) => d === w.shape[i]);
      if (!same) throw badFile(`optimizer state "${key}" has shape [${v.shape.join(', ')}], the weight has [${w.shape.join(', ')}]`, { weight: key });
      flat.set(v.values, w.offset);
    }
    return flat;
  });
  if (values.size !== expected) {
    const known = new Set(trainable.flatMap((w) => names.map((s) => `${w.path}/${s}`)));
    const extra = [...values.keys()].find((k) => !known.has(k));
    throw badFile(`optimizer state "${extra}" matches no trainable weight of the model`, { weight: extra });
  }
  opt.setState(store, { iterations, slots });
}

/** Reads the step count written beside the optimizer config. */
export function readIterations(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw badFile(`${where}: "iterations" must be a whole number >= 0, got ${describe(v)}`);
  return v;
}

/** Camel-case constructor arguments from a Keras or TF.js optimizer config. */
export function optimizerArgs(config: unknown, where: string): Record<string, number | boolean> {
  if (config === undefined || config === null) return {};
  if (!isObject(config)) throw badFile(`${where}: optimizer "config" must be an object, got ${describe(config)}`);
  const keys: [string[], string][] = [
    [['learning_rate', 'learningRate', 'lr'], 'learningRate'],
    [['beta_1', 'beta1'], 'beta1'],
    [['beta_2', 'beta2'], 'beta2'],
    [['epsilon'], 'epsilon'],
    [['weight_decay', 'weightDecay'], 'weightDecay'],
    [['rho', 'decay'], 'rho'],
    [['momentum'], 'momentum'],
    [['centered'], 'centered'],
    [['nesterov', 'useNesterov'], 'nesterov'],
    [['clipnorm', 'clipNorm'], 'clipNorm'],
    [['clipvalue', 'clipValue'], 'clipValue'],
    [['global_clipnorm', 'globalClipNorm'], 'globalClipNorm'],
  ];
  const args: Record<string, number | boolean> = {};
  for (const [names, arg] of keys) {
    for (const n of names) {
      const v = own(config, n);
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' && typeof v !== 'boolean') throw badFile(`${where}: optimizer "${n}" must be a number, got ${describe(v)}`);
      args[arg] = v;
      break;
    }
  }
  return args;
}

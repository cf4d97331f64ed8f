// Compile settings from a saved model: lstm-wasm's own (with optimizer state to resume exactly)
// or TF.js' trainingConfig (compiled with a fresh optimizer when everything in it is known).
import type { LayersModel } from './model.js';
import type { CompileArgs } from './compile.js';
import { Adam, AdamW, RMSprop, SGD } from '../optim/optimizers.js';
import type { Optimizer } from '../optim/optimizer.js';
import { badFile, describe, isObject, own, type JsonObject } from '../io/json.js';
import { optimizerArgs, readIterations } from '../optim/state.js';

/** An optimizer from {class_name, config} (Keras, TF.js or lstm-wasm names). */
function optimizerFromJson(json: JsonObject, where: string): Optimizer {
  // tf.keras 2.11+ names its built-in optimizers "Custom>Adam" in training_config.
  const raw = own(json, 'class_name');
  const cls = typeof raw === 'string' ? raw.replace(/^Custom>/, '') : raw;
  const args = optimizerArgs(own(json, 'config'), where);
  // The optimizer constructors take numbers only; flags are set after construction.
  const flags: Record<string, boolean> = {};
  const numeric: Record<string, number> = {};
  for (const [k, v] of Object.entries(args)) {
    if (typeof v === 'boolean') flags[k] = v;
    else numeric[k] = v;
  }
  let opt: Optimizer;
  switch (cls) {
    case 'Adam': opt = new Adam(numeric); break;
    case 'AdamW': opt = new AdamW(numeric); break;
    case 'SGD': case 'Momentum': opt = new SGD(numeric); break;
    case 'RMSprop': case 'RMSProp': opt = new RMSprop(numeric); break;
    default: throw badFile(`${where}: optimizer ${describe(cls)} is not supported (Adam, AdamW, SGD, RMSprop)`);
  }
  for (const [k, v] of Object.entries(flags)) {
    if (k === 'nesterov' || k === 'centered') (opt as unknown as Record<string, boolean>)[k] = v;
  }
  return opt;
}

function lossSpec(v: unknown, where: string): CompileArgs['loss'] {
  const ok = typeof v === 'string'
    || (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    || (isObject(v) && Object.values(v).every((x) => typeof x === 'string'));
  if (!ok) throw badFile(`${where}: "loss" must be a loss name, a list of them or names by output, got ${describe(v)}`);
  return v as CompileArgs['loss'];
}

/** Metric names: a list for every output, a list per output, or (TF.js, Keras) lists by output name. */
function metricList(v: unknown, where: string): CompileArgs['metrics'] {
  if (v === undefined || v === null) return undefined;
  const names = (x: unknown) => Array.isArray(x) && x.every((n) => typeof n === 'string');
  const ok = names(v) || (Array.isArray(v) && v.every(names)) || (isObject(v) && Object.values(v).every(names));
  if (!ok) throw badFile(`${where}: "metrics" must be metric names, lists of them per output, or lists by output name, got ${describe(v)}`);
  return v as CompileArgs['metrics'];
}

/**
 * lstm-wasm's saved state: compiles the model with the saved optimizer and returns the saved
 * step count (the caller puts the slots back), or null when the file has no optimizer.
 */
export function restoreTraining(model: LayersModel, state: JsonObject, where: string): { iterations: number } | null {
  const compile = own(state, 'compile');
  const opt = own(state, 'optimizer');
  if (!isObject(compile) || !isObject(opt)) return null;
  const lossWeights = own(compile, 'loss_weights') ?? undefined;
  if (lossWeights !== undefined && !isObject(lossWeights) && !(Array.isArray(lossWeights) && lossWeights.every((x) => typeof x === 'number'))) {
    throw badFile(`${where}: "loss_weights" must be numbers, got ${describe(lossWeights)}`);
  }
  const fromLogits = own(compile, 'from_logits');
  try {
    model.compile({
      optimizer: optimizerFromJson(opt, where),
      loss: lossSpec(own(compile, 'loss'), where),
      metrics: metricList(own(compile, 'metrics'), where),
      lossWeights: lossWeights as CompileArgs['lossWeights'],
      fromLogits: fromLogits === true,
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'BAD_MODEL_FILE') throw e;
    throw badFile(`${where}: cannot compile the model as saved: ${(e as Error).message.replace(/^\[\w+\] /, '')}`);
  }
  return { iterations: readIterations(own(opt, 'iterations'), where) };
}

/**
 * TF.js trainingConfig ({loss, metrics, optimizer_config}): compiles the model with a fresh
 * optimizer. Settings lstm-wasm does not have leave the model uncompiled (it still predicts;
 * compile it before training).
 */
export function compileFromTfjs(model: LayersModel, trainingConfig: JsonObject): void {
  try {
    const opt = own(trainingConfig, 'optimizer_config');
    if (!isObject(opt)) return;
    model.compile({
      optimizer: optimizerFromJson(opt, 'trainingConfig'),
      loss: lossSpec(own(trainingConfig, 'loss'), 'trainingConfig'),
      metrics: metricList(own(trainingConfig, 'metrics'), 'trainingConfig'),
    });
  } catch {
    // unknown optimizer, loss or metric: the model stays uncompiled
  }
}

/** Keras optimizer names given as strings ('adam') → their classes. */
const OPTIMIZER_CLASS: Record<string, string> = { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD', rmsprop: 'RMSprop' };

/** A Keras 3 serialized object's name in snake case: 'binary_crossentropy' or {class_name: 'BinaryCrossentropy'}. */
function keras3Name(v: unknown): unknown {
  if (!isObject(v)) return v;
  const cls = own(v, 'class_name');
  if (typeof cls !== 'string') return v;
  return cls.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Whether a serialized loss carries settings lstm-wasm's losses do not have (label smoothing...). */
function lossOptionsUnsupported(v: unknown): boolean {
  const c = isObject(v) ? own(v, 'config') : undefined;
  if (!isObject(c)) return false;
  const smoothing = own(c, 'label_smoothing');
  const axis = own(c, 'axis');
  return (typeof smoothing === 'number' && smoothing !== 0) || (axis !== undefined && axis !== null && axis !== -1);
}

/**
 * Keras 3 compile_config ({optimizer, loss, metrics, loss_weights} as serialized objects):
 * compiles the model with a fresh optimizer. As with TF.js' trainingConfig, settings lstm-wasm
 * does not have leave the model uncompiled (it still predicts; compile it before training).
 */
export function compileFromKeras3(model: LayersModel, compileConfig: JsonObject): void {
  const loss = own(compileConfig, 'loss');
  const losses = Array.isArray(loss) ? loss : isObject(loss) && own(loss, 'class_name') === undefined ? Object.values(loss) : [loss];
  if (losses.some(lossOptionsUnsupported)) return;
  const fromLogits = losses.some((l) => isObject(l) && isObject(own(l, 'config')) && own(own(l, 'config') as JsonObject, 'from_logits') === true);
  const names = (v: unknown): unknown => (Array.isArray(v) ? v.map(names) : isObject(v) && own(v, 'class_name') === undefined ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, names(x)])) : keras3Name(v));
  const rawOpt = own(compileConfig, 'optimizer');
  const opt = typeof rawOpt === 'string' ? { class_name: OPTIMIZER_CLASS[rawOpt.toLowerCase()] ?? rawOpt, config: {} } : rawOpt;
  if (!isObject(opt)) return;
  const optConfig = own(opt, 'config');
  // Keras 3 options the optimizers here do not have change training: leave the model uncompiled.
  if (isObject(optConfig) && (own(optConfig, 'amsgrad') === true || own(optConfig, 'use_ema') === true)) return;
  try {
    model.compile({
      optimizer: optimizerFromJson(opt, 'compile_config'),
      loss: lossSpec(names(loss), 'compile_config'),
      metrics: metricList(names(own(compileConfig, 'metrics')), 'compile_config'),
      fromLogits,
    });
  } catch {
    // unknown optimizer, loss or metric: the model stays uncompiled
  }
}

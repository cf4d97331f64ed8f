// Keras class name → layer made from its model.json config. Layer files added later register
// here with `registerLayer` (wrappers get `ctx.layerFromJson` to build the layer they wrap).
import { LwError } from '../errors.js';
import { Activation } from './activation.js';
import { Bidirectional, type MergeMode } from './bidirectional.js';
import { Concatenate } from './concatenate.js';
import { Dense } from './dense.js';
import { Dot } from './dot.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Flatten } from './flatten.js';
import { GlobalAveragePooling1D } from './global-average-pooling-1d.js';
import { GlobalMaxPooling1D } from './global-max-pooling-1d.js';
import type { DataFormat, GlobalPooling1DArgs } from './global-pooling-1d.js';
import { GRU } from './gru.js';
import { InputLayer } from './input.js';
import type { Layer } from '../engine/layer.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { SequenceLengthsMask } from './sequence-lengths-mask.js';
import { RecurrentLayer, type RecurrentArgs } from './recurrent-base.js';
import { RepeatVector } from './repeat-vector.js';
import { Reshape } from './reshape.js';
import { RNN } from './rnn.js';
import { cellsFromJson } from './cell-registry.js';
import { SimpleRNN } from './simple-rnn.js';
import { SpatialDropout1D } from './spatial-dropout-1d.js';
import { TimeDistributed } from './time-distributed.js';
import { ConfigReader } from './config-reader.js';
import { badFile, describe, isObject, own } from '../io/json.js';

export interface RegistryContext {
  /** Builds a nested layer from its {class_name, config} (wrappers such as Bidirectional). */
  layerFromJson(json: unknown, where: string): Layer;
}

export type LayerFromConfig = (config: ConfigReader, ctx: RegistryContext) => Layer;

const factories = new Map<string, LayerFromConfig>();

/** Registers (or replaces) how a Keras class name is built from its config. */
export function registerLayer(className: string, factory: LayerFromConfig): void {
  factories.set(className, factory);
}

export function registeredLayerClasses(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Builds a layer from `{class_name, config}`; BAD_MODEL_FILE naming the layer for anything wrong.
 * `kerasMajor`: the Keras major version of the file (see ConfigReader).
 */
export function layerFromJson(json: unknown, where: string, kerasMajor = 2): Layer {
  if (!isObject(json)) throw badFile(`${where} must be an object {class_name, config}, got ${describe(json)}`);
  const className = own(json, 'class_name');
  const config = own(json, 'config');
  if (typeof className !== 'string') throw badFile(`${where}: "class_name" must be a string, got ${describe(className)}`);
  if (!isObject(config)) throw badFile(`${where} (${className}): "config" must be an object, got ${describe(config)}`);
  const name = typeof own(config, 'name') === 'string' ? ` "${own(config, 'name') as string}"` : '';
  const label = `${where}${name} (${className})`;
  const factory = factories.get(className);
  if (!factory) {
    throw new LwError('UNSUPPORTED', `${label}: lstm-wasm has no layer "${className}"; it loads ${registeredLayerClasses().join(', ')}`, { className });
  }
  try {
    const nested = (j: unknown, w: string) => layerFromJson(j, w, kerasMajor);
    const reader = new ConfigReader(config, label, kerasMajor);
    const layer = factory(reader, { layerFromJson: nested });
    const ignored = reader.optionsNotRead();
    if (ignored.length) {
      const list = ignored.map((k) => `"${k}" = ${describe(config[k])}`).join(', ');
      throw new LwError('UNSUPPORTED', `${label}: lstm-wasm's ${className} has no option ${list}; loading would build a different model`, { className, layer: layer.name, options: ignored });
    }
    return layer;
  } catch (e) {
    if (e instanceof LwError && e.code === 'BAD_MODEL_FILE') throw e;
    // What lstm-wasm cannot run stays UNSUPPORTED, named by the layer and its class.
    if (e instanceof LwError && e.code === 'UNSUPPORTED') throw e.message.includes(label) ? e : new LwError('UNSUPPORTED', `${label}: ${e.message.replace(/^\[\w+\] /, '')}`, { ...e.details, className });
    const msg = e instanceof LwError ? e.message.replace(/^\[\w+\] /, '') : (e as Error).message;
    throw badFile(`${label}: ${msg}`, { className, cause: e instanceof LwError ? e.code : undefined });
  }
}

/** Options shared by LSTM, GRU and SimpleRNN configs. */
function recurrentArgs(c: ConfigReader): RecurrentArgs {
  if (c.bool('time_major')) throw c.fail('time_major is not supported: sequences must be [batch, time, features]');
  return {
    ...c.layerArgs(),
    units: c.int('units', 1),
    activation: c.activation('activation'),
    recurrentActivation: c.activation('recurrent_activation'),
    useBias: c.bool('use_bias'),
    returnSequences: c.bool('return_sequences'),
    returnState: c.bool('return_state'),
    goBackwards: c.bool('go_backwards'),
    zeroOutputForMask: c.bool('zero_output_for_mask'),
    stateful: c.bool('stateful'),
    dropout: c.num('dropout'),
    recurrentDropout: c.num('recurrent_dropout'),
    kernelInitializer: c.initializer('kernel_initializer'),
    recurrentInitializer: c.initializer('recurrent_initializer'),
    biasInitializer: c.initializer('bias_initializer'),
  };
}

registerLayer('InputLayer', (c) => {
  const args = c.layerArgs();
  if (!args.batchInputShape) throw c.fail('"batch_input_shape" (or "batch_shape") is missing');
  if (c.bool('sparse') || c.bool('ragged')) throw c.fail('sparse and ragged inputs are not supported');
  return new InputLayer({ name: args.name, batchInputShape: args.batchInputShape });
});

registerLayer('Dense', (c) => new Dense({
  ...c.layerArgs(),
  units: c.int('units', 1),
  activation: c.activation('activation'),
  useBias: c.bool('use_bias'),
  kernelInitializer: c.initializer('kernel_initializer'),
  biasInitializer: c.initializer('bias_initializer'),
}));

registerLayer('Embedding', (c) => new Embedding({
  ...c.layerArgs(),
  inputDim: c.int('input_dim', 1),
  outputDim: c.int('output_dim', 1),
  inputLength: c.num('input_length'),
  maskZero: c.bool('mask_zero'),
  embeddingsInitializer: c.initializer('embeddings_initializer'),
}));

registerLayer('LSTM', (c) => new LSTM({ ...recurrentArgs(c), unitForgetBias: c.bool('unit_forget_bias'), usePeepholes: c.bool('use_peepholes') }));
// Keras 2 before 2.3 and TF.js default to resetAfter false when the key is absent.
registerLayer('GRU', (c) => new GRU({ ...recurrentArgs(c), resetAfter: c.bool('reset_after') ?? false }));
registerLayer('SimpleRNN', (c) => new SimpleRNN(recurrentArgs(c)));

// Cells are user code: each is made by the factory registered for its class (lw.layers.registerCell).
// unroll is a speed hint of Keras' graph building with the same results: not read.
registerLayer('RNN', (c) => {
  if (c.bool('time_major')) throw c.fail('time_major is not supported: sequences must be [batch, time, features]');
  return new RNN({
    ...c.layerArgs(),
    cell: cellsFromJson(c.get('cell'), c.where, c.kerasMajor),
    returnSequences: c.bool('return_sequences'),
    returnState: c.bool('return_state'),
    goBackwards: c.bool('go_backwards'),
    zeroOutputForMask: c.bool('zero_output_for_mask'),
    stateful: c.bool('stateful'),
  });
});

registerLayer('Dropout', (c) => {
  if (c.get('noise_shape') !== undefined) throw c.fail('noise_shape is not supported');
  return new Dropout({ ...c.layerArgs(), rate: c.num('rate') ?? 0 });
});

registerLayer('Activation', (c) => new Activation({ ...c.layerArgs(), activation: c.activation('activation') ?? 'linear' }));

registerLayer('Flatten', (c) => {
  const format = c.str('data_format');
  if (format !== undefined && format !== 'channels_last') throw c.fail(`data_format "${format}" is not supported; use channels_last`);
  return new Flatten(c.layerArgs());
});

registerLayer('Masking', (c) => new Masking({ ...c.layerArgs(), maskValue: c.num('mask_value') }));
registerLayer('SequenceLengthsMask', (c) => new SequenceLengthsMask(c.layerArgs()));

registerLayer('Concatenate', (c) => {
  const axis = c.num('axis');
  if (axis !== undefined && !Number.isInteger(axis)) throw c.fail(`"axis" must be a whole number, got ${axis}`);
  return new Concatenate({ ...c.layerArgs(), axis });
});

registerLayer('TimeDistributed', (c, ctx) => new TimeDistributed({ ...c.layerArgs(), layer: ctx.layerFromJson(c.get('layer'), `${c.where} inner layer`) }));

registerLayer('Bidirectional', (c, ctx) => {
  const recurrent = (key: string) => {
    const l = ctx.layerFromJson(c.get(key), `${c.where} ${key}`);
    if (!(l instanceof RecurrentLayer)) throw c.fail(`"${key}" must be an LSTM, GRU or SimpleRNN, got ${l.className}`);
    return l;
  };
  return new Bidirectional({
    ...c.layerArgs(),
    layer: recurrent('layer'),
    // Keras writes merge_mode null for "return both directions" (two outputs).
    mergeMode: c.raw.merge_mode === null ? null : (c.str('merge_mode') as MergeMode | undefined),
    backwardLayer: c.get('backward_layer') === undefined ? undefined : recurrent('backward_layer'),
  });
});

registerLayer('RepeatVector', (c) => new RepeatVector({ ...c.layerArgs(), n: c.int('n', 1) }));

registerLayer('Reshape', (c) => {
  const target = c.get('target_shape');
  const ok = Array.isArray(target) && target.every((d) => Number.isInteger(d));
  if (!ok) throw c.fail(`"target_shape" must be a list of whole numbers, got ${describe(target)}`);
  return new Reshape({ ...c.layerArgs(), targetShape: target as number[] });
});

/** data_format goes to the layer, which refuses channels_first as UNSUPPORTED. */
const globalPooling1DArgs = (c: ConfigReader): GlobalPooling1DArgs => ({
  ...c.layerArgs(), dataFormat: c.str('data_format') as DataFormat | undefined, keepdims: c.bool('keepdims'),
});
registerLayer('GlobalAveragePooling1D', (c) => new GlobalAveragePooling1D(globalPooling1DArgs(c)));
registerLayer('GlobalMaxPooling1D', (c) => new GlobalMaxPooling1D(globalPooling1DArgs(c)));

registerLayer('SpatialDropout1D', (c) => new SpatialDropout1D({ ...c.layerArgs(), rate: c.num('rate') ?? 0, seed: c.num('seed') }));

registerLayer('Dot', (c) => {
  const axes = c.get('axes');
  const ok = Number.isInteger(axes) || (Array.isArray(axes) && axes.length === 2 && axes.every((a) => Number.isInteger(a)));
  if (!ok) throw c.fail(`"axes" must be a whole number or a pair of them, got ${describe(axes)}`);
  return new Dot({ ...c.layerArgs(), axes: axes as number | [number, number], normalize: c.bool('normalize') });
});

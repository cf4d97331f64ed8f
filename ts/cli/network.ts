// The network for a task: embedding (token ids) or raw values (series) → stacked recurrent layers
// (optionally bidirectional) → a dense output suited to the task, compiled with Adam.
import { Tokenizer } from '../data/tokenizer.js';
import { bidirectional } from '../layers/bidirectional.js';
import { dense } from '../layers/dense.js';
import { embedding } from '../layers/embedding.js';
import { gru } from '../layers/gru.js';
import type { Layer } from '../engine/layer.js';
import { lstm } from '../layers/lstm.js';
import { simpleRNN } from '../layers/simple-rnn.js';
import type { RecurrentLayer } from '../layers/recurrent-base.js';
import type { LayersModel } from '../model/model.js';
import { sequential } from '../model/sequential.js';
import { adam } from '../optim/optimizers.js';
import { vocabularySize } from '../text/language-model.js';
import type { ModelSpec } from './options.js';
import { tokenizerOf, type Preprocessing } from './preprocessing.js';

export interface NetworkShape {
  /** Token ids [batch, length] through an embedding, or values [batch, length, features]. */
  input: { kind: 'ids'; length: number; vocab: number } | { kind: 'series'; length: number; features: number };
  outputs: number;
  activation: 'sigmoid' | 'softmax' | 'linear';
  loss: string;
  metrics: string[];
}

/** Inputs, outputs, loss and metrics of the task's network, from its preprocessing state. */
export function networkShape(prep: Preprocessing, tok?: Tokenizer): NetworkShape {
  switch (prep.task) {
    case 'forecast':
      return { input: { kind: 'series', length: prep.window!, features: 1 }, outputs: prep.horizon!, activation: 'linear', loss: 'meanSquaredError', metrics: ['mae'] };
    case 'language-model': {
      const v = vocabularySize(tok ?? tokenizerOf(prep));
      return { input: { kind: 'ids', length: prep.maxLen!, vocab: v }, outputs: v, activation: 'softmax', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] };
    }
    default: {
      const ids = { kind: 'ids' as const, length: prep.maxLen!, vocab: vocabularySize(tok ?? tokenizerOf(prep)) };
      if (prep.task === 'binary') return { input: ids, outputs: 1, activation: 'sigmoid', loss: 'binaryCrossentropy', metrics: ['accuracy'] };
      if (prep.task === 'multiclass') return { input: ids, outputs: prep.labels!.length, activation: 'softmax', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] };
      return { input: ids, outputs: 1, activation: 'linear', loss: 'meanSquaredError', metrics: ['mae'] };
    }
  }
}

function recurrent(spec: ModelSpec, returnSequences: boolean, inputShape?: number[]): RecurrentLayer {
  const args = { units: spec.units, returnSequences, inputShape };
  return spec.cell === 'gru' ? gru(args) : spec.cell === 'simpleRNN' ? simpleRNN(args) : lstm(args);
}

/** (Re)compiles a model for the task: Adam with the spec's learning rate and clip norm. */
export function compileNetwork(model: LayersModel, shape: NetworkShape, spec: ModelSpec): void {
  model.compile({ optimizer: adam({ learningRate: spec.learningRate, clipNorm: spec.clipNorm }), loss: shape.loss, metrics: shape.metrics });
}

/** A fresh compiled network (initial weights from the global seed). */
export function buildNetwork(shape: NetworkShape, spec: ModelSpec): LayersModel {
  const layers: Layer[] = [];
  const inp = shape.input;
  if (inp.kind === 'ids') layers.push(embedding({ inputDim: inp.vocab, outputDim: spec.embeddingDim, inputLength: inp.length, maskZero: true }));
  for (let i = 0; i < spec.layers; i++) {
    const seq = i < spec.layers - 1;
    const inputShape = i === 0 && inp.kind === 'series' ? [inp.length, inp.features] : undefined;
    layers.push(spec.bidirectional ? bidirectional({ layer: recurrent(spec, seq), inputShape }) : recurrent(spec, seq, inputShape));
  }
  layers.push(dense({ units: shape.outputs, activation: shape.activation }));
  const model = sequential(layers);
  compileNetwork(model, shape, spec);
  return model;
}

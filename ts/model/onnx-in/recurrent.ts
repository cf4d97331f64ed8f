// ONNX LSTM / GRU / RNN → lstm / gru / simpleRNN (bidirectional for direction = bidirectional). The
// layer is made when a consumer first reads the operator's Y or Y_h, so a graph that takes only the
// last step gets a layer returning only that (returnSequences false), as the torch export computes it.
import type { SymbolicTensor } from '../../engine/layer.js';
import type { Weight } from '../../engine/weight.js';
import { Bidirectional } from '../../layers/bidirectional.js';
import { GRU } from '../../layers/gru.js';
import { LSTM } from '../../layers/lstm.js';
import type { RecurrentLayer } from '../../layers/recurrent-base.js';
import { SimpleRNN } from '../../layers/simple-rnn.js';
import { SequenceLengthsMask } from '../../layers/sequence-lengths-mask.js';
import type { OnnxNode } from './node.js';
import { badNode, intsOf, isZeros, unsupported, type ConstValue, type PendingRecurrent, type TensorValue, type Value } from './values.js';
import { GATE_ORDER, kerasBias, kerasKernel, kerasPeepholes, type RecurrentOp } from './weights.js';

/** ONNX activation names → this library's (HardSigmoid only with ONNX's default alpha 0.2, beta 0.5: TF.js' hardSigmoid). */
const ACTIVATIONS: Record<string, string> = { Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu', HardSigmoid: 'hardSigmoid' };
const DEFAULT_ACTIVATIONS: Record<RecurrentOp, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };
const ATTRIBUTES: Record<RecurrentOp, string[]> = {
  LSTM: ['hidden_size', 'direction', 'activations', 'layout', 'input_forget'],
  GRU: ['hidden_size', 'direction', 'activations', 'layout', 'linear_before_reset'],
  RNN: ['hidden_size', 'direction', 'activations', 'layout'],
};

type Direction = 'forward' | 'reverse' | 'bidirectional';

/** The weights a layer is given once the model is built: each Weight with its values. */
export type WeightWrites = [Weight, Float32Array][];

/** An ONNX recurrent operator as read and checked: what its layer needs. */
export interface RecurrentSpec {
  node: OnnxNode;
  op: RecurrentOp;
  /** X as a layer output [batch, time, features]. */
  x: SymbolicTensor;
  /** X's steps reversed by a Slice: the layer runs goBackwards, and its Y is in processing order as ONNX's is then. */
  reversedInput: boolean;
  units: number;
  direction: Direction;
  activation: string;
  recurrentActivation: string;
  resetAfter: boolean;
  w: ConstValue;
  r: ConstValue;
  b: ConstValue | null;
  p: ConstValue | null;
  /** sequence_lens as model data [batch, 1]: the layer reads x behind a SequenceLengthsMask. */
  lengths: SymbolicTensor | null;
  /** Whether Y_h is to be read: with Y read too, the layer also returns its states. */
  statesRead: boolean;
  /** Told when the layer is made returning its states, and when Y_h is read (graph.ts maps again when those differ). */
  record: (event: 'states-made' | 'states-read') => void;
}

/** One recurrent operator whose layer is made on first use. */
export class RecurrentMapping implements PendingRecurrent {
  readonly node: OnnxNode;
  readonly units: number;
  readonly directions: number;
  /** 1: X [B, T, I], Y [B, T, D, H], Y_h [B, D, H] (ONNX's layout attribute); 0: time first. */
  readonly layout: number;
  readonly steps: number | null;
  /** Whether sequence_lens gives each sample its length (Y is zero past it). */
  readonly hasLengths: boolean;
  private made: { sequences: boolean; outputs: SymbolicTensor[] } | null = null;

  constructor(private readonly spec: RecurrentSpec, private readonly writes: WeightWrites) {
    this.node = spec.node;
    this.units = spec.units;
    this.directions = spec.direction === 'bidirectional' ? 2 : 1;
    this.layout = spec.node.int('layout', 0);
    this.steps = typeof spec.x.shape[1] === 'number' ? spec.x.shape[1] : null;
    this.hasLengths = spec.lengths !== null;
  }

  sequences(consumer: OnnxNode): SymbolicTensor {
    // Keras' goBackwards returns the steps in processing order, ONNX's reverse in input order.
    if (this.spec.direction === 'reverse') throw unsupported(this.node, `has direction "reverse" and its Y is read by node "${consumer.name}": lstm-wasm maps a reverse operator's Y_h only`);
    return this.make(true, consumer)[0];
  }

  finalState(d: number, consumer: OnnxNode): SymbolicTensor {
    this.spec.record('states-read');
    const outputs = this.make(this.made?.sequences ?? false, consumer);
    if (!this.made!.sequences) return outputs[d];
    if (!this.spec.statesRead) throw unsupported(this.node, `has its Y_h read by node "${consumer.name}" after its Y was made without states`);
    // [Y, h_f(, c_f), h_b(, c_b)]: each direction's states after Y (returnState, as Y_h is read).
    const perDirection = this.spec.op === 'LSTM' ? 2 : 1;
    return outputs[1 + d * perDirection];
  }

  /**
   * The layer's outputs: with `sequences`, [Y] (and its states when Y_h is read: returnState), else
   * one final output per direction.
   */
  private make(sequences: boolean, consumer: OnnxNode): SymbolicTensor[] {
    if (this.made) {
      if (!this.made.sequences && sequences) throw unsupported(this.node, `has its Y read by node "${consumer.name}" after a node took only its last step: lstm-wasm maps one of them`);
      return this.made.outputs;
    }
    const layer = this.layer(sequences, this.spec.direction === 'reverse' || this.spec.reversedInput);
    // ONNX's sequence_lens: masked steps past each length carry the state, and Y is zero there (zeroOutputForMask).
    const x = this.spec.lengths ? (new SequenceLengthsMask().apply([this.spec.x, this.spec.lengths]) as SymbolicTensor) : this.spec.x;
    if (sequences && this.spec.statesRead) this.spec.record('states-made');
    let outputs: SymbolicTensor[];
    if (this.spec.direction === 'bidirectional') {
      const bi = new Bidirectional({ layer, mergeMode: sequences ? 'concat' : null });
      const out = bi.apply(x);
      outputs = Array.isArray(out) ? out : [out];
      this.setWeights(bi.forwardLayer, 0);
      this.setWeights(bi.backwardLayer, 1);
    } else {
      const out = layer.apply(x);
      outputs = Array.isArray(out) ? out : [out];
      this.setWeights(layer, 0);
    }
    this.made = { sequences, outputs };
    return outputs;
  }

  private layer(returnSequences: boolean, goBackwards: boolean): RecurrentLayer {
    const args = { units: this.units, activation: this.spec.activation, returnSequences, returnState: returnSequences && this.spec.statesRead, goBackwards, zeroOutputForMask: returnSequences && this.hasLengths };
    if (this.spec.op === 'LSTM') return new LSTM({ ...args, recurrentActivation: this.spec.recurrentActivation, usePeepholes: this.spec.p !== null });
    if (this.spec.op === 'GRU') return new GRU({ ...args, recurrentActivation: this.spec.recurrentActivation, resetAfter: this.spec.resetAfter });
    return new SimpleRNN(args);
  }

  /** Direction `d`'s ONNX weights onto `layer` (kernel, recurrent kernel, bias, peepholes). */
  private setWeights(layer: RecurrentLayer, d: number): void {
    const order = GATE_ORDER[this.spec.op], H = this.units;
    const inputs = this.spec.w.data.dims[2];
    const values = [
      kerasKernel(this.spec.w.data.values as Float32Array, d, inputs, H, order),
      kerasKernel(this.spec.r.data.values as Float32Array, d, H, H, order),
      kerasBias(this.spec.b ? (this.spec.b.data.values as Float32Array) : null, d, H, order, this.spec.resetAfter),
    ];
    if (this.spec.p) values.push(kerasPeepholes(this.spec.p.data.values as Float32Array, d, H));
    layer.weights.forEach((w, i) => this.writes.push([w, values[i]]));
  }
}

/** A constant float input of the node with exactly `dims`; BAD_MODEL_FILE otherwise. */
function weightInput(node: OnnxNode, v: Value | undefined, what: string, dims: number[]): ConstValue {
  if (v?.kind !== 'const' || v.data.kind !== 'float') {
    throw unsupported(node, `takes ${what} from the graph's data: lstm-wasm needs it as an initializer or Constant (or bound with loadModel's { inputs })`, { input: what });
  }
  const same = v.data.dims.length === dims.length && v.data.dims.every((d, i) => d === dims[i]);
  if (!same) throw badNode(node, `has ${what} of shape [${v.data.dims.join(', ')}]; its attributes and X need [${dims.join(', ')}]`);
  return v;
}

/** Reads an ONNX LSTM / GRU / RNN node whose X is `x` (time first, or batch first with layout = 1); `get` gives its other inputs. */
export function readRecurrent(node: OnnxNode, x: TensorValue, get: (i: number) => Value | undefined, states: Pick<RecurrentSpec, 'statesRead' | 'record'>, writes: WeightWrites): RecurrentMapping {
  const op = node.opType as RecurrentOp;
  node.allowOnly(ATTRIBUTES[op]);
  const layout = node.int('layout', 0);
  if (layout !== 0 && layout !== 1) throw unsupported(node, `has layout ${layout}`, { attribute: 'layout' });
  if (node.int('input_forget', 0) !== 0) throw unsupported(node, 'has input_forget = 1 (coupled input and forget gates), which lstm-wasm does not have', { attribute: 'input_forget' });
  const direction = node.string('direction', 'forward') as Direction;
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) throw unsupported(node, `has direction "${direction}"`, { attribute: 'direction' });
  const D = direction === 'bidirectional' ? 2 : 1;
  const H = node.int('hidden_size', 0);
  if (!Number.isSafeInteger(H) || H < 1 || H > 1 << 16) throw unsupported(node, `has hidden_size ${H}: it must be 1 to 65536 (it is needed, not inferred)`, { attribute: 'hidden_size' });
  const I = x.t.shape[x.t.shape.length - 1];
  if (typeof I !== 'number' || x.t.shape.length !== 3) throw unsupported(node, `reads X of shape [${x.t.shape.join(', ')}]: it needs [time, batch, features] with a known feature size`);

  const names = node.strings('activations') ?? [...DEFAULT_ACTIVATIONS[op], ...(D === 2 ? DEFAULT_ACTIVATIONS[op] : [])];
  const per = DEFAULT_ACTIVATIONS[op].length;
  if (names.length !== per * D) throw unsupported(node, `lists ${names.length} activations; it needs ${per * D}`, { attribute: 'activations' });
  for (let k = 0; k < per * D; k++) {
    if (!(names[k] in ACTIVATIONS)) throw unsupported(node, `has activation "${names[k]}": lstm-wasm maps ${Object.keys(ACTIVATIONS).join(', ')}`, { attribute: 'activations' });
    if (names[k] !== names[k % per]) throw unsupported(node, 'has different activations per direction', { attribute: 'activations' });
  }
  // The cell's two activations: f (gates) and g (candidate); an LSTM's h must be g (one `activation` here).
  if (op === 'LSTM' && names[2] !== names[1]) throw unsupported(node, `has output activation h = ${names[2]} unlike g = ${names[1]}: lstm-wasm's LSTM uses one for both`, { attribute: 'activations' });
  const [gates, candidate] = op === 'RNN' ? [names[0], names[0]] : [names[0], names[1]];

  const G = GATE_ORDER[op].length;
  const w = weightInput(node, get(1), 'W', [D, G * H, I]);
  const r = weightInput(node, get(2), 'R', [D, G * H, H]);
  const b = get(3) ? weightInput(node, get(3), 'B', [D, 2 * G * H]) : null;
  const T = x.t.shape[1];
  const lens = intsOf(get(4));
  const lensInput = get(4);
  // Lengths as data (a graph input) become a mask; constant ones that are all the steps change nothing.
  const lengths = lensInput?.kind === 'tensor' ? lensInput.t : null;
  if (lensInput && !lengths && !(lens && typeof T === 'number' && lens.every((n) => n === T))) {
    throw unsupported(node, 'takes constant sequence_lens shorter than the steps: lstm-wasm takes them as a graph input (the model\'s data), or as a mask (lw.data.sequenceMask and a masking layer)', { input: 'sequence_lens' });
  }
  for (const [i, what] of [[5, 'initial_h'], [6, 'initial_c']] as const) {
    const v = get(i);
    if (v && !isZeros(v)) throw unsupported(node, `takes a non-zero ${what}: lstm-wasm maps recurrent operators that start from zeros`, { input: what });
  }
  const p = op === 'LSTM' && get(7) ? weightInput(node, get(7), 'P', [D, 3 * H]) : null;
  const resetAfter = op === 'GRU' && node.int('linear_before_reset', 0) !== 0;
  if (x.reversed && direction !== 'forward') throw unsupported(node, `runs direction "${direction}" over steps a Slice reversed: lstm-wasm maps a reversed X only forward (goBackwards)`, { attribute: 'direction' });
  return new RecurrentMapping({ node, op, x: x.t, reversedInput: x.reversed ?? false, units: H, direction, activation: ACTIVATIONS[candidate], recurrentActivation: ACTIVATIONS[gates], resetAfter, w, r, b, p, lengths, ...states }, writes);
}

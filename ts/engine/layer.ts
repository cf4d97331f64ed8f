import { LwError } from '../errors.js';
import { getInitializer, type Initializer, type InitializerName } from '../initializers.js';
import { Tensor } from '../tensor.js';
import type { BatchTensor, ExecCtx } from './exec.js';
import { eagerMaskInputs, eagerMasks, eagerOutputMasks, type MaskArgument, type MaskInput, type OutputMask } from './mask.js';
import { fmt, type Shape } from './shape.js';
import { checkOptions, type OptionNames } from './options.js';
import { Weight } from './weight.js';

/** Options every layer takes (TF.js names). */
export interface LayerArgs {
  name?: string;
  /** Per-sample input shape (without the batch dimension). */
  inputShape?: (number | null)[];
  /** Input shape with the batch dimension (null or a fixed batch size). */
  batchInputShape?: (number | null)[];
  batchSize?: number;
  trainable?: boolean;
  /** Accepted for TF.js compatibility; computation is float32. */
  dtype?: 'float32';
}

const LAYER_OPTIONS: OptionNames<LayerArgs> = { name: true, inputShape: true, batchInputShape: true, batchSize: true, trainable: true, dtype: true };

/** Call options of `layer.apply(inputs, kwargs)`. */
export interface ApplyArgs {
  /** Recurrent layers: the initial states, [h] or for LSTM [h, c], each [batch, units] (default zeros). */
  initialState?: SymbolicTensor | SymbolicTensor[];
}

/** Call options of an eager `layer.apply(tensors, kwargs)`: the same, with tensors. */
export interface EagerApplyArgs {
  initialState?: Tensor | Tensor[];
}

/** Runs a layer on tensors; set by ts/model, which can make the one-layer model it takes. */
type EagerApply = (layer: Layer, inputs: Tensor[], kwargs: EagerApplyArgs) => Tensor | Tensor[];
let eagerApply: EagerApply | null = null;

/** Installs how `layer.apply(tensors)` runs (ts/model/eager-apply.ts). */
export function setEagerApply(run: EagerApply): void {
  eagerApply = run;
}

/** A tensor in a model graph (no values): what `layer.apply(...)` returns. */
export class SymbolicTensor {
  constructor(
    readonly shape: Shape,
    readonly node: Node,
    readonly index: number,
    readonly name: string,
  ) {}
}

/** One application of a layer to symbolic inputs. */
export class Node {
  readonly outputs: SymbolicTensor[] = [];
  constructor(readonly layer: Layer, readonly inputs: SymbolicTensor[]) {}
}

export interface ForwardResult {
  outputs: BatchTensor[];
  /** Whatever backward needs (pointers into this batch's scope, flags). */
  saved?: unknown;
}

const nameCounts = new Map<string, number>();
/** Keras-style unique names: lstm, lstm_1, lstm_2 ... */
function uniqueName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/**
 * Base of every layer. A layer declares its weights in `build`, computes shapes symbolically,
 * and runs forward/backward on a batch in backend memory through kernels.
 */
export abstract class Layer {
  /** Keras class name, as written to model.json. */
  abstract readonly className: string;
  readonly name: string;
  built = false;
  private trainableFlag: boolean;
  private readonly ownWeights: Weight[] = [];
  private readonly declaredInputShape: Shape | null;
  /** Nodes where this layer was applied. */
  readonly inboundNodes: Node[] = [];
  /** Whether this layer keeps state across batches (stateful RNNs). */
  stateful = false;
  /**
   * True: forward may be given an Embedding's output with its rows not gathered (`ptr` 0, see
   * `BatchTensor.gather`) and gathers them itself (`gatherRows`) when it needs them.
   */
  readonly handlesGatheredInputs: boolean = false;
  /**
   * True: forward sets its outputs' masks itself (a model: its graph's layers set them); otherwise
   * the executor sets them from `outputMasks` after forward.
   */
  readonly forwardSetsMasks: boolean = false;
  /**
   * Keras numbers a model's own graph as its node 0, so its applications in other models are
   * nodes 1, 2, ... in saved configs; plain layers start at 0.
   */
  readonly nodeIndexOffset: number = 0;

  /** `options`: the subclass's own option names; any other key of `args` is BAD_ARGUMENT. */
  constructor(args: LayerArgs = {}, defaultName?: string, options: Readonly<Record<string, true>> = {}) {
    this.name = args.name ?? uniqueName(defaultName ?? snake(this.constructor.name));
    checkOptions(args, { ...LAYER_OPTIONS, ...options }, `layer "${this.name}" (${this.constructor.name})`);
    // Not through the setter: a subclass's sublayers do not exist yet.
    this.trainableFlag = args.trainable ?? true;
    if (args.batchInputShape) this.declaredInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.declaredInputShape = [args.batchSize ?? null, ...args.inputShape];
    else this.declaredInputShape = null;
  }

  /** The declared input shape with the batch (inputShape / batchInputShape); a model: its input's. */
  get batchInputShape(): Shape | null {
    return this.declaredInputShape;
  }

  /** Every weight of this layer (a wrapper's or a model's include those of the layers inside). */
  get weights(): Weight[] {
    return this.ownWeights;
  }

  get trainable(): boolean {
    return this.trainableFlag;
  }

  /** Sets it for the layers inside too (Keras): freezing a wrapper or a model freezes what it holds. */
  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const l of this.sublayers) l.trainable = value;
  }

  /** The layers inside this one (a wrapper's, a model's), which follow its `trainable`. */
  get sublayers(): readonly Layer[] {
    return [];
  }

  /** Output shapes for the given input shapes (one per output). Throws SHAPE_MISMATCH naming the layer. */
  abstract computeOutputShape(inputShapes: Shape[]): Shape[];

  /** Declares weights for the given input shapes. */
  build(_inputShapes: Shape[]): void {}

  abstract forward(ctx: ExecCtx, inputs: BatchTensor[]): ForwardResult;

  /**
   * Given gradients of the outputs (pointers, 0 = none), accumulates weight gradients and returns
   * gradients of the inputs (pointers into the batch scope, 0 = none / not differentiable).
   * `wanted[i]` false: nothing uses input i's gradient (it depends on no updated weight), so a
   * layer may skip computing it and return 0.
   */
  abstract backward(ctx: ExecCtx, saved: unknown, inputs: BatchTensor[], outputs: BatchTensor[], dOutputs: number[], wanted?: readonly boolean[]): number[];

  /**
   * How the outputs' masks follow from the inputs, one entry per output (a missing one: none):
   * `inputMask(i)` passes input i's mask on, new values compute one (Embedding, Masking), null
   * drops it. Forward never sets masks: the executor sets them from this after forward, and
   * computeMask evaluates the same declaration on eager tensors. Default: no output has a mask
   * (Keras: a layer that does not support masking drops it).
   */
  outputMasks(_inputs: readonly MaskInput[]): readonly OutputMask[] {
    return [];
  }

  /**
   * The output masks for eager inputs and their masks (Keras / TF.js `computeMask`): `mask` is one
   * [batch, time] tensor (1 keep, 0 masked) or null per input. Returns the mask of the output (null:
   * none), or a list for a layer with several outputs. Validates shapes as `apply` does.
   */
  computeMask(inputs: Tensor | Tensor[], mask?: MaskArgument): Tensor | null | (Tensor | null)[] {
    const where = `layer "${this.name}" (${this.className}).computeMask`;
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    xs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new LwError('BAD_ARGUMENT', `${where}: input ${i} must be a tensor (lw.tensor)`);
    });
    const masks = eagerMasks(xs, mask, where);
    const outShapes = this.computeOutputShape(xs.map((t) => [...t.shape]));
    const out = eagerOutputMasks(this.outputMasks(eagerMaskInputs(xs, masks)), masks, outShapes);
    return out.length === 1 ? out[0] : out;
  }

  /** Keras config (snake_case keys) for model.json. */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.batchInputShape) c.batch_input_shape = this.batchInputShape;
    return c;
  }

  /** Resets recurrent state (stateful layers). */
  resetStates(): void {}

  /**
   * Checks the values of model input data this layer receives directly as its input `inputIndex`,
   * before any batch runs (an embedding checks its ids); throws an LwError naming `what`. Most
   * layers accept any values.
   */
  checkInputValues(_data: Tensor, _what: string, _inputIndex = 0): void {}

  /** Prefix of this layer's weight names (a wrapper such as Bidirectional nests it). */
  weightPrefix(): string {
    return `${this.name}/`;
  }

  protected addWeight(name: string, shape: readonly number[], init: InitializerName | Initializer, trainable = true): Weight {
    const w = new Weight(this, name, shape, getInitializer(init), trainable);
    this.ownWeights.push(w);
    return w;
  }

  /** Weights the optimizer updates: trainable ones of trainable layers (as the parameter block orders them). */
  get trainableWeights(): Weight[] {
    return this.trainable ? this.weights.filter((w) => w.trainable && w.layer.trainable) : [];
  }

  get nonTrainableWeights(): Weight[] {
    return this.trainable ? this.weights.filter((w) => !(w.trainable && w.layer.trainable)) : this.weights;
  }

  countParams(): number {
    return this.weights.reduce((a, w) => a + w.size, 0);
  }

  /** Weights as tensors, in Keras order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => new Tensor(w.read(), [...w.shape]));
  }

  /** Sets weights from tensors in Keras order and shapes. */
  setWeights(values: Tensor[]): void {
    if (values.length !== this.weights.length) {
      throw new LwError('SHAPE_MISMATCH', `layer ${this.name} has ${this.weights.length} weights, setWeights got ${values.length}`);
    }
    values.forEach((t, i) => {
      const w = this.weights[i];
      const same = t.shape.length === w.shape.length && t.shape.every((d, j) => d === w.shape[j]);
      if (!same) {
        throw new LwError('SHAPE_MISMATCH', `layer ${this.name}: weight ${w.name} has shape ${fmt([...w.shape])}, got ${fmt([...t.shape])}`);
      }
      w.write(Float32Array.from(t.dataSync()));
    });
  }

  /** Builds once for the given input shapes. */
  ensureBuilt(inputShapes: Shape[]): void {
    if (this.built) return;
    this.build(inputShapes);
    this.built = true;
  }

  /**
   * Applies the layer to symbolic tensors (functional API), or to tensors, computing at once (TF.js
   * and Keras eager calls: `lstm.apply(x, { initialState: [h, c] })` gives the output tensor; an
   * unbuilt layer is built for the shapes it is given). `kwargs` are call options: `initialState`
   * for recurrent layers; a layer refuses options it does not take.
   */
  apply(inputs: Tensor | Tensor[], kwargs?: EagerApplyArgs): Tensor | Tensor[];
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: ApplyArgs): SymbolicTensor | SymbolicTensor[];
  apply(inputs: SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[], kwargs: ApplyArgs | EagerApplyArgs = {}): SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[] {
    const given = Array.isArray(inputs) ? inputs : [inputs];
    if (given.length && given.every((t) => t instanceof Tensor)) {
      if (!eagerApply) throw new LwError('NOT_READY', `layer ${this.name}.apply on tensors needs the model module loaded`);
      return eagerApply(this, given as Tensor[], kwargs as EagerApplyArgs);
    }
    const list = this.callInputs(given as SymbolicTensor[], kwargs as ApplyArgs);
    for (const t of list) {
      if (!(t instanceof SymbolicTensor)) {
        throw new LwError('BAD_ARGUMENT', `layer ${this.name}.apply takes the symbolic outputs of lw.input() or other layers, or tensors (all of one kind, initial states too)`);
      }
    }
    const shapes = list.map((t) => t.shape);
    const outShapes = this.computeOutputShape(shapes);
    this.ensureBuilt(shapes);
    const node = new Node(this, list);
    outShapes.forEach((s, i) => node.outputs.push(new SymbolicTensor(s, node, i, outShapes.length > 1 ? `${this.name}/${i}` : this.name)));
    this.inboundNodes.push(node);
    return node.outputs.length === 1 ? node.outputs[0] : node.outputs;
  }

  /** The node's inputs for a call with `kwargs`; a layer taking call options overrides this. */
  protected callInputs(inputs: SymbolicTensor[], kwargs: ApplyArgs): SymbolicTensor[] {
    checkOptions(kwargs, {}, `layer "${this.name}" (${this.className}).apply`);
    return inputs;
  }

  /** Shape error naming this layer. */
  protected shapeError(message: string, details: Record<string, unknown> = {}): LwError {
    return new LwError('SHAPE_MISMATCH', `layer "${this.name}" (${this.className}): ${message}`, { layer: this.name, ...details });
  }

  /** Checks the rank of the single input. */
  protected expectRank(inputShapes: Shape[], ranks: number[], what = 'input'): Shape {
    if (inputShapes.length !== 1) throw this.shapeError(`expects 1 input, got ${inputShapes.length}`);
    const s = inputShapes[0];
    if (!ranks.includes(s.length)) {
      throw this.shapeError(`${what} must have rank ${ranks.join(' or ')} (with the batch), got ${fmt(s)}`, { shape: s });
    }
    return s;
  }
}

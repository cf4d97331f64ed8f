import { LwError, positiveInt } from '../errors.js';
import { InputLayer } from '../layers/input.js';
import { SymbolicTensor, setEagerApply, type Layer, type Node } from '../engine/layer.js';
import { GraphLayer } from '../engine/graph-layer.js';
import { eagerMasks, type MaskArgument } from '../engine/mask.js';
import { checkOptions } from '../engine/options.js';
import { getOptimizer, type Optimizer } from '../optim/index.js';
import { globalRandom, type Random } from '../random.js';
import { currentBackend } from '../runtime/ready.js';
import type { Tensor } from '../tensor.js';
import { MAX_MEMORY_BYTES } from '../backend/backend.js';
import type { ModelArtifacts, SaveOptions } from '../io/artifacts.js';
import { isOnnxTarget, saveArtifacts, saveOnnxFile, type SaveHandler, type SaveResult } from '../io/save.js';
import { exportOnnx } from './onnx/export.js';
import { range } from './batches.js';
import { metricKeys, resolveTargets, type CompileArgs, type OutputTarget } from './compile.js';
import type { ModelData } from './data.js';
import { evaluateBatches, outputMasks, predictBatches } from './evaluate.js';
import { fit, type FitArgs, type History } from './fit.js';
import { ParamStore } from '../engine/params.js';
import { fmt, type Shape } from '../engine/shape.js';
import { runStep, type BatchModel, type StepLogs } from './step.js';
import { summarize } from './summary.js';
import { modelToArtifacts } from './to-artifacts.js';
import { modelConfig } from './topology.js';
import { checkInputs, checkTargets } from './validate-data.js';
import { eagerApplyWith } from './eager-apply.js';

export type { CompileArgs } from './compile.js';
export type { StepLogs } from './step.js';

/**
 * A model: a graph of layers from inputs to outputs (Keras functional model). Parameters live in
 * one block of the current backend's memory, created on first use. A model is a layer too: applied
 * inside another model (`inner.apply(x)`, a Sequential, a TimeDistributed) it runs its graph on the
 * outer model's parameter block, with the same weights.
 */
export class LayersModel extends GraphLayer {
  /** Keras class name written to model.json. */
  readonly className: 'Model' | 'Sequential' = 'Model';
  private store: ParamStore | null = null;
  optimizer: Optimizer | null = null;
  private targets: OutputTarget[] = [];
  private compileArgs: CompileArgs | null = null;
  /** Set by callbacks (early stopping) to end `fit` after the current epoch. */
  stopTraining = false;

  /** `defaultName`: the base of a unique name (Keras: model, model_1, ...) when `name` is not given. */
  constructor(args: { inputs?: SymbolicTensor | SymbolicTensor[]; outputs?: SymbolicTensor | SymbolicTensor[]; name?: string }, defaultName = 'model') {
    checkOptions(args, { inputs: true, outputs: true, name: true }, 'lw.model');
    super({ name: args.name }, defaultName);
    if (args.inputs || args.outputs) {
      if (!args.inputs || !args.outputs) throw new LwError('BAD_ARGUMENT', 'lw.model needs both inputs and outputs');
      this.initGraph(args.inputs, args.outputs);
    }
  }

  /** Sets the graph from inputs to outputs. */
  protected initGraph(inputs: SymbolicTensor | SymbolicTensor[], outputs: SymbolicTensor | SymbolicTensor[]): void {
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    const outs = Array.isArray(outputs) ? outputs : [outputs];
    for (const t of [...ins, ...outs]) {
      if (!(t instanceof SymbolicTensor)) throw new LwError('BAD_ARGUMENT', 'model inputs and outputs must be symbolic tensors from lw.input() and layer.apply()');
    }
    for (const t of ins) {
      if (!(t.node.layer instanceof InputLayer)) throw new LwError('BAD_ARGUMENT', `model input "${t.name}" is not an lw.input()`);
    }
    this.setGraph(ins, outs);
    this.checkModelSize();
    // Initial values are drawn when the graph is made (as Keras does), from the seeded generator.
    const rng = globalRandom();
    for (const w of this.weights) if (!w.store && !w.pending) w.init(rng);
  }

  /**
   * OUT_OF_MEMORY before drawing initial values when the weights and their gradients (4-byte
   * floats) cannot fit the largest wasm memory: drawing them would take long and fail anyway.
   */
  private checkModelSize(): void {
    const weights = this.weights;
    const floats = weights.reduce((a, w) => a + w.size, 0);
    const bytes = floats * 4 * 2;
    const limit = MAX_MEMORY_BYTES;
    if (bytes <= limit) return;
    const big = weights.reduce((a, w) => (w.size > a.size ? w : a));
    throw new LwError(
      'OUT_OF_MEMORY',
      `model "${this.name}" has ${floats} parameters: they and their gradients need ${bytes} bytes, more than the ${limit} a wasm memory can hold; ` +
        `the largest weight is ${big.path} ${fmt([...big.shape])} of layer "${big.layer.name}" (${big.layer.className})`,
      { bytesAsked: bytes, bytesLimit: limit, parameters: floats, layer: big.layer.name },
    );
  }

  /** Builds the graph from the data's shapes when it is still unknown (Sequential without inputShape). */
  protected ensureGraph(_x: ModelData): void {}

  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new LwError('BAD_ARGUMENT', `no layer named "${name}" in model "${this.name}"`);
    return l;
  }

  /**
   * The parameter block on the current backend (made on first use, with seeded initial values).
   * Made again when the weights moved to another model's block (this model ran inside another
   * one, or that one ran this model's weights) or the model's weights or trainable flags changed.
   */
  params(): ParamStore {
    if (!this.nodes.length) throw new LwError('NOT_READY', `model "${this.name}" has no input shape yet: give the first layer inputShape, or call fit/predict first`);
    const backend = currentBackend();
    const weights = this.weights;
    if (this.store && this.store.backend !== backend) {
      this.store.dispose();
      this.store = null;
      this.optimizer?.dispose();
    } else if (this.store && !this.store.serves(weights)) {
      // Moved weights come back in the same layout, which the optimizer's slots still fit.
      if (!this.store.sameLayout(weights)) this.optimizer?.dispose();
      // The new block first: it reads the weights still in the old one exactly, then the old one goes.
      const old = this.store;
      this.store = new ParamStore(backend, weights);
      old.dispose();
    }
    if (!this.store) {
      this.store = new ParamStore(backend, weights);
    }
    return this.store;
  }

  override getWeights(): Tensor[] {
    return this.layers.flatMap((l) => l.getWeights());
  }

  override setWeights(values: Tensor[]): void {
    let i = 0;
    for (const l of this.layers) {
      const n = l.weights.length;
      l.setWeights(values.slice(i, i + n));
      i += n;
    }
    if (i !== values.length) throw new LwError('SHAPE_MISMATCH', `model "${this.name}" has ${i} weights, setWeights got ${values.length}`);
  }

  compile(args: CompileArgs): void {
    if (!args || args.optimizer === undefined || args.loss === undefined) {
      throw new LwError('BAD_ARGUMENT', 'compile needs { optimizer, loss }');
    }
    this.targets = resolveTargets(this.outputs, args);
    this.optimizer?.dispose();
    this.optimizer = getOptimizer(args.optimizer);
    this.compileArgs = args;
  }

  /** History keys besides the total loss, in Keras order (see compile.ts metricKeys). */
  metricKeys(): string[] {
    return metricKeys(this.outputs, this.targets);
  }

  private requireCompiled(what: string): void {
    if (!this.optimizer || !this.compileArgs) throw new LwError('NOT_READY', `${what}: compile the model first (model.compile({ optimizer, loss }))`);
  }

  /** What running a batch needs of this model, on the current backend. */
  private batchModel(): BatchModel {
    return {
      inputs: this.inputs, outputs: this.outputs, nodes: this.nodes, store: this.params(),
      targets: this.targets, metricKeys: this.metricKeys(), optimizer: this.optimizer,
    };
  }

  /** Checks model data against the model's inputs (count, per-sample shape, values) and returns tensors. */
  checkInputs(x: ModelData, what: string): Tensor[] {
    this.ensureGraph(x);
    return checkInputs(this.inputs, this.nodes, x, what);
  }

  /** Checks targets against the outputs and their losses (sparse targets become int32 class ids). */
  checkTargets(y: ModelData, samples: number, what: string): Tensor[] {
    return checkTargets(this.outputs, this.targets, y, samples, what);
  }

  /** Outputs for `x`, computed in batches (inference: no dropout). One tensor per output. */
  predictRaw(x: ModelData, batchSize = 32): Tensor[] {
    const xs = this.checkInputs(x, 'predict');
    return predictBatches(this.batchModel(), currentBackend(), xs, batchSize);
  }

  predict(x: ModelData, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    const out = this.predictRaw(x, positiveInt(args.batchSize ?? 32, 'batchSize'));
    return out.length === 1 ? out[0] : out;
  }

  /** One batch (rows `idx` of checked data) through the model; trains when `training` (see runStep). */
  step(xs: Tensor[], ys: Tensor[], idx: ArrayLike<number>, training: boolean, rng: Random): StepLogs {
    return runStep(this.batchModel(), currentBackend(), xs, ys, idx, training, rng);
  }

  /** Trains for `epochs` over (x, y); returns the per-epoch history (Keras names: loss, acc, val_loss, ...). */
  fit(x: ModelData, y: ModelData, args: FitArgs = {}): Promise<History> {
    return fit(this, x, y, args);
  }

  /** One training step on one batch; returns the loss, or [loss, ...metrics] as TF.js does. */
  trainOnBatch(x: ModelData, y: ModelData): number | number[] {
    this.requireCompiled('trainOnBatch');
    const xs = this.checkInputs(x, 'trainOnBatch');
    const ys = this.checkTargets(y, xs[0].shape[0], 'trainOnBatch');
    const logs = this.step(xs, ys, range(0, xs[0].shape[0]), true, globalRandom());
    const keys = this.metricKeys();
    return keys.length ? [logs.loss, ...keys.map((key) => logs.metricSums[key] / logs.rows)] : logs.loss;
  }

  /** Loss (and metrics) over a data set, batched. */
  evaluate(x: ModelData, y: ModelData, args: { batchSize?: number } = {}): number | number[] {
    this.requireCompiled('evaluate');
    const r = this.evaluateLogs(x, y, positiveInt(args.batchSize ?? 32, 'batchSize'));
    const keys = this.metricKeys();
    return keys.length ? [r.loss, ...keys.map((k) => r[k])] : r.loss;
  }

  /** Loss and metric means by history key. */
  evaluateLogs(x: ModelData, y: ModelData, batchSize: number, prefix = ''): Record<string, number> {
    const xs = this.checkInputs(x, 'evaluate');
    const ys = this.checkTargets(y, xs[0].shape[0], 'evaluate');
    return this.evaluateTensors(xs, ys, batchSize, prefix);
  }

  /** Loss and metric means over checked data (see evaluateBatches). */
  evaluateTensors(xs: Tensor[], ys: Tensor[], batchSize: number, prefix = ''): Record<string, number> {
    return evaluateBatches(this.batchModel(), currentBackend(), xs, ys, batchSize, prefix);
  }

  /** Keras-like table of layers, output shapes and parameter counts; returns it and prints it. */
  summary(lineLength = 80, print: (line: string) => void = console.log): string {
    const text = summarize(this, lineLength);
    text.split('\n').forEach((l) => print(l));
    return text;
  }

  /**
   * Saves in the TF.js layers format: 'file://dir' (Node, Deno) or an object with save(artifacts);
   * 'file://path/model.onnx' writes ONNX (lw.export.onnx) instead.
   */
  async save(target: string | URL | SaveHandler, opts?: SaveOptions): Promise<SaveResult> {
    if (isOnnxTarget(target)) return saveOnnxFile(await exportOnnx(this), target);
    return saveArtifacts(modelToArtifacts(this, opts), target);
  }

  /** The model as TF.js ModelArtifacts (browsers); `lw.loadModel(artifacts)` loads it. */
  toArtifacts(opts?: SaveOptions): ModelArtifacts {
    return modelToArtifacts(this, opts);
  }

  /** Gives the model's memory back (weights stay readable from JS). */
  dispose(): void {
    this.store?.dispose();
    this.store = null;
    this.optimizer?.dispose();
  }

  /** @internal the graph's nodes in execution order */
  get executionNodes(): Node[] {
    return this.nodes;
  }

  /** Keras config: its layers with their inbound nodes, input and output layers (as model.json nests it). */
  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = modelConfig(this);
    // Written only when frozen: TF.js writes no trainable key for models.
    if (!this.trainable) c.trainable = false;
    return c;
  }

  /**
   * The output masks for model data and the inputs' masks ([batch, time] or null each), computed
   * by running the graph forward (as TF.js and Keras do): one mask or null, a list for several outputs.
   */
  override computeMask(inputs: Tensor | Tensor[], mask?: MaskArgument): Tensor | null | (Tensor | null)[] {
    const xs = this.checkInputs(inputs, 'computeMask');
    const masks = eagerMasks(xs, mask, `model "${this.name}" (${this.className}).computeMask`);
    const out = outputMasks(this.batchModel(), currentBackend(), xs, masks);
    return out.length === 1 ? out[0] : out;
  }

  /** @internal for save/load */
  get compileConfig(): CompileArgs | null {
    return this.compileArgs;
  }

  /** Model output shapes (with null batch). */
  get outputShape(): Shape | Shape[] {
    return this.outputs.length === 1 ? this.outputs[0].shape : this.outputs.map((o) => o.shape);
  }
}

/** `lw.model({ inputs, outputs })`: a functional model. */
export function model(args: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }): LayersModel {
  return new LayersModel(args);
}

// layer.apply(tensors) runs the layer as a one-layer model of this class.
setEagerApply(eagerApplyWith(LayersModel));

import type { Backend, Scope } from '../backend/backend.js';
import { sumSquares } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import { InputLayer } from '../layers/input.js';
import { Layer, SymbolicTensor, type Node, type Weight } from '../layers/layer.js';
import { getLoss, type LossSpec } from '../losses.js';
import { getMetric, type Metric } from '../metrics.js';
import { getOptimizer, type Optimizer } from '../optim/index.js';
import { globalRandom, Random } from '../random.js';
import { currentBackend } from '../runtime/ready.js';
import { Tensor } from '../tensor.js';
import type { BatchTensor, ExecCtx } from './exec.js';
import { layersOf, runBackward, runForward, topologicalNodes } from './graph.js';
import { ParamStore } from './params.js';
import { fmt, type Shape } from './shape.js';
import { toTensorList, type ModelData } from './data.js';
import { assertFinite, assertTargets } from './validate-data.js';
import { MAX_PAGES, PAGE_BYTES } from '../runtime/memory-layout.js';
import { summarize } from './summary.js';
import { fit, type FitArgs, type History } from './fit.js';
import { saveModel, toArtifacts, type SaveHandler, type SaveResult } from '../io/save.js';
import type { ModelArtifacts, SaveOptions } from '../io/artifacts.js';

export interface CompileArgs {
  optimizer: string | Optimizer;
  /** One loss for every output, one per output (array), or by output name. */
  loss: string | string[] | Record<string, string>;
  /** Metrics for every output (`['accuracy']`), per output (`[['mae'], ['accuracy']]`), or by output name. */
  metrics?: string[] | string[][] | Record<string, string[]>;
  /** Weights of the outputs' losses in the total (array or by output name). */
  lossWeights?: number[] | Record<string, number>;
  /** Losses take raw scores instead of probabilities. */
  fromLogits?: boolean;
}

interface OutputTarget {
  loss: LossSpec;
  weight: number;
  metrics: Metric[];
  cols: number;
}

/** Per-batch numbers of a training or evaluation step. */
export interface StepLogs {
  /** Weighted total loss, mean over the batch. */
  loss: number;
  /** Metric sums over rows (divide by rows for means) by history key. */
  metricSums: Record<string, number>;
  rows: number;
}

/**
 * A model: a graph of layers from inputs to outputs (Keras functional model). Parameters live in
 * one block of the current backend's memory, created on first use.
 */
export class LayersModel {
  /** Keras class name written to model.json. */
  readonly className: 'Model' | 'Sequential' = 'Model';
  readonly name: string;
  inputs: SymbolicTensor[] = [];
  outputs: SymbolicTensor[] = [];
  protected nodes: Node[] = [];
  private store: ParamStore | null = null;
  optimizer: Optimizer | null = null;
  private targets: OutputTarget[] = [];
  private compileArgs: CompileArgs | null = null;
  /** Set by callbacks (early stopping) to end `fit` after the current epoch. */
  stopTraining = false;

  constructor(args: { inputs?: SymbolicTensor | SymbolicTensor[]; outputs?: SymbolicTensor | SymbolicTensor[]; name?: string }) {
    this.name = args.name ?? 'model';
    if (args.inputs || args.outputs) {
      if (!args.inputs || !args.outputs) throw new LwError('BAD_ARGUMENT', 'lw.model needs both inputs and outputs');
      this.initGraph(args.inputs, args.outputs);
    }
  }

  /** Sets the graph from inputs to outputs. */
  protected initGraph(inputs: SymbolicTensor | SymbolicTensor[], outputs: SymbolicTensor | SymbolicTensor[]): void {
    this.inputs = Array.isArray(inputs) ? inputs : [inputs];
    this.outputs = Array.isArray(outputs) ? outputs : [outputs];
    for (const t of [...this.inputs, ...this.outputs]) {
      if (!(t instanceof SymbolicTensor)) throw new LwError('BAD_ARGUMENT', 'model inputs and outputs must be symbolic tensors from lw.input() and layer.apply()');
    }
    for (const t of this.inputs) {
      if (!(t.node.layer instanceof InputLayer)) throw new LwError('BAD_ARGUMENT', `model input "${t.name}" is not an lw.input()`);
    }
    this.nodes = topologicalNodes(this.inputs, this.outputs);
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
    const limit = MAX_PAGES * PAGE_BYTES;
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

  /** Every layer, in execution order (input layers included, as in Keras functional models). */
  get layers(): Layer[] {
    return layersOf(this.nodes);
  }

  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new LwError('BAD_ARGUMENT', `no layer named "${name}" in model "${this.name}"`);
    return l;
  }

  get weights(): Weight[] {
    return this.layers.flatMap((l) => l.weights);
  }

  countParams(): number {
    return this.layers.reduce((a, l) => a + l.countParams(), 0);
  }

  /** The parameter block on the current backend (made on first use, with seeded initial values). */
  params(): ParamStore {
    if (!this.nodes.length) throw new LwError('NOT_READY', `model "${this.name}" has no input shape yet: give the first layer inputShape, or call fit/predict first`);
    const backend = currentBackend();
    if (this.store && this.store.backend !== backend) {
      this.store.dispose();
      this.store = null;
      this.optimizer?.dispose();
    }
    if (!this.store) {
      this.store = new ParamStore(backend, this.weights);
    }
    return this.store;
  }

  getWeights(): Tensor[] {
    return this.layers.flatMap((l) => l.getWeights());
  }

  setWeights(values: Tensor[]): void {
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
    const names = this.outputs.map((o) => o.node.layer.name);
    const pick = <T>(v: T | T[] | Record<string, T> | undefined, i: number, what: string, fallback?: T): T => {
      if (v === undefined) return fallback as T;
      if (Array.isArray(v)) {
        if (v.length !== this.outputs.length) throw new LwError('BAD_ARGUMENT', `compile: ${what} has ${v.length} entries for ${this.outputs.length} outputs`);
        return v[i];
      }
      if (typeof v === 'object' && v !== null) {
        const rec = v as Record<string, T>;
        if (!(names[i] in rec)) throw new LwError('BAD_ARGUMENT', `compile: ${what} has no entry for output "${names[i]}"`);
        return rec[names[i]];
      }
      return v as T;
    };
    this.targets = this.outputs.map((o, i) => {
      const loss = getLoss(pick(args.loss as string | string[] | Record<string, string>, i, 'loss'), args.fromLogits);
      const cols = Number(o.shape[o.shape.length - 1] ?? 1);
      return {
        loss,
        weight: pick(args.lossWeights, i, 'lossWeights', 1),
        cols,
        metrics: this.metricsFor(args.metrics, i).map((m) => getMetric(m, loss.name, cols)),
      };
    });
    this.optimizer?.dispose();
    this.optimizer = getOptimizer(args.optimizer);
    this.compileArgs = args;
  }

  /** The metric names of output i from compile's `metrics` (shared list, list per output, or by name). */
  private metricsFor(metrics: CompileArgs['metrics'], i: number): string[] {
    if (!metrics) return [];
    const name = this.outputs[i].node.layer.name;
    if (Array.isArray(metrics)) {
      if (!metrics.some(Array.isArray)) return metrics as string[];
      if (metrics.length !== this.outputs.length) throw new LwError('BAD_ARGUMENT', `compile: metrics has ${metrics.length} lists for ${this.outputs.length} outputs`);
      return (metrics as string[][])[i] ?? [];
    }
    const unknown = Object.keys(metrics).filter((k) => !this.outputs.some((o) => o.node.layer.name === k));
    if (unknown.length) throw new LwError('BAD_ARGUMENT', `compile: metrics names no output ${unknown.map((u) => `"${u}"`).join(', ')}`);
    return Object.prototype.hasOwnProperty.call(metrics, name) ? metrics[name] : [];
  }

  /**
   * History keys besides the total loss, in Keras order: with several outputs, each output's own
   * (unweighted) loss `<output>_loss`, then the metrics prefixed with their output's name.
   */
  metricKeys(): string[] {
    const multi = this.outputs.length > 1;
    const names = this.outputs.map((o) => o.node.layer.name);
    const losses = multi ? names.map((n) => `${n}_loss`) : [];
    return [...losses, ...this.targets.flatMap((t, i) => t.metrics.map((m) => (multi ? `${names[i]}_${m.key}` : m.key)))];
  }

  private requireCompiled(what: string): void {
    if (!this.optimizer || !this.compileArgs) throw new LwError('NOT_READY', `${what}: compile the model first (model.compile({ optimizer, loss }))`);
  }

  private makeCtx(backend: Backend, scope: Scope, training: boolean, rng: Random): ExecCtx {
    const store = this.params();
    const fb = backend.floatBytes;
    return {
      backend, scope, training, rng,
      fi: (p) => p / fb,
      alloc: (n) => scope.floats(n),
      zeros: (n) => scope.zeros(n),
      paramPtr: (o) => store.params + o * fb,
      gradPtr: (o) => store.grads + o * fb,
      derived: (key, spec) => store.derived.get(key, spec),
    };
  }

  /** Copies rows `idx` of each tensor into the scope: one BatchTensor per tensor. */
  private feed(backend: Backend, scope: Scope, data: Tensor[], idx: ArrayLike<number>): BatchTensor[] {
    return data.map((t) => {
      const per = t.size / t.shape[0];
      const p = scope.floats(idx.length * per);
      const f = backend.floats();
      const base = backend.fi(p);
      const src = t.dataSync();
      for (let r = 0; r < idx.length; r++) f.set(src.subarray(idx[r] * per, idx[r] * per + per), base + r * per);
      return { ptr: p, shape: [idx.length, ...t.shape.slice(1)] };
    });
  }

  private feedMap(acts: BatchTensor[]): Map<SymbolicTensor, BatchTensor> {
    return new Map(this.inputs.map((t, i) => [t, acts[i]]));
  }

  /** Checks model data against the model's inputs (count, per-sample shape) and returns tensors. */
  checkInputs(x: ModelData, what: string): Tensor[] {
    this.ensureGraph(x);
    const xs = toTensorList(x, this.inputs.length, `${what} x`, this.inputs.map((t) => t.name));
    xs.forEach((t, i) => this.checkShape(t, this.inputs[i].shape, `${what}: input "${this.inputs[i].name}"`));
    const n = xs[0].shape[0];
    xs.forEach((t, i) => {
      if (t.shape[0] !== n) throw new LwError('SHAPE_MISMATCH', `${what}: input "${this.inputs[i].name}" has ${t.shape[0]} samples, input "${this.inputs[0].name}" has ${n}`);
    });
    if (n === 0) throw new LwError('EMPTY_DATA', `${what}: x has no samples`);
    xs.forEach((t, i) => {
      const label = `${what}: input "${this.inputs[i].name}"`;
      assertFinite(t, label);
      for (const node of this.nodes) if (node.inputs.includes(this.inputs[i])) node.layer.checkInputValues(t, label);
    });
    return xs;
  }

  checkTargets(y: ModelData, samples: number, what: string): Tensor[] {
    const ys = toTensorList(y, this.outputs.length, `${what} y`, this.outputs.map((t) => t.node.layer.name));
    ys.forEach((t, i) => {
      const o = this.outputs[i];
      const target = this.targets[i];
      if (t.shape[0] !== samples) {
        throw new LwError('SHAPE_MISMATCH', `${what}: y for output "${o.node.layer.name}" has ${t.shape[0]} samples, x has ${samples}`);
      }
      const want = target?.loss.sparse ? o.shape.slice(0, -1) : o.shape;
      const got = target?.loss.sparse && t.shape.length === want.length + 1 && t.shape[t.shape.length - 1] === 1 ? t.shape.slice(0, -1) : t.shape;
      this.checkShape(new Tensor(t.dataSync(), got), want, `${what}: y for output "${o.node.layer.name}"`);
      if (target) assertTargets(t, target.loss.name, target.cols, `${what}: y for output "${o.node.layer.name}"`);
      else assertFinite(t, `${what}: y for output "${o.node.layer.name}"`);
    });
    return ys.map((t, i) => (this.targets[i]?.loss.sparse ? t.reshape([t.shape[0], -1]) : t));
  }

  private checkShape(t: Tensor, want: Shape, what: string): void {
    const ok = t.shape.length === want.length && want.every((d, i) => i === 0 || d === null || d === t.shape[i]);
    if (!ok) throw new LwError('SHAPE_MISMATCH', `${what} has shape ${fmt([...t.shape])}, the model expects ${fmt(want)}`, { shape: [...t.shape], expected: want });
  }

  /** Outputs for `x`, computed in batches (inference: no dropout). One tensor per output. */
  predictRaw(x: ModelData, batchSize = 32): Tensor[] {
    const xs = this.checkInputs(x, 'predict');
    const n = xs[0].shape[0];
    const backend = currentBackend();
    // Output sizes come from each batch's activations: unknown (null) time dimensions are allowed.
    const parts: Float32Array[][] = this.outputs.map(() => []);
    const shapes: number[][] = this.outputs.map(() => []);
    const rng = new Random(0);
    for (let start = 0; start < n; start += batchSize) {
      const idx = range(start, Math.min(n, start + batchSize));
      backend.scoped((scope) => {
        const ctx = this.makeCtx(backend, scope, false, rng);
        const trace = runForward(ctx, this.nodes, this.feedMap(this.feed(backend, scope, xs, idx)), this.outputs);
        this.outputs.forEach((o, j) => {
          const a = trace.acts.get(o)!;
          shapes[j] = a.shape.slice(1);
          parts[j].push(backend.readFloats(a.ptr, a.shape.reduce((p, d) => p * d, 1)) as Float32Array);
        });
      });
    }
    return parts.map((ps, j) => {
      const out = new Float32Array(ps.reduce((a, p) => a + p.length, 0));
      let off = 0;
      for (const p of ps) {
        out.set(p, off);
        off += p.length;
      }
      return new Tensor(out, [n, ...shapes[j]]);
    });
  }

  predict(x: ModelData, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    const out = this.predictRaw(x, positiveInt(args.batchSize ?? 32, 'batchSize'));
    return out.length === 1 ? out[0] : out;
  }

  /**
   * One batch through the model: forward, losses (and metrics) and, when training, backward and
   * the optimizer update. Throws NON_FINITE before updating when the loss is NaN or infinite.
   */
  step(xs: Tensor[], ys: Tensor[], idx: ArrayLike<number>, training: boolean, rng: Random): StepLogs {
    const backend = currentBackend();
    const store = this.params();
    const k = backend.kernels;
    return backend.scoped((scope) => {
      const ctx = this.makeCtx(backend, scope, training, rng);
      const trace = runForward(ctx, this.nodes, this.feedMap(this.feed(backend, scope, xs, idx)), this.outputs);
      const targets = this.feed(backend, scope, ys, idx);
      const seeds = new Map<SymbolicTensor, number>();
      const metricSums: Record<string, number> = {};
      const multi = this.outputs.length > 1;
      const keys = this.metricKeys();
      let keyIndex = multi ? this.outputs.length : 0;
      let loss = 0;
      this.outputs.forEach((o, j) => {
        const t = this.targets[j];
        const pred = trace.acts.get(o)!;
        const cols = pred.shape[pred.shape.length - 1];
        const rows = pred.shape.reduce((a, b) => a * b, 1) / cols;
        const lossOut = scope.floats(rows);
        const grad = training ? scope.floats(rows * cols) : 0;
        let target = targets[j].ptr;
        if (t.loss.sparse) {
          target = scope.ints(rows);
          const ids = backend.ints();
          const f = backend.floats();
          const src = backend.fi(targets[j].ptr);
          for (let r = 0; r < rows; r++) {
            const v = f[src + r];
            if (!Number.isInteger(v) || v < 0 || v >= cols) {
              throw new LwError('ID_OUT_OF_RANGE', `sparse target ${v} for output "${o.node.layer.name}" is outside [0, ${cols})`);
            }
            ids[target / 4 + r] = v;
          }
        }
        t.loss.run(k, rows, cols, pred.ptr, target, t.weight / rows, lossOut, grad);
        const lo = backend.fi(lossOut);
        const f = backend.floats();
        let s = 0;
        for (let r = 0; r < rows; r++) s += f[lo + r];
        loss += (t.weight * s) / rows;
        if (multi) metricSums[keys[j]] = (s / rows) * idx.length;
        if (grad) seeds.set(o, grad);
        if (t.metrics.length) {
          const predVals = backend.readFloats(pred.ptr, rows * cols);
          const targetVals = backend.readFloats(targets[j].ptr, t.loss.sparse ? rows : rows * cols);
          for (const m of t.metrics) metricSums[keys[keyIndex++]] = (m.batchSum(predVals, targetVals, rows, cols) / rows) * idx.length;
        }
      });
      if (!Number.isFinite(loss)) {
        throw new LwError('NON_FINITE', `loss is ${loss}: the model diverged or the data has NaN/Inf; try a lower learning rate or gradient clipping (clipNorm)`, { loss });
      }
      if (training) {
        store.zeroGrads();
        runBackward(ctx, this.nodes, trace, seeds);
        this.assertFiniteGradients(store, loss);
        this.optimizer!.apply(store);
      }
      return { loss, metricSums, rows: idx.length };
    });
  }

  /**
   * NON_FINITE before the update when a gradient is NaN or infinite although the loss is finite
   * (an overflow in backward): the update would make the weights non-finite for good.
   */
  private assertFiniteGradients(store: ParamStore, loss: number): void {
    const k = store.backend.kernels;
    if (Number.isFinite(sumSquares(k, { n: store.trainableFloats, x: store.grads }))) return;
    const bad = store.weights.find((w) => w.trainable && w.layer.trainable && !Number.isFinite(sumSquares(k, { n: w.size, x: store.gradPtr(w) })));
    const where = bad ? `the gradient of ${bad.path} (layer "${bad.layer.name}", ${bad.layer.className})` : 'the gradients';
    throw new LwError('NON_FINITE', `${where} overflowed (NaN or infinite) with a loss of ${loss}: the model diverged; try a lower learning rate or gradient clipping (clipNorm)`, { loss, weight: bad?.path });
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

  evaluateTensors(xs: Tensor[], ys: Tensor[], batchSize: number, prefix = ''): Record<string, number> {
    const n = xs[0].shape[0];
    const rng = new Random(0);
    let loss = 0;
    const sums: Record<string, number> = {};
    for (let start = 0; start < n; start += batchSize) {
      const idx = range(start, Math.min(n, start + batchSize));
      const logs = this.step(xs, ys, idx, false, rng);
      loss += logs.loss * idx.length;
      for (const [key, v] of Object.entries(logs.metricSums)) sums[key] = (sums[key] ?? 0) + v;
    }
    const out: Record<string, number> = { [`${prefix}loss`]: loss / n };
    for (const key of this.metricKeys()) out[`${prefix}${key}`] = (sums[key] ?? 0) / n;
    return out;
  }

  /** Keras-like table of layers, output shapes and parameter counts; returns it and prints it. */
  summary(lineLength = 80, print: (line: string) => void = console.log): string {
    const text = summarize(this, lineLength);
    text.split('\n').forEach((l) => print(l));
    return text;
  }

  resetStates(): void {
    for (const l of this.layers) l.resetStates();
  }

  /** Saves in the TF.js layers format: 'file://dir' (Node, Deno) or an object with save(artifacts). */
  save(target: string | URL | SaveHandler, opts?: SaveOptions): Promise<SaveResult> {
    return saveModel(this, target, opts);
  }

  /** The model as TF.js ModelArtifacts (browsers); `lw.loadModel(artifacts)` loads it. */
  toArtifacts(opts?: SaveOptions): ModelArtifacts {
    return toArtifacts(this, opts);
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

  /** @internal for save/load */
  get compileConfig(): CompileArgs | null {
    return this.compileArgs;
  }

  /** Model output shapes (with null batch). */
  get outputShape(): Shape | Shape[] {
    return this.outputs.length === 1 ? this.outputs[0].shape : this.outputs.map((o) => o.shape);
  }
}

export function range(start: number, end: number): Int32Array {
  const a = new Int32Array(end - start);
  for (let i = 0; i < a.length; i++) a[i] = start + i;
  return a;
}

export function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new LwError('BAD_ARGUMENT', `${what} must be a whole number >= 1, got ${v}`);
  return v;
}

/** `lw.model({ inputs, outputs })`: a functional model. */
export function model(args: { inputs: SymbolicTensor | SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[]; name?: string }): LayersModel {
  return new LayersModel(args);
}

// A graph of layers used as one layer (Keras: a model applied inside another model, in the
// functional API, a Sequential or a TimeDistributed). Its nodes run with the executor inside the
// outer model's step, on the outer model's parameter block: the weights are the same objects.
import { LwError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { BatchTensor, ExecCtx } from './exec.js';
import { addGradient, layersOf, runBackward, runForward, topologicalNodes, type Trace } from './graph.js';
import { Layer, type Node, type SymbolicTensor } from './layer.js';
import { fmt, type Shape } from './shape.js';
import type { Weight } from './weight.js';

/**
 * Layers from `inputs` to `outputs` as one layer: forward runs the graph's nodes (their layers set
 * the masks, so masks flow through as Keras does), backward runs them in reverse and returns the
 * gradients of the inputs. Shapes are computed through the graph for the shapes it is applied to.
 */
export abstract class GraphLayer extends Layer {
  inputs: SymbolicTensor[] = [];
  outputs: SymbolicTensor[] = [];
  /** The graph's nodes in execution order (its input layers' first). */
  protected nodes: Node[] = [];
  /** Its layers gather an Embedding's rows as they need them. */
  override readonly handlesGatheredInputs = true;
  override readonly forwardSetsMasks = true;
  override readonly nodeIndexOffset = 1;

  /**
   * Sets the graph from inputs to outputs. Throws naming an input the outputs need but do not get,
   * or the path by which the graph would hold this model itself (its forward would never end).
   */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): void {
    const nodes = topologicalNodes(inputs, outputs);
    this.checkNotInside(layersOf(nodes));
    this.nodes = nodes;
    this.inputs = inputs;
    this.outputs = outputs;
    this.built = true;
  }

  private checkNotInside(layers: readonly Layer[]): void {
    const visit = (l: Layer, path: string): void => {
      if (l === this) throw new LwError('BAD_ARGUMENT', `model "${this.name}" cannot contain itself (through ${path})`);
      for (const s of l.sublayers) visit(s, `${path} → "${s.name}"`);
    };
    for (const l of layers) visit(l, `"${l.name}"`);
  }

  /** Every layer, in execution order (input layers included, as in Keras functional models). */
  get layers(): Layer[] {
    return layersOf(this.nodes);
  }

  /** The weights of its layers, each once (a layer inside two of them, or here and in a nested model, shares them). */
  override get weights(): Weight[] {
    // A loop, not flatMap and a spread Set: this runs at every predict call and training step.
    const seen = new Set<Weight>();
    const out: Weight[] = [];
    for (const l of this.layers) {
      for (const w of l.weights) {
        if (seen.has(w)) continue;
        seen.add(w);
        out.push(w);
      }
    }
    return out;
  }

  override get sublayers(): readonly Layer[] {
    return this.layers;
  }

  override get batchInputShape(): Shape | null {
    return this.inputs.length === 1 ? this.inputs[0].shape : null;
  }

  /** SHAPE_MISMATCH naming this model. */
  private graphError(message: string, details: Record<string, unknown> = {}): LwError {
    return new LwError('SHAPE_MISMATCH', `model "${this.name}" (${this.className}) ${message}`, { layer: this.name, ...details });
  }

  /** The shapes of the outputs for inputs of `inputShapes`, computed through every node. */
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const n = this.inputs.length;
    if (inputShapes.length !== n) {
      const names = this.inputs.map((t) => `"${t.name}" ${fmt(t.shape)}`).join(', ');
      throw this.graphError(`takes ${n} input${n === 1 ? '' : 's'} (${names}), got ${inputShapes.length}`, { inputs: inputShapes.length });
    }
    const shapes = new Map<SymbolicTensor, Shape>();
    this.inputs.forEach((t, i) => shapes.set(t, this.fitInput(inputShapes[i], t, i)));
    for (const node of this.nodes) {
      if (node.outputs.every((o) => shapes.has(o))) continue; // an input
      const outs = node.layer.computeOutputShape(node.inputs.map((t) => shapes.get(t)!));
      node.outputs.forEach((o, j) => shapes.set(o, outs[j]));
    }
    return this.outputs.map((o) => shapes.get(o)!);
  }

  /** `given` against input `t` (same rank, equal where both are known): the more precise of the two. */
  private fitInput(given: Shape, t: SymbolicTensor, i: number): Shape {
    const want = t.shape;
    const fits = given.length === want.length && given.every((d, k) => d === null || want[k] === null || d === want[k]);
    if (!fits) throw this.graphError(`input ${i} ("${t.name}") must be ${fmt(want)}, got ${fmt(given)}`, { input: i, shape: given, expected: want });
    return given.map((d, k) => d ?? want[k]);
  }

  forward(ctx: ExecCtx, inputs: BatchTensor[]) {
    const feeds = new Map(this.inputs.map((t, i) => [t, inputs[i]]));
    // Outputs are not gathered here: the outer executor gathers them for the consumers that need them.
    const trace = runForward(ctx, this.nodes, feeds, []);
    return { outputs: this.outputs.map((o) => trace.acts.get(o)!), saved: trace };
  }

  backward(ctx: ExecCtx, saved: unknown, _inputs: BatchTensor[], _outputs: BatchTensor[], dOutputs: number[], wanted?: readonly boolean[]): number[] {
    const trace = saved as Trace;
    const seeds = new Map<SymbolicTensor, number>();
    this.outputs.forEach((o, i) => addGradient(ctx, seeds, o, dOutputs[i] ?? 0, trace));
    const feeds = new Set(this.inputs.filter((_, i) => wanted?.[i] !== false));
    const grads = runBackward(ctx, this.nodes, trace, seeds, feeds);
    return this.inputs.map((t) => (feeds.has(t) ? grads.get(t) ?? 0 : 0));
  }

  /** Input `inputIndex`'s data as every layer of the graph that reads it checks it. */
  override checkInputValues(data: Tensor, what: string, inputIndex = 0): void {
    const t = this.inputs[inputIndex];
    for (const node of this.nodes) {
      node.inputs.forEach((x, j) => {
        if (x === t) node.layer.checkInputValues(data, what, j);
      });
    }
  }

  override resetStates(): void {
    for (const l of this.layers) l.resetStates();
  }
}

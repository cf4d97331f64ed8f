import { LwError } from '../errors.js';
import { InputLayer, input } from '../layers/input.js';
import { Layer, SymbolicTensor } from '../engine/layer.js';
import { checkOptions } from '../engine/options.js';
import type { Shape } from '../engine/shape.js';
import { tensor } from '../tensor.js';
import { toTensorList, type ModelData } from './data.js';
import { LayersModel } from './model.js';

/**
 * A plain stack of layers. The graph is made as soon as the input shape is known: from the first
 * layer's `inputShape`/`batchInputShape`, or from the first data passed to fit/predict/evaluate.
 */
export class Sequential extends LayersModel {
  override readonly className = 'Sequential';
  private stack: Layer[] = [];

  constructor(args: { layers?: Layer[]; name?: string } = {}) {
    checkOptions(args, { layers: true, name: true }, 'lw.sequential');
    super({ name: args.name }, 'sequential');
    for (const l of args.layers ?? []) this.add(l);
  }

  /** Appends a layer, or a model (which then runs as one layer, with its weights). */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new LwError('BAD_ARGUMENT', 'sequential takes layers made by lw.layers.* or models');
    if (layer === this) throw new LwError('BAD_ARGUMENT', `sequential "${this.name}" cannot contain itself`);
    if (layer instanceof InputLayer) {
      if (this.stack.length) throw new LwError('BAD_ARGUMENT', 'an input layer must come first in a sequential model');
      this.initGraph(layer.output, layer.output);
      return;
    }
    this.stack.push(layer);
    try {
      if (this.inputs.length || this.stack[0].batchInputShape) this.rebuild();
    } catch (e) {
      this.stack.pop(); // a layer that does not fit is not kept
      throw e;
    }
  }

  /** Layers without the input layer, as in Keras. */
  override get layers(): Layer[] {
    return this.stack;
  }

  /** Applied inside another model before its input shape is known: the graph is made for the shape it gets. */
  override computeOutputShape(inputShapes: Shape[]): Shape[] {
    if (!this.inputs.length && inputShapes.length === 1) this.buildFor(inputShapes[0]);
    return super.computeOutputShape(inputShapes);
  }

  /** Makes the graph for inputs of `shape` (its batch dimension left free); none is kept if a layer does not fit. */
  private buildFor(shape: readonly (number | null)[]): void {
    if (!this.stack.length) throw new LwError('BAD_ARGUMENT', `the sequential model "${this.name}" has no layers`);
    this.inputs = [input({ batchShape: [null, ...shape.slice(1)], name: `${this.stack[0].name}_input` })];
    try {
      this.rebuild();
    } catch (e) {
      this.inputs = [];
      throw e;
    }
  }

  private rebuild(): void {
    const source = this.inputs[0] ?? input({ batchShape: this.stack[0].batchInputShape!, name: `${this.stack[0].name}_input` });
    let t: SymbolicTensor = source;
    for (const l of this.stack) {
      // Reuse an existing application when the chain is extended by add().
      const node = l.inboundNodes.find((n) => n.inputs.length === 1 && n.inputs[0] === t);
      const out = node ? node.outputs : l.apply(t);
      const outs = Array.isArray(out) ? out : [out];
      if (outs.length !== 1) throw new LwError('BAD_ARGUMENT', `layer "${l.name}" has ${outs.length} outputs; a sequential model needs one per layer`);
      t = outs[0];
    }
    this.initGraph(source, t);
  }

  protected override ensureGraph(x: ModelData): void {
    if (this.inputs.length) return;
    const [t] = toTensorList(x, 1, 'x', ['input']).map((v) => tensor(v));
    this.buildFor(t.shape);
  }
}

/** `lw.sequential([...layers])` */
export function sequential(layers: Layer[] | { layers?: Layer[]; name?: string } = []): Sequential {
  return new Sequential(Array.isArray(layers) ? { layers } : layers);
}

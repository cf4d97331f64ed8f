import type { OptionNames } from '../engine/options.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { fmt, type Shape } from '../engine/shape.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import { gatherRows } from '../engine/gathered-rows.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../engine/mask.js';
import { layerConfig, nestLayer } from './wrapper.js';

export interface TimeDistributedArgs extends LayerArgs {
  /** Applied to every time step; its forward must work on [batch·time, ...] (Dense, Dropout, Activation, a model...). */
  layer: Layer;
}

interface Saved {
  innerIn: BatchTensor;
  innerOut: BatchTensor;
  inner: unknown;
}

/**
 * Applies a layer to every time step (Keras TimeDistributed): x [batch, time, ...] is seen as
 * [batch·time, ...] (time folded into the batch, no copy), the layer runs once, and its output
 * [batch·time, ...out] is seen as [batch, time, ...out]. The layer's weights are named under this
 * layer ('time_distributed/kernel', as TF.js writes them); a model keeps its own names. Masks pass through.
 */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super({ ...args, trainable: args.trainable ?? args.layer?.trainable }, 'time_distributed', { layer: true } satisfies OptionNames<TimeDistributedArgs, LayerArgs>);
    if (!(args.layer instanceof Layer)) throw new LwError('BAD_ARGUMENT', `timeDistributed "${this.name}" needs { layer } made by lw.layers.*`);
    this.layer = args.layer;
    nestLayer(this, this.layer, () => this.weightPrefix());
  }

  override get sublayers(): readonly Layer[] {
    return [this.layer];
  }

  /** [batch, time, ...rest] → [batch, ...rest]: what the inner layer sees. */
  private innerShape(inputShapes: Shape[]): Shape {
    if (inputShapes.length !== 1) throw this.shapeError(`expects 1 input, got ${inputShapes.length}`);
    const s = inputShapes[0];
    if (s.length < 3) throw this.shapeError(`input must have rank >= 3 ([batch, time, ...]), got ${fmt(s)}`, { shape: s });
    return [s[0], ...s.slice(2)];
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const outs = this.layer.computeOutputShape([this.innerShape(inputShapes)]);
    if (outs.length !== 1) throw this.shapeError(`the wrapped layer "${this.layer.name}" has ${outs.length} outputs; it needs exactly one`);
    const [o] = outs;
    return [[o[0], inputShapes[0][1], ...o.slice(1)]];
  }

  override build(inputShapes: Shape[]): void {
    this.layer.ensureBuilt([this.innerShape(inputShapes)]);
    this.weights.push(...this.layer.weights);
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const [B, T, ...rest] = x.shape;
    const innerIn: BatchTensor = { ptr: x.ptr, shape: [B * T, ...rest] };
    const r = this.layer.forward(ctx, [innerIn]);
    const innerOut = r.outputs[0];
    // A model ending in an Embedding leaves its rows ungathered: this output is read as values.
    const y: BatchTensor = { ptr: gatherRows(ctx, innerOut), shape: [B, T, ...innerOut.shape.slice(1)] };
    const saved: Saved = { innerIn, innerOut, inner: r.saved };
    return { outputs: [y], saved };
  }

  backward(ctx: ExecCtx, savedAny: unknown, _inputs: BatchTensor[], _outputs: BatchTensor[], [dy]: number[]): number[] {
    const saved = savedAny as Saved;
    const [dx] = this.layer.backward(ctx, saved.inner, [saved.innerIn], [saved.innerOut], [dy]);
    return [dx ?? 0];
  }

  /** The time steps' mask passes on (Keras); the wrapped layer sees none. */
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }

  override resetStates(): void {
    this.layer.resetStates();
  }

  override getConfig() {
    return { ...super.getConfig(), layer: layerConfig(this.layer) };
  }
}

export const timeDistributed = (args: TimeDistributedArgs) => new TimeDistributed(args);

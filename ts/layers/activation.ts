import { activationBackward, activationForward, resolveActivation, type ActivationName } from '../backend/kernels/index.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../engine/mask.js';

/** Applies an activation over the last axis (softmax per row). */
export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationName;
  constructor(args: LayerArgs & { activation: ActivationName | string }) {
    super(args, 'activation', { activation: true });
    this.activation = resolveActivation(args.activation, `layer "${this.name}"`);
  }
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [inputShapes[0]];
  }
  private dims(x: BatchTensor): [number, number] {
    const cols = x.shape[x.shape.length - 1];
    return [x.shape.reduce((a, b) => a * b, 1) / cols, cols];
  }
  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const [rows, cols] = this.dims(x);
    const y = ctx.alloc(rows * cols);
    activationForward(ctx.backend.kernels, { rows, cols, activation: this.activation, x: x.ptr, y });
    return { outputs: [{ ptr: y, shape: x.shape }] };
  }
  backward(ctx: ExecCtx, _s: unknown, [x]: BatchTensor[], [y]: BatchTensor[], [dy]: number[]): number[] {
    const [rows, cols] = this.dims(x);
    const dx = ctx.alloc(rows * cols);
    activationBackward(ctx.backend.kernels, { rows, cols, activation: this.activation, y: y.ptr, dy, dx });
    return [dx];
  }
  /** Masks pass on (Keras). */
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }

  override getConfig() {
    return { ...super.getConfig(), activation: KERAS_ACTIVATION[this.activation] };
  }
}

export const activation = (args: LayerArgs & { activation: ActivationName | string }) => new Activation(args);

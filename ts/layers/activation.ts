import type { ActivationName } from '../backend/abi.js';
import type { Act, ExecCtx } from '../model/exec.js';
import type { Shape } from '../model/shape.js';
import { activationCode, KERAS_ACTIVATION } from './activation-names.js';
import { Layer, type LayerArgs } from './layer.js';

/** Applies an activation over the last axis (softmax per row). */
export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: { name: ActivationName; code: number };
  constructor(args: LayerArgs & { activation: ActivationName | string }) {
    super(args, 'activation');
    this.activation = activationCode(args.activation, `layer "${this.name}"`);
  }
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [inputShapes[0]];
  }
  private dims(x: Act): [number, number] {
    const cols = x.shape[x.shape.length - 1];
    return [x.shape.reduce((a, b) => a * b, 1) / cols, cols];
  }
  forward(ctx: ExecCtx, [x]: Act[]) {
    const [rows, cols] = this.dims(x);
    const y = ctx.alloc(rows * cols);
    ctx.backend.kernels.activation_forward(rows, cols, this.activation.code, x.ptr, y);
    return { outputs: [{ ptr: y, shape: x.shape, mask: x.mask }] };
  }
  backward(ctx: ExecCtx, _s: unknown, [x]: Act[], [y]: Act[], [dy]: number[]): number[] {
    const [rows, cols] = this.dims(x);
    const dx = ctx.alloc(rows * cols);
    ctx.backend.kernels.activation_backward(rows, cols, this.activation.code, y.ptr, dy, dx);
    return [dx];
  }
  override getConfig() {
    return { ...super.getConfig(), activation: KERAS_ACTIVATION[this.activation.name] };
  }
}

export const activation = (args: LayerArgs & { activation: ActivationName | string }) => new Activation(args);

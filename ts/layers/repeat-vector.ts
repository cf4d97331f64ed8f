import type { OptionNames } from '../engine/options.js';
import { biasGrad } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type ForwardResult, type LayerArgs } from '../engine/layer.js';

export interface RepeatVectorArgs extends LayerArgs {
  /** How many times the input is repeated (the output's time steps). */
  n: number;
}

/**
 * Repeats each sample n times (Keras RepeatVector): x [batch, features] → y [batch, n, features],
 * y[b, t] = x[b]. Backward sums the n steps' gradients. Keras RepeatVector does not support
 * masking, so there is no output mask.
 */
export class RepeatVector extends Layer {
  readonly className = 'RepeatVector';
  readonly n: number;

  constructor(args: RepeatVectorArgs) {
    super(args, 'repeat_vector', { n: true } satisfies OptionNames<RepeatVectorArgs, LayerArgs>);
    if (!Number.isInteger(args.n) || args.n < 1) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": n must be a whole number >= 1, got ${args.n}`);
    this.n = args.n;
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const [B, F] = this.expectRank(inputShapes, [2], 'input [batch, features]');
    return [[B, this.n, F]];
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]): ForwardResult {
    const [B, F] = x.shape;
    const n = this.n;
    const y = ctx.alloc(B * n * F);
    const f = ctx.backend.floats();
    const xi = ctx.fi(x.ptr);
    const yi = ctx.fi(y);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < n; t++) f.copyWithin(yi + (b * n + t) * F, xi + b * F, xi + b * F + F);
    }
    return { outputs: [{ ptr: y, shape: [B, n, F] }] };
  }

  backward(ctx: ExecCtx, _s: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    const [B, F] = x.shape;
    const n = this.n;
    const bytes = ctx.backend.floatBytes;
    // dx[b] = Σ_t dy[b, t]: bias_grad's column sums of each sample's [n, F] block (it accumulates, so from zeros).
    const dx = ctx.zeros(B * F);
    for (let b = 0; b < B; b++) biasGrad(ctx.backend.kernels, { rows: n, cols: F, dy: dy + b * n * F * bytes, dBias: dx + b * F * bytes });
    return [dx];
  }

  override getConfig() {
    return { ...super.getConfig(), n: this.n };
  }
}

export const repeatVector = (args: RepeatVectorArgs) => new RepeatVector(args);

import type { OptionNames } from '../engine/options.js';
import { mul } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import { Random } from '../random.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../engine/mask.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type ForwardResult, type LayerArgs } from '../engine/layer.js';

export interface SpatialDropout1DArgs extends LayerArgs {
  /** Fraction of the feature channels dropped, in [0, 1). */
  rate: number;
  /** Seeds this layer's own generator (Keras' seed); without it the masks come from fit's seeded stream. */
  seed?: number;
}

/**
 * Dropout of whole feature channels (Keras SpatialDropout1D): while training, each sample keeps
 * or drops each feature at every step together (noise shape [batch, 1, features]); kept ones are
 * scaled by 1/(1-rate). Identity at inference. x [batch, steps, features]; masks pass through.
 */
export class SpatialDropout1D extends Layer {
  readonly className = 'SpatialDropout1D';
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly rng: Random | null;

  constructor(args: SpatialDropout1DArgs) {
    super(args, 'spatial_dropout1d', { rate: true, seed: true } satisfies OptionNames<SpatialDropout1DArgs, LayerArgs>);
    if (!(args.rate >= 0 && args.rate < 1)) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": rate must be in [0, 1), got ${args.rate}`);
    if (args.seed !== undefined && !(Number.isInteger(args.seed) && args.seed >= 0)) {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": seed must be a whole number >= 0, got ${args.seed}`);
    }
    this.rate = args.rate;
    this.seed = args.seed;
    this.rng = args.seed === undefined ? null : new Random(args.seed);
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [this.expectRank(inputShapes, [3], 'input [batch, steps, features]')];
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]): ForwardResult {
    if (!ctx.training || this.rate === 0) return { outputs: [x], saved: 0 };
    const [B, T, F] = x.shape;
    const rng = this.rng ?? ctx.rng;
    const keep = 1 / (1 - this.rate);
    // One draw per (sample, feature), copied to every step: the full [B, T, F] mask feeds the mul kernel.
    const mask = ctx.alloc(B * T * F);
    const f = ctx.backend.floats();
    const m = ctx.fi(mask);
    for (let b = 0; b < B; b++) {
      const first = m + b * T * F;
      for (let j = 0; j < F; j++) f[first + j] = rng.next() < this.rate ? 0 : keep;
      for (let t = 1; t < T; t++) f.copyWithin(first + t * F, first, first + F);
    }
    const y = ctx.alloc(B * T * F);
    mul(ctx.backend.kernels, { n: B * T * F, a: x.ptr, b: mask, out: y });
    return { outputs: [{ ptr: y, shape: x.shape }], saved: mask };
  }

  backward(ctx: ExecCtx, mask: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    if (!mask) return [dy];
    const n = x.shape.reduce((a, b) => a * b, 1);
    const dx = ctx.alloc(n);
    mul(ctx.backend.kernels, { n, a: dy, b: mask as number, out: dx });
    return [dx];
  }

  /** Masks pass on (Keras). */
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }

  override getConfig() {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}

export const spatialDropout1D = (args: SpatialDropout1DArgs) => new SpatialDropout1D(args);

import type { OptionNames } from '../engine/options.js';
import { LwError } from '../errors.js';
import { Random } from '../random.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import type { LayerArgs } from '../engine/layer.js';
import { Dropout } from './dropout.js';

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
export class SpatialDropout1D extends Dropout {
  override readonly className = 'SpatialDropout1D';
  readonly seed: number | undefined;
  private readonly rng: Random | null;

  constructor(args: SpatialDropout1DArgs) {
    super(args, 'spatial_dropout1d', { rate: true, seed: true } satisfies OptionNames<SpatialDropout1DArgs, LayerArgs>);
    if (args.seed !== undefined && !(Number.isInteger(args.seed) && args.seed >= 0)) {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": seed must be a whole number >= 0, got ${args.seed}`);
    }
    this.seed = args.seed;
    this.rng = args.seed === undefined ? null : new Random(args.seed);
  }

  override computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [this.expectRank(inputShapes, [3], 'input [batch, steps, features]')];
  }

  protected override maskRandom(ctx: ExecCtx): Random {
    return this.rng ?? ctx.rng;
  }

  /** One draw per (sample, feature), copied to every step: the full [B, T, F] mask feeds the mul kernel. */
  protected override fillMask(f: Float32Array | Float64Array, m: number, x: BatchTensor, rng: Random, keep: number): void {
    const [B, T, F] = x.shape;
    for (let b = 0; b < B; b++) {
      const first = m + b * T * F;
      for (let j = 0; j < F; j++) f[first + j] = rng.next() < this.rate ? 0 : keep;
      for (let t = 1; t < T; t++) f.copyWithin(first + t * F, first, first + F);
    }
  }

  override getConfig(): Record<string, unknown> {
    const { noise_shape: _, ...config } = super.getConfig();
    return { ...config, rate: this.rate, seed: this.seed ?? null };
  }
}

export const spatialDropout1D = (args: SpatialDropout1DArgs) => new SpatialDropout1D(args);

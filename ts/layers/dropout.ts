import { mul } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../engine/mask.js';
import type { Random } from '../random.js';

/**
 * Zeroes a fraction `rate` of the values while training and scales the rest by 1/(1-rate); identity
 * otherwise. Subclasses draw other noise shapes (`fillMask`: SpatialDropout1D drops whole channels).
 */
export class Dropout extends Layer {
  readonly className: string = 'Dropout';
  readonly rate: number;
  constructor(args: LayerArgs & { rate: number }, defaultName = 'dropout', options: Readonly<Record<string, true>> = { rate: true }) {
    super(args, defaultName, options);
    if (!(args.rate >= 0 && args.rate < 1)) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": rate must be in [0, 1), got ${args.rate}`);
    this.rate = args.rate;
  }
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [inputShapes[0]];
  }
  /** The generator of this batch's masks: fit's seeded stream. */
  protected maskRandom(ctx: ExecCtx): Random {
    return ctx.rng;
  }
  /** Writes the keep-and-scale factors (0 or 1/(1-rate)) for x, one per value, at float index `m`. */
  protected fillMask(f: Float32Array | Float64Array, m: number, x: BatchTensor, rng: Random, keep: number): void {
    const n = x.shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) f[m + i] = rng.next() < this.rate ? 0 : keep;
  }
  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    if (!ctx.training || this.rate === 0) return { outputs: [x], saved: 0 };
    const n = x.shape.reduce((a, b) => a * b, 1);
    const mask = ctx.alloc(n);
    this.fillMask(ctx.backend.floats(), ctx.fi(mask), x, this.maskRandom(ctx), 1 / (1 - this.rate));
    const y = ctx.alloc(n);
    mul(ctx.backend.kernels, { n, a: x.ptr, b: mask, out: y });
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

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noise_shape: null, seed: null };
  }
}

export const dropout = (args: LayerArgs & { rate: number }) => new Dropout(args);

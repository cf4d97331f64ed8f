import type { OptionNames } from '../engine/options.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import type { MaskInput, OutputMask } from '../engine/mask.js';

export interface MaskingArgs extends LayerArgs {
  /** A time step whose features all equal this value is padding (default 0). */
  maskValue?: number;
}

/**
 * Marks padding steps for the recurrent layers downstream (Keras Masking): x [batch, time,
 * features]; a step is kept when any feature differs from maskValue. Output = x · keep (masked
 * steps become 0) with the mask [batch, time] (1 keep / 0 masked) attached.
 */
export class Masking extends Layer {
  readonly className = 'Masking';
  readonly maskValue: number;

  constructor(args: MaskingArgs = {}) {
    super(args, 'masking', { maskValue: true } satisfies OptionNames<MaskingArgs, LayerArgs>);
    this.maskValue = args.maskValue ?? 0;
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const s = this.expectRank(inputShapes, [3], 'input [batch, time, features]');
    if (s[2] === null) throw this.shapeError('the feature (last) dimension of the input must be known');
    return [s];
  }

  /** 1 where step s of values [steps·F] at `offset` has a feature other than maskValue, else 0. */
  private keeps(values: ArrayLike<number>, offset: number, steps: number, F: number): Float32Array {
    // Inputs are float32 values on every backend: compare against the float32 mask value (Keras).
    const pad = Math.fround(this.maskValue);
    const keep = new Float32Array(steps);
    for (let s = 0; s < steps; s++) {
      const o = offset + s * F;
      for (let i = 0; i < F; i++) {
        if (values[o + i] !== pad) {
          keep[s] = 1;
          break;
        }
      }
    }
    return keep;
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const [B, T, F] = x.shape;
    const steps = B * T;
    const y = ctx.alloc(steps * F);
    const f = ctx.backend.floats();
    const xi = ctx.fi(x.ptr);
    const yi = ctx.fi(y);
    const keep = this.keeps(f, xi, steps, F);
    for (let s = 0; s < steps; s++) {
      const o = s * F;
      if (keep[s]) f.copyWithin(yi + o, xi + o, xi + o + F);
      else f.fill(0, yi + o, yi + o + F);
    }
    return { outputs: [{ ptr: y, shape: x.shape }], saved: keep };
  }

  /** The steps kept: the same test forward zeroes the others with. */
  override outputMasks([x]: readonly MaskInput[]): readonly OutputMask[] {
    const [B, T, F] = x.shape;
    return [this.keeps(x.values(), 0, B * T, F)];
  }

  backward(ctx: ExecCtx, keepAny: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    const [B, T, F] = x.shape;
    const steps = B * T;
    const keep = keepAny as Float32Array;
    const dx = ctx.alloc(steps * F);
    const f = ctx.backend.floats();
    const di = ctx.fi(dy);
    const dxi = ctx.fi(dx);
    for (let s = 0; s < steps; s++) {
      const o = s * F;
      if (keep[s]) f.copyWithin(dxi + o, di + o, di + o + F);
      else f.fill(0, dxi + o, dxi + o + F);
    }
    return [dx];
  }

  override getConfig() {
    return { ...super.getConfig(), mask_value: this.maskValue };
  }
}

export const masking = (args?: MaskingArgs) => new Masking(args);

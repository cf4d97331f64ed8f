import type { OptionNames } from '../engine/options.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type LayerArgs } from '../engine/layer.js';

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

  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const [B, T, F] = x.shape;
    const steps = B * T;
    const mask = ctx.alloc(steps);
    const y = ctx.alloc(steps * F);
    const f = ctx.backend.floats();
    const xi = ctx.fi(x.ptr);
    const yi = ctx.fi(y);
    const mi = ctx.fi(mask);
    // Inputs are float32 values on every backend: compare against the float32 mask value (Keras).
    const pad = Math.fround(this.maskValue);
    for (let s = 0; s < steps; s++) {
      const o = s * F;
      let keep = 0;
      for (let i = 0; i < F; i++) {
        if (f[xi + o + i] !== pad) {
          keep = 1;
          break;
        }
      }
      f[mi + s] = keep;
      if (keep) f.copyWithin(yi + o, xi + o, xi + o + F);
      else f.fill(0, yi + o, yi + o + F);
    }
    return { outputs: [{ ptr: y, shape: x.shape, mask }], saved: mask };
  }

  backward(ctx: ExecCtx, maskAny: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    const [B, T, F] = x.shape;
    const steps = B * T;
    const dx = ctx.alloc(steps * F);
    const f = ctx.backend.floats();
    const mi = ctx.fi(maskAny as number);
    const di = ctx.fi(dy);
    const dxi = ctx.fi(dx);
    for (let s = 0; s < steps; s++) {
      const o = s * F;
      if (f[mi + s]) f.copyWithin(dxi + o, di + o, di + o + F);
      else f.fill(0, dxi + o, dxi + o + F);
    }
    return [dx];
  }

  override getConfig() {
    return { ...super.getConfig(), mask_value: this.maskValue };
  }
}

export const masking = (args?: MaskingArgs) => new Masking(args);

// A test-only identity layer that records the mask its forward is given: what a layer upstream
// really hands downstream, to compare with that layer's computeMask.
import { Layer } from '../../ts/engine/layer.js';
import type { BatchTensor, ExecCtx } from '../../ts/engine/exec.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../../ts/engine/mask.js';
import type { Shape } from '../../ts/engine/shape.js';

export class MaskProbe extends Layer {
  readonly className = 'MaskProbe';
  /** The mask of each forward's input ([batch·time] values), null where it had none. */
  readonly seen: (number[] | null)[] = [];
  constructor() {
    super({}, 'mask_probe');
  }
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [inputShapes[0]];
  }
  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    this.seen.push(x.mask ? Array.from(ctx.backend.readFloats(x.mask, x.shape[0] * x.shape[1])) : null);
    return { outputs: [x] };
  }
  backward(_ctx: ExecCtx, _s: unknown, _i: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    return [dy];
  }
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }
  /** The last mask seen. */
  get last(): number[] | null {
    return this.seen[this.seen.length - 1];
  }
}

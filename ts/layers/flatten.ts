import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type LayerArgs } from '../engine/layer.js';

/** [batch, ...] → [batch, product of the rest]; the data is not moved. Masks stop here (Keras). */
export class Flatten extends Layer {
  readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) {
    super(args, 'flatten');
  }
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const s = inputShapes[0];
    const rest = s.slice(1);
    if (rest.some((d) => d === null)) throw this.shapeError('all dimensions but the batch must be known');
    return [[s[0], (rest as number[]).reduce((a, b) => a * b, 1)]];
  }
  forward(_ctx: ExecCtx, [x]: BatchTensor[]) {
    return { outputs: [{ ptr: x.ptr, shape: [x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)] }] };
  }
  backward(_ctx: ExecCtx, _s: unknown, _i: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    return [dy];
  }
  override getConfig() {
    return { ...super.getConfig(), data_format: 'channels_last' };
  }
}

export const flatten = (args?: LayerArgs) => new Flatten(args);

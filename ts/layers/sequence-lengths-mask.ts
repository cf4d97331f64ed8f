// Per-sample lengths as a mask (ONNX's sequence_lens): x passes through unchanged, carrying the
// mask "step t of sample b is kept while t < lengths[b]", which the recurrent layers after it read.
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { Layer, type ForwardResult, type LayerArgs } from '../engine/layer.js';
import type { MaskInput, OutputMask } from '../engine/mask.js';
import { fmt, type Shape } from '../engine/shape.js';

/**
 * Inputs x [batch, time, ...] and lengths [batch, 1] (one number per sample); output x with the
 * mask [batch, time] keeping each sample's first `length` steps (all of them past time, none below 0).
 */
export class SequenceLengthsMask extends Layer {
  readonly className = 'SequenceLengthsMask';

  constructor(args: LayerArgs = {}) {
    super(args, 'sequence_lengths_mask');
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    if (inputShapes.length !== 2) throw this.shapeError(`takes [x, lengths], got ${inputShapes.length} inputs`);
    const [x, lengths] = inputShapes;
    if (x.length < 3) throw this.shapeError(`x must be [batch, time, ...], got ${fmt(x)}`);
    if (lengths.length !== 2 || lengths[1] !== 1) throw this.shapeError(`lengths must be [batch, 1], got ${fmt(lengths)}`);
    return [x];
  }

  forward(_ctx: ExecCtx, [x]: BatchTensor[]): ForwardResult {
    return { outputs: [{ ptr: x.ptr, shape: x.shape }] };
  }

  backward(_ctx: ExecCtx, _saved: unknown, _inputs: BatchTensor[], _outputs: BatchTensor[], [dy]: number[]): number[] {
    return [dy, 0];
  }

  override outputMasks([x, lengths]: readonly MaskInput[]): readonly OutputMask[] {
    const [B, T] = x.shape;
    const lens = lengths.values();
    const mask = new Float32Array(B * T);
    for (let b = 0; b < B; b++) mask.fill(1, b * T, b * T + Math.max(0, Math.min(T, Math.floor(lens[b]))));
    return [mask];
  }
}

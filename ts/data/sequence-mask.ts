import { LwError } from '../errors.js';
import { Tensor } from '../tensor.js';

/**
 * Per-sample sequence lengths → a [batch, maxLen] float mask (1 at steps t < lengths[b], 0 after):
 * ONNX's `sequence_lens` for right-padded sequences, as `tf.sequenceMask`. Recurrent kernels and
 * `lw.ops` take it as `mask`: a masked step carries the state, so the final states are the states
 * after each sample's last valid step (ONNX's Y_h, Y_c); ONNX's Y (zeros past a sample's length) is
 * a recurrent layer's sequence with `zeroOutputForMask`, or the carried outputs times this mask.
 * `maxLen` defaults to the longest length; a length of 0 masks every step (the states stay the
 * initial ones, which ONNX leaves undefined).
 */
export function sequenceMask(lengths: ArrayLike<number> | Tensor, maxLen?: number): Tensor {
  if (lengths instanceof Tensor && lengths.rank !== 1) {
    throw new LwError('SHAPE_MISMATCH', `sequenceMask: lengths must be one length per sample, [batch], got shape [${lengths.shape.join(', ')}]`);
  }
  const lens = lengths instanceof Tensor ? lengths.dataSync() : lengths;
  if (lens === null || typeof lens !== 'object' || typeof lens.length !== 'number') throw new LwError('DTYPE', 'sequenceMask: lengths must be an array of whole numbers');
  for (let b = 0; b < lens.length; b++) {
    const v = lens[b];
    if (!Number.isInteger(v) || v < 0) throw new LwError('BAD_ARGUMENT', `sequenceMask: lengths[${b}] must be a whole number >= 0, got ${v}`);
  }
  let T = maxLen;
  if (T === undefined) {
    T = 0;
    for (let b = 0; b < lens.length; b++) T = Math.max(T, lens[b]);
  }
  if (!Number.isInteger(T) || T < 1) throw new LwError('BAD_ARGUMENT', `sequenceMask: maxLen must be a whole number >= 1, got ${T}`);
  const out = new Float32Array(lens.length * T);
  for (let b = 0; b < lens.length; b++) {
    if (lens[b] > T) throw new LwError('BAD_ARGUMENT', `sequenceMask: lengths[${b}] = ${lens[b]} is longer than maxLen ${T}`);
    out.fill(1, b * T, b * T + lens[b]);
  }
  return new Tensor(out, [lens.length, T]);
}

import { LwError } from '../errors.js';
import { Tensor } from '../tensor.js';

export interface PadSequencesArgs {
  /** Length of every output row; default the longest sequence. */
  maxLen?: number;
  /** Where padding goes (Keras default 'pre'). */
  padding?: 'pre' | 'post';
  /** Which end of a long sequence is cut (Keras default 'pre': keep the last maxLen). */
  truncating?: 'pre' | 'post';
  value?: number;
  dtype?: 'int32' | 'float32';
}

/** Keras `pad_sequences`: ragged sequences → a [n, maxLen] tensor. */
export function padSequences(seqs: ArrayLike<number>[], args: PadSequencesArgs = {}): Tensor {
  if (!Array.isArray(seqs)) throw new LwError('DTYPE', 'padSequences takes an array of sequences');
  const maxLen = args.maxLen ?? seqs.reduce((m, s) => Math.max(m, s.length), 0);
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new LwError('BAD_ARGUMENT', `padSequences: maxLen must be a whole number >= 1, got ${maxLen}`);
  const padding = args.padding ?? 'pre';
  const truncating = args.truncating ?? 'pre';
  for (const [k, v] of [['padding', padding], ['truncating', truncating]] as const) {
    if (v !== 'pre' && v !== 'post') throw new LwError('BAD_ARGUMENT', `padSequences: ${k} must be 'pre' or 'post', got ${String(v)}`);
  }
  const dtype = args.dtype ?? 'int32';
  const out = dtype === 'int32' ? new Int32Array(seqs.length * maxLen) : new Float32Array(seqs.length * maxLen);
  out.fill(args.value ?? 0);
  seqs.forEach((s, i) => {
    const n = Math.min(s.length, maxLen);
    const from = truncating === 'pre' ? s.length - n : 0;
    const to = padding === 'pre' ? maxLen - n : 0;
    for (let j = 0; j < n; j++) {
      const v = s[from + j];
      if (typeof v !== 'number' || Number.isNaN(v)) throw new LwError('DTYPE', `padSequences: sequence ${i} has ${String(v)} at ${from + j}`);
      out[i * maxLen + to + j] = v;
    }
  });
  return new Tensor(out, [seqs.length, maxLen]);
}

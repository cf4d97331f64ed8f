import { LwError } from '../errors.js';
import { Tensor } from '../tensor.js';

export interface NextTokenWindowsArgs {
  /** Tokens in each input window (>= 1). */
  seqLen: number;
  /** Tokens between the starts of consecutive windows (>= 1, default 1). */
  stride?: number;
}

/**
 * Language-model training pairs from one token stream: window i is ids[s .. s+seqLen-1] (s = i * stride)
 * and its target is the next token ids[s+seqLen]. x is int32 [n, seqLen], y int32 [n, 1] (sparse targets).
 */
export function nextTokenWindows(ids: ArrayLike<number>, args: NextTokenWindowsArgs): { x: Tensor; y: Tensor } {
  const seqLen = args?.seqLen;
  const stride = args?.stride ?? 1;
  for (const [name, v] of [['seqLen', seqLen], ['stride', stride]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new LwError('BAD_ARGUMENT', `nextTokenWindows: ${name} must be a whole number >= 1, got ${v}`);
  }
  if (ids.length <= seqLen) {
    throw new LwError('EMPTY_DATA', `nextTokenWindows: ${ids.length} tokens are too few for windows of ${seqLen} and a next token (needs at least ${seqLen + 1})`, { tokens: ids.length, seqLen });
  }
  const n = Math.floor((ids.length - seqLen - 1) / stride) + 1;
  const x = new Int32Array(n * seqLen);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = i * stride;
    for (let j = 0; j < seqLen; j++) x[i * seqLen + j] = ids[s + j];
    y[i] = ids[s + seqLen];
  }
  return { x: new Tensor(x, [n, seqLen]), y: new Tensor(y, [n, 1]) };
}

import { LwError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { LayersModel } from '../model/model.js';
import type { DataLike } from '../model/data.js';

/** Keras' epsilon: probabilities are clipped to [eps, 1] before the log, as its cross-entropy does. */
const EPS = 1e-7;

/**
 * Entropy in bits of the tokens' frequency distribution (a model that ignores context and predicts
 * each token's overall frequency needs this many bits per token; a language model should need fewer).
 */
export function unigramEntropy(ids: ArrayLike<number>): number {
  if (ids.length === 0) throw new LwError('EMPTY_DATA', 'unigramEntropy: no tokens');
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i], (counts.get(ids[i]) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / ids.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Mean cross-entropy in bits per token of a next-token model (softmax output over token ids) on
 * windows x [n, seqLen] with sparse targets y [n] or [n, 1]: bits per character for a character model.
 * 2 to this power is the perplexity.
 */
export function bitsPerToken(model: LayersModel, x: DataLike, y: Tensor | ArrayLike<number>, args: { batchSize?: number } = {}): number {
  const targets = 'dataSync' in y ? (y as Tensor).dataSync() : (y as ArrayLike<number>);
  const probs = model.predict(x, { batchSize: args.batchSize ?? 256 }) as Tensor;
  const vocab = probs.shape[probs.shape.length - 1];
  const n = probs.size / vocab;
  if (probs.shape.length !== 2 || targets.length !== n) {
    throw new LwError('SHAPE_MISMATCH', `bitsPerToken: the model gives ${probs.shape.length === 2 ? n : `[${probs.shape.join(', ')}]`} predictions, y has ${targets.length} targets`);
  }
  const p = probs.dataSync();
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const t = targets[i];
    if (!Number.isInteger(t) || t < 0 || t >= vocab) throw new LwError('ID_OUT_OF_RANGE', `bitsPerToken: target ${t} at row ${i} is outside [0, ${vocab})`);
    bits -= Math.log2(Math.min(1, Math.max(EPS, p[i * vocab + t])));
  }
  return bits / n;
}

import { LwError } from '../errors.js';
import { globalRandom, type Random } from '../random.js';

export interface SampleArgs {
  /**
   * Softmax temperature: probabilities are reweighted as p^(1/T). Below 1 sharpens (more likely,
   * more repetitive), above 1 flattens (more surprising); 0 always takes the most likely index.
   * Default 1 (sample from the model's distribution as it is).
   */
  temperature?: number;
  /** Default the global generator (lw.setSeed). */
  rng?: Random;
  /** Indices that are never drawn (padding id 0, an OOV token). */
  exclude?: ArrayLike<number>;
}

/** Draws an index from a probability vector reweighted by a temperature (Keras' text-generation `sample`). */
export function sampleIndex(probs: ArrayLike<number>, args: SampleArgs = {}): number {
  const t = args.temperature ?? 1;
  if (typeof t !== 'number' || !(t >= 0) || !Number.isFinite(t)) throw new LwError('BAD_ARGUMENT', `sampleIndex: temperature must be a finite number >= 0, got ${t}`);
  const n = probs.length;
  if (n === 0) throw new LwError('EMPTY_DATA', 'sampleIndex: no probabilities');
  const allowed = new Uint8Array(n).fill(1);
  if (args.exclude) for (let j = 0; j < args.exclude.length; j++) if (args.exclude[j] >= 0 && args.exclude[j] < n) allowed[args.exclude[j]] = 0;
  // log-space: p^(1/T) overflows or underflows for small T
  const logits = new Float64Array(n).fill(-Infinity);
  let max = -Infinity;
  let argmax = -1;
  for (let i = 0; i < n; i++) {
    const p = probs[i];
    if (!(p >= 0) || !Number.isFinite(p)) throw new LwError('NON_FINITE', `sampleIndex: probability ${p} at index ${i}`, { index: i });
    if (!allowed[i] || p === 0) continue;
    logits[i] = Math.log(p) / (t === 0 ? 1 : t);
    if (logits[i] > max) {
      max = logits[i];
      argmax = i;
    }
  }
  if (argmax < 0) throw new LwError('BAD_ARGUMENT', 'sampleIndex: every allowed index has probability 0');
  if (t === 0) return argmax;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += logits[i] === -Infinity ? 0 : Math.exp(logits[i] - max);
  let u = (args.rng ?? globalRandom()).next() * sum;
  for (let i = 0; i < n; i++) {
    if (logits[i] === -Infinity) continue;
    u -= Math.exp(logits[i] - max);
    if (u < 0) return i;
  }
  return argmax;
}

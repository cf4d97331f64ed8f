import { LwError } from '../errors.js';
import { globalRandom, Random } from '../random.js';

export interface KFoldArgs {
  /** Number of folds, >= 2 (default 5). */
  k?: number;
  /** Shuffle the samples before cutting the folds (default false, as in scikit-learn). */
  shuffle?: boolean;
  /** Seed of the shuffle; only with `shuffle: true`. Without it the global seed (`lw.setSeed`) decides. */
  seed?: number;
}

export interface Fold {
  /** Sorted indices of the training rows. */
  trainIdx: Int32Array;
  /** Sorted indices of the held-out rows. */
  testIdx: Int32Array;
}

const sorted = (a: Int32Array) => a.sort();

/**
 * scikit-learn `KFold`: k folds over n samples. Every index is in exactly one test fold; the first
 * `n % k` folds hold one sample more than the others. Without shuffling the folds are consecutive runs.
 * Take the rows with `takeRows(x, fold.trainIdx)`.
 */
export function kFold(n: number, args: KFoldArgs = {}): Fold[] {
  const k = args.k ?? 5;
  if (!Number.isInteger(n) || n < 0) throw new LwError('BAD_ARGUMENT', `kFold: n must be a whole number of samples, got ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new LwError('BAD_ARGUMENT', `kFold: k must be a whole number >= 2, got ${k}`);
  if (k > n) throw new LwError('EMPTY_DATA', `kFold: cannot make ${k} folds from ${n} samples (a fold would be empty)`, { k, n });
  const shuffle = args.shuffle ?? false;
  if (args.seed !== undefined && !shuffle) {
    throw new LwError('BAD_ARGUMENT', 'kFold: a seed has no effect without shuffling; pass shuffle: true');
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (shuffle) (args.seed !== undefined ? new Random(args.seed) : globalRandom().fork()).shuffle(order);

  const base = Math.floor(n / k);
  const folds: Fold[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < n % k ? 1 : 0);
    const testIdx = sorted(order.slice(start, start + size));
    const trainIdx = new Int32Array(n - size);
    trainIdx.set(order.subarray(0, start));
    trainIdx.set(order.subarray(start + size), start);
    folds.push({ trainIdx: sorted(trainIdx), testIdx });
    start += size;
  }
  return folds;
}

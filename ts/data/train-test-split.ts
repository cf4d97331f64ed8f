import { LwError } from '../errors.js';
import { globalRandom, Random } from '../random.js';
import { Tensor } from '../tensor.js';
import { isRowData, isShapedArray, rowCount, takeRows, type RowData } from './take-rows.js';

export interface TrainTestSplitArgs {
  /**
   * The test part: a fraction in (0, 1) (test rows = ceil(fraction * n), as scikit-learn) or a whole
   * number of rows >= 1. Default 0.25.
   */
  testSize?: number;
  /** Shuffle before splitting (default true); without shuffling the test rows are the last ones. */
  shuffle?: boolean;
  /** Seed of the shuffle. Without it the global seed (`lw.setSeed`) decides. */
  seed?: number;
  /**
   * Class labels with the same rows as the data (one label per row, or one-hot / any row: equal rows
   * are one class): each class's test count is its proportional share rounded down or up. Needs shuffling.
   */
  stratify?: RowData;
}

/** [a, b, c] → [a, a, b, b, c, c]: each input's train and test parts. */
export type SplitPairs<T extends unknown[]> = T extends [infer A, ...infer R] ? [A, A, ...SplitPairs<R>] : T extends (infer E)[] ? E[] : [];

function isOptions(v: unknown): v is TrainTestSplitArgs {
  return typeof v === 'object' && v !== null && !isRowData(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
}

/** A string per row so that equal rows (labels) are one class. */
function rowKeys(labels: RowData, n: number): string[] {
  if (labels instanceof Tensor || isShapedArray(labels)) {
    const values = labels instanceof Tensor ? labels.dataSync() : labels.data;
    const size = values.length / Math.max(n, 1);
    return Array.from({ length: n }, (_, i) => values.subarray(i * size, (i + 1) * size).join(','));
  }
  const key = (v: unknown) => {
    if (typeof v !== 'object' || v === null) return `${typeof v}:${String(v)}`;
    return JSON.stringify(Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<unknown>) : v);
  };
  return Array.from(labels as ArrayLike<unknown>, key);
}

function testCount(testSize: number, n: number): number {
  if (!(testSize > 0) || !Number.isFinite(testSize) || (testSize >= 1 && !Number.isInteger(testSize))) {
    throw new LwError('BAD_ARGUMENT', `trainTestSplit: testSize must be a fraction in (0, 1) or a whole number of rows >= 1, got ${testSize}`);
  }
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (nTest >= n) {
    throw new LwError('EMPTY_DATA', `trainTestSplit: testSize ${testSize} of ${n} rows leaves ${n - nTest} for training`, { n, nTest });
  }
  return nTest;
}

/**
 * Test rows per class: each class gets floor or ceil of its share; the leftover rows go to the
 * classes with the largest remainders (ties broken at random).
 */
function stratifiedTestIdx(keys: string[], nTest: number, rng: Random): number[] {
  const members = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const list = members.get(key);
    if (list) list.push(i);
    else members.set(key, [i]);
  });
  const classes = [...members.values()];
  const n = keys.length;
  const quota = classes.map((m) => (m.length * nTest) / n);
  const take = quota.map(Math.floor);
  let left = nTest - take.reduce((a, b) => a + b, 0);
  const order = classes.map((_, c) => c);
  rng.shuffle(order);
  order.sort((a, b) => quota[b] - take[b] - (quota[a] - take[a]));
  for (let j = 0; left > 0; j++, left--) take[order[j]]++;
  const test: number[] = [];
  classes.forEach((m, c) => {
    rng.shuffle(m);
    test.push(...m.slice(0, take[c]));
  });
  return test;
}

/**
 * scikit-learn `train_test_split`: splits any number of tensors / arrays / typed arrays with the same
 * number of rows at the same rows, and returns `[train0, test0, train1, test1, ...]`, each part the
 * same kind of value as its input (a Tensor stays a Tensor of the same dtype). Options go last.
 *
 * `const [xTrain, xTest, yTrain, yTest] = trainTestSplit(x, y, { testSize: 0.2, seed: 1 })`
 */
export function trainTestSplit<T extends RowData[]>(...arrays: T): SplitPairs<T>;
export function trainTestSplit<T extends RowData[]>(...args: [...T, TrainTestSplitArgs]): SplitPairs<T>;
export function trainTestSplit(...args: unknown[]): RowData[] {
  const opts: TrainTestSplitArgs = args.length > 0 && isOptions(args[args.length - 1]) ? (args.pop() as TrainTestSplitArgs) : {};
  if (args.length === 0) throw new LwError('BAD_ARGUMENT', 'trainTestSplit: give at least one tensor or array to split');
  args.forEach((a, i) => {
    if (!isRowData(a)) throw new LwError('DTYPE', `trainTestSplit: argument ${i} is ${a === null ? 'null' : typeof a}, expected a Tensor, an array or a typed array`);
  });
  const arrays = args as RowData[];
  const n = rowCount(arrays[0], 'trainTestSplit argument 0');
  arrays.forEach((a, i) => {
    const m = rowCount(a, `trainTestSplit argument ${i}`);
    if (m !== n) throw new LwError('SHAPE_MISMATCH', `trainTestSplit: argument ${i} has ${m} rows, argument 0 has ${n}`, { argument: i, rows: m, expected: n });
  });
  if (n === 0) throw new LwError('EMPTY_DATA', 'trainTestSplit: the data has no rows');
  const nTest = testCount(opts.testSize ?? 0.25, n);
  const shuffle = opts.shuffle ?? true;

  let testIdx: number[];
  let trainIdx: number[];
  if (opts.stratify !== undefined) {
    if (!shuffle) throw new LwError('BAD_ARGUMENT', 'trainTestSplit: stratify needs shuffle: true');
    if (!isRowData(opts.stratify)) throw new LwError('DTYPE', 'trainTestSplit: stratify must be a Tensor, an array or a typed array of labels');
    const m = rowCount(opts.stratify, 'trainTestSplit stratify');
    if (m !== n) throw new LwError('SHAPE_MISMATCH', `trainTestSplit: stratify has ${m} labels for ${n} rows`);
    const rng = opts.seed !== undefined ? new Random(opts.seed) : globalRandom().fork();
    testIdx = stratifiedTestIdx(rowKeys(opts.stratify, n), nTest, rng);
    const inTest = new Uint8Array(n);
    for (const i of testIdx) inTest[i] = 1;
    trainIdx = [];
    for (let i = 0; i < n; i++) if (!inTest[i]) trainIdx.push(i);
    // interleave the classes within each part
    rng.shuffle(testIdx);
    rng.shuffle(trainIdx);
  } else {
    const order = Array.from({ length: n }, (_, i) => i);
    if (shuffle) (opts.seed !== undefined ? new Random(opts.seed) : globalRandom().fork()).shuffle(order);
    // scikit-learn: shuffled → the first rows are the test part; not shuffled → the last rows are
    if (shuffle) {
      testIdx = order.slice(0, nTest);
      trainIdx = order.slice(nTest);
    } else {
      trainIdx = order.slice(0, n - nTest);
      testIdx = order.slice(n - nTest);
    }
  }
  return arrays.flatMap((a) => [takeRows(a, trainIdx), takeRows(a, testIdx)]);
}

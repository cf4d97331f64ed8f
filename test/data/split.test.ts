import { describe, it, expect } from 'vitest';
import { kFold } from '../../ts/data/k-fold.js';
import { takeRows } from '../../ts/data/take-rows.js';
import { trainTestSplit } from '../../ts/data/train-test-split.js';
import { setSeed } from '../../ts/random.js';
import { Tensor, tensor } from '../../ts/tensor.js';
import { rng } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';

/** Row i of every test array encodes i, so a part's rows tell which samples it holds. */
function sampleData(n: number) {
  return {
    x: tensor(Array.from({ length: n }, (_, i) => [i, i + 0.5, -i])),
    ids: Int32Array.from({ length: n }, (_, i) => 2 * i),
    w: Float64Array.from({ length: n }, (_, i) => i / 4),
    names: Array.from({ length: n }, (_, i) => `s${i}`),
    seq: { data: Float32Array.from({ length: n * 2 }, (_, k) => Math.floor(k / 2)), shape: [n, 2] },
  };
}

const rowsOf = (x: Tensor) => (x.arraySync() as number[][]).map((r) => r[0]);

describe('takeRows', () => {
  it('takes rows of a tensor in the given order, with repeats, keeping dtype and trailing shape', () => {
    const x = tensor(Array.from({ length: 4 }, (_, i) => [[i, 10 + i, 20 + i], [30 + i, 40 + i, 50 + i]]));
    const t = takeRows(x, [3, 0, 3]);
    const all = x.arraySync() as number[][][];
    expect(t.shape).toEqual([3, 2, 3]);
    expect(t.arraySync()).toEqual([all[3], all[0], all[3]]);
    const ints = takeRows(tensor([[1, 2], [3, 4], [5, 6]], undefined, 'int32'), Int32Array.from([2, 1]));
    expect(ints.dtype).toBe('int32');
    expect(ints.arraySync()).toEqual([[5, 6], [3, 4]]);
    expect(takeRows(x, []).shape).toEqual([0, 2, 3]);
  });

  it('keeps the kind of typed arrays, plain arrays and shaped arrays', () => {
    const f64 = takeRows(Float64Array.from([0.5, 1.5, 2.5]), [2, 0]);
    expect(f64).toBeInstanceOf(Float64Array);
    expect(Array.from(f64)).toEqual([2.5, 0.5]);
    expect(takeRows(['a', 'b', 'c'], [1, 1])).toEqual(['b', 'b']);
    const shaped = takeRows({ data: Int32Array.from([1, 2, 3, 4, 5, 6]), shape: [3, 2] }, [2]);
    expect(shaped.shape).toEqual([1, 2]);
    expect(shaped.data).toBeInstanceOf(Int32Array);
    expect(Array.from(shaped.data)).toEqual([5, 6]);
  });

  it('rejects indices outside the rows and scalars', () => {
    expectLwErrorSync(() => takeRows(tensor([[1], [2]]), [0, 2]), 'ID_OUT_OF_RANGE', /index 2 at position 1 is not a row of data with 2 rows/);
    expectLwErrorSync(() => takeRows([1, 2, 3], [-1]), 'ID_OUT_OF_RANGE', /index -1 at position 0/);
    expectLwErrorSync(() => takeRows([1, 2, 3], [0.5]), 'ID_OUT_OF_RANGE', /index 0.5/);
    expectLwErrorSync(() => takeRows(tensor(3), [0]), 'SHAPE_MISMATCH', /scalar/);
  });
});

describe('trainTestSplit', () => {
  it('returns [train0, test0, train1, test1, ...] of the same kinds, split at the same rows', () => {
    const n = 23;
    const d = sampleData(n);
    const parts = trainTestSplit(d.x, d.ids, d.w, d.names, d.seq, { seed: 5 });
    expect(parts).toHaveLength(10);
    const [xTr, xTe, idTr, idTe, wTr, wTe, nTr, nTe, sTr, sTe] = parts;
    // ceil(0.25 * 23) = 6 test rows
    expect(xTe.shape).toEqual([6, 3]);
    expect(xTr.shape).toEqual([17, 3]);
    expect(idTr).toBeInstanceOf(Int32Array);
    expect(wTe).toBeInstanceOf(Float64Array);
    expect(Array.isArray(nTr)).toBe(true);
    expect(sTr.shape).toEqual([17, 2]);
    for (const [x, ids, w, names, seq] of [[xTr, idTr, wTr, nTr, sTr], [xTe, idTe, wTe, nTe, sTe]] as const) {
      const rows = rowsOf(x);
      expect(Array.from(ids)).toEqual(rows.map((i) => 2 * i));
      expect(Array.from(w)).toEqual(rows.map((i) => i / 4));
      expect(names).toEqual(rows.map((i) => `s${i}`));
      expect(Array.from(seq.data)).toEqual(rows.flatMap((i) => [i, i]));
      expect((x.arraySync() as number[][])).toEqual(rows.map((i) => [i, i + 0.5, -i]));
    }
    // every row in exactly one part
    expect([...rowsOf(xTr), ...rowsOf(xTe)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('test size: a fraction rounds up (scikit-learn), a whole number is a count', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const sizes = (testSize: number) => trainTestSplit(x, { testSize, seed: 1 }).map((p) => p.length);
    expect(sizes(0.25)).toEqual([15, 5]);
    expect(sizes(0.2)).toEqual([16, 4]);
    expect(sizes(0.01)).toEqual([19, 1]);
    expect(sizes(3)).toEqual([17, 3]);
    expect(sizes(1)).toEqual([19, 1]);
    expect(trainTestSplit(x).map((p) => p.length)).toEqual([15, 5]);
  });

  it('without shuffling the test rows are the last ones, in order', () => {
    const [tr, te] = trainTestSplit(Array.from({ length: 10 }, (_, i) => i), { shuffle: false, testSize: 3 });
    expect(tr).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(te).toEqual([7, 8, 9]);
  });

  it('is deterministic for a seed and for lw.setSeed, and the seed matters', () => {
    const x = Array.from({ length: 50 }, (_, i) => i);
    expect(trainTestSplit(x, { seed: 42 })).toEqual(trainTestSplit(x, { seed: 42 }));
    expect(trainTestSplit(x, { seed: 42 })).not.toEqual(trainTestSplit(x, { seed: 43 }));
    setSeed(9);
    const a = trainTestSplit(x);
    setSeed(9);
    expect(trainTestSplit(x)).toEqual(a);
    expect(a[0]).not.toEqual(x.slice(0, 37));
  });

  it('stratify: each class gets its share of test rows, rounded down or up (hand-checked case)', () => {
    // 30 / 12 / 8 rows, 10 test rows: shares 6, 2.4, 1.6 → 6 + 2 + 1, the leftover row to the largest remainder (class 2)
    const labels = [...Array(30).fill(0), ...Array(12).fill(1), ...Array(8).fill(2)];
    const idx = labels.map((_, i) => i);
    const [, te, , teLabels] = trainTestSplit(idx, labels, { testSize: 0.2, stratify: labels, seed: 3 });
    expect(te).toHaveLength(10);
    expect([0, 1, 2].map((c) => teLabels.filter((l) => l === c).length)).toEqual([6, 2, 2]);
    // one-hot rows of a tensor stratify the same way
    const oneHot = tensor(labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))));
    const [, , , teHot] = trainTestSplit(idx, oneHot, { testSize: 0.2, stratify: oneHot, seed: 4 });
    const hotLabels = (teHot.arraySync() as number[][]).map((r) => r.indexOf(1));
    expect([0, 1, 2].map((c) => hotLabels.filter((l) => l === c).length)).toEqual([6, 2, 2]);
  });

  it('stratify: floor/ceil of every class share on random label sets', () => {
    const r = rng(11);
    for (let trial = 0; trial < 30; trial++) {
      const classes = 1 + Math.floor(r() * 5);
      const n = classes + 1 + Math.floor(r() * 60);
      const labels = Array.from({ length: n }, () => `c${Math.floor(r() * classes)}`);
      const testSize = r() < 0.5 ? 0.05 + r() * 0.8 : 1 + Math.floor(r() * (n - 1));
      const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
      if (nTest >= n) continue;
      const [trIdx, teIdx] = trainTestSplit(labels.map((_, i) => i), { testSize, stratify: labels, seed: trial });
      expect(teIdx).toHaveLength(nTest);
      expect([...trIdx, ...teIdx].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
      for (const c of new Set(labels)) {
        const count = labels.filter((l) => l === c).length;
        const share = (count * nTest) / n;
        const got = teIdx.filter((i) => labels[i] === c).length;
        expect(got === Math.floor(share) || got === Math.ceil(share)).toBe(true);
      }
    }
  });

  it('rejects missing or mismatched data, bad test sizes and stratify without shuffling', () => {
    const x = [1, 2, 3, 4];
    expectLwErrorSync(() => trainTestSplit(), 'BAD_ARGUMENT', /at least one/);
    expectLwErrorSync(() => trainTestSplit({ testSize: 0.5 } as never), 'BAD_ARGUMENT', /at least one/);
    expectLwErrorSync(() => trainTestSplit(x, [1, 2, 3]), 'SHAPE_MISMATCH', /argument 1 has 3 rows, argument 0 has 4/);
    expectLwErrorSync(() => trainTestSplit([]), 'EMPTY_DATA', /no rows/);
    expectLwErrorSync(() => trainTestSplit(x, 'abc' as never), 'DTYPE', /argument 1 is string/);
    expectLwErrorSync(() => trainTestSplit(tensor(1)), 'SHAPE_MISMATCH', /scalar/);
    for (const testSize of [0, -0.2, 1.5, NaN, Infinity]) {
      expectLwErrorSync(() => trainTestSplit(x, { testSize }), 'BAD_ARGUMENT', /testSize must be a fraction in \(0, 1\) or a whole number/);
    }
    expectLwErrorSync(() => trainTestSplit(x, { testSize: 4 }), 'EMPTY_DATA', /leaves 0 for training/);
    expectLwErrorSync(() => trainTestSplit(x, { testSize: 0.9 }), 'EMPTY_DATA', /leaves 0 for training/);
    expectLwErrorSync(() => trainTestSplit(x, { stratify: [0, 1, 0, 1], shuffle: false }), 'BAD_ARGUMENT', /stratify needs shuffle/);
    expectLwErrorSync(() => trainTestSplit(x, { stratify: [0, 1] }), 'SHAPE_MISMATCH', /stratify has 2 labels for 4 rows/);
  });
});

describe('kFold', () => {
  it('consecutive folds without shuffling, the first n % k one larger (hand-checked)', () => {
    const folds = kFold(10, { k: 3 });
    expect(folds.map((f) => Array.from(f.testIdx))).toEqual([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(Array.from(folds[1].trainIdx)).toEqual([0, 1, 2, 3, 7, 8, 9]);
    expect(kFold(12)).toHaveLength(5);
  });

  it('every index is in exactly one test fold; sizes differ by at most 1; train is the complement', () => {
    for (const n of [2, 3, 7, 10, 13, 31, 64]) {
      for (const k of [2, 3, 5, 7, n]) {
        if (k > n) continue;
        for (const shuffle of [false, true]) {
          const folds = kFold(n, { k, shuffle, seed: shuffle ? n * k : undefined });
          expect(folds).toHaveLength(k);
          const seen = new Int32Array(n);
          folds.forEach((f, i) => {
            expect(f.testIdx).toBeInstanceOf(Int32Array);
            expect(f.trainIdx).toBeInstanceOf(Int32Array);
            expect(f.testIdx.length).toBe(Math.floor(n / k) + (i < n % k ? 1 : 0));
            for (const j of f.testIdx) seen[j]++;
            const inTest = new Set(f.testIdx);
            expect(Array.from(f.trainIdx)).toEqual(Array.from({ length: n }, (_, j) => j).filter((j) => !inTest.has(j)));
            expect(Array.from(f.testIdx)).toEqual(Array.from(f.testIdx).sort((a, b) => a - b));
          });
          expect(Array.from(seen).every((c) => c === 1)).toBe(true);
        }
      }
    }
  });

  it('shuffled folds are deterministic for a seed and differ from the consecutive ones', () => {
    const a = kFold(40, { k: 4, shuffle: true, seed: 1 });
    expect(kFold(40, { k: 4, shuffle: true, seed: 1 })).toEqual(a);
    expect(kFold(40, { k: 4, shuffle: true, seed: 2 })).not.toEqual(a);
    expect(a).not.toEqual(kFold(40, { k: 4 }));
    setSeed(5);
    const b = kFold(40, { k: 4, shuffle: true });
    setSeed(5);
    expect(kFold(40, { k: 4, shuffle: true })).toEqual(b);
  });

  it('folds index rows with takeRows', () => {
    const x = tensor(Array.from({ length: 7 }, (_, i) => [i, -i]));
    const [fold] = kFold(7, { k: 3 });
    expect(takeRows(x, fold.testIdx).arraySync()).toEqual([[0, -0], [1, -1], [2, -2]]);
    expect(takeRows(x, fold.trainIdx).shape).toEqual([4, 2]);
  });

  it('rejects bad n and k, more folds than samples, and a seed without shuffling', () => {
    expectLwErrorSync(() => kFold(10, { k: 1 }), 'BAD_ARGUMENT', /k must be a whole number >= 2, got 1/);
    expectLwErrorSync(() => kFold(10, { k: 2.5 }), 'BAD_ARGUMENT', /k must be/);
    expectLwErrorSync(() => kFold(-1), 'BAD_ARGUMENT', /n must be a whole number/);
    expectLwErrorSync(() => kFold(4.5), 'BAD_ARGUMENT', /n must be/);
    expectLwErrorSync(() => kFold(3, { k: 4 }), 'EMPTY_DATA', /cannot make 4 folds from 3 samples/);
    expectLwErrorSync(() => kFold(10, { seed: 1 }), 'BAD_ARGUMENT', /shuffle: true/);
  });
});

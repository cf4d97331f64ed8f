import { describe, it, expect } from 'vitest';
import { MinMaxScaler } from '../../ts/data/min-max-scaler.js';
import { StandardScaler } from '../../ts/data/standard-scaler.js';
import { Tensor, tensor } from '../../ts/tensor.js';
import { rng } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';

/** [rows, features] float32-exact values with a different offset and spread per feature. */
function randomTable(rows: number, features: number, seed: number): number[][] {
  const r = rng(seed);
  const offset = Array.from({ length: features }, (_, f) => (f - 1) * 7.5);
  const spread = Array.from({ length: features }, (_, f) => 0.5 + 3 * f);
  return Array.from({ length: rows }, () => offset.map((o, f) => Math.fround(o + spread[f] * (r() * 2 - 1))));
}

const column = (rows: number[][], f: number) => rows.map((r) => r[f]);
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const popStd = (v: number[]) => Math.sqrt(meanOf(v.map((x) => (x - meanOf(v)) ** 2)));

function expectRoundTrip(x: Tensor, back: Tensor): void {
  expect(back.shape).toEqual(x.shape);
  const a = x.dataSync();
  const b = back.dataSync();
  for (let k = 0; k < a.length; k++) expect(Math.abs(b[k] - a[k])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a[k])));
}

describe('StandardScaler', () => {
  it('mean, variance and scale match an independent computation; columns come out with mean 0, std 1', () => {
    for (const [rows, features] of [[1, 1], [7, 3], [64, 5], [13, 2]]) {
      const data = randomTable(rows, features, rows * 10 + features);
      const s = new StandardScaler().fit(data);
      const z = s.transform(data).arraySync() as number[][];
      for (let f = 0; f < features; f++) {
        const col = column(data, f);
        expect(s.mean![f]).toBeCloseTo(meanOf(col), 12);
        expect(s.variance![f]).toBeCloseTo(popStd(col) ** 2, 10);
        const expected = rows === 1 ? 1 : popStd(col);
        expect(s.scale![f]).toBeCloseTo(expected, 10);
        z.forEach((zr, r) => expect(zr[f]).toBeCloseTo((data[r][f] - meanOf(col)) / expected, 5));
        if (rows > 1) {
          expect(meanOf(column(z, f))).toBeCloseTo(0, 5);
          expect(popStd(column(z, f))).toBeCloseTo(1, 5);
        }
      }
      expect(s.nSamplesSeen).toBe(rows);
    }
  });

  it('[n, time, features] fits per last-axis feature, like the rows flattened', () => {
    const flat = randomTable(6 * 5, 3, 2);
    const seq = tensor(flat).reshape([6, 5, 3]);
    const a = new StandardScaler().fit(seq);
    const b = new StandardScaler().fit(flat);
    expect(a.mean).toEqual(b.mean);
    expect(a.scale).toEqual(b.scale);
    const z = a.transform(seq);
    expect(z.shape).toEqual([6, 5, 3]);
    expect(Array.from(z.dataSync())).toEqual(Array.from(b.transform(flat).dataSync()));
  });

  it('a constant feature gets scale 1 and maps to 0 (no division by zero)', () => {
    const data = [[1, 0.1, 1e6], [2, 0.1, 1e6], [4, 0.1, 1e6]];
    const s = new StandardScaler().fit(data);
    expect(s.scale!.slice(1)).toEqual([1, 1]);
    const z = s.transform(data).arraySync() as number[][];
    for (const row of z) expect(row.slice(1)).toEqual([0, 0]);
    expectRoundTrip(tensor(data), s.inverseTransform(s.transform(data)));
  });

  it('withMean / withStd switch the centring and the scaling off; 1-D input is one feature', () => {
    const data = [[1, 2], [3, 6], [5, 10]];
    const noMean = new StandardScaler({ withMean: false }).fit(data);
    const std = [popStd([1, 3, 5]), popStd([2, 6, 10])];
    expect(noMean.transform(data).arraySync()).toEqual(data.map((r) => r.map((v, f) => Math.fround(v / std[f]))));
    const noStd = new StandardScaler({ withStd: false }).fit(data);
    expect(noStd.transform(data).arraySync()).toEqual([[-2, -4], [0, 0], [2, 4]]);
    const oneD = new StandardScaler().fitTransform([1, 2, 3]);
    expect(oneD.shape).toEqual([3]);
    expect(Array.from(oneD.dataSync())).toEqual([-1, 0, 1].map((v) => Math.fround(v / Math.sqrt(2 / 3))));
  });

  it('inverseTransform(transform(x)) == x to 1e-6, and NaN passes through transform', () => {
    const data = tensor(randomTable(40, 4, 3)).reshape([8, 5, 4]);
    const s = new StandardScaler();
    const z = s.fitTransform(data);
    expectRoundTrip(data, s.inverseTransform(z));
    const t = s.transform([[NaN, 0, 0, 0]]).dataSync();
    expect(Number.isNaN(t[0])).toBe(true);
    expect(Number.isFinite(t[1])).toBe(true);
  });

  it('toJSON / fromJSON round trip (through JSON text) gives the same transform', () => {
    const data = randomTable(20, 3, 4);
    const s = new StandardScaler({ withMean: false }).fit(data);
    const back = StandardScaler.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.withMean).toBe(false);
    expect(back.withStd).toBe(true);
    expect(back.mean).toEqual(s.mean);
    expect(back.nSamplesSeen).toBe(20);
    expect(Array.from(back.transform(data).dataSync())).toEqual(Array.from(s.transform(data).dataSync()));
    expect(Array.from(back.inverseTransform(data).dataSync())).toEqual(Array.from(s.inverseTransform(data).dataSync()));
    const unfitted = StandardScaler.fromJSON(JSON.parse(JSON.stringify(new StandardScaler())));
    expectLwErrorSync(() => unfitted.transform(data), 'BAD_ARGUMENT', /call fit first/);
  });

  it('errors: not fitted, wrong feature count, non-finite or empty fit data, bad JSON', () => {
    const s = new StandardScaler();
    expectLwErrorSync(() => s.transform([[1, 2]]), 'BAD_ARGUMENT', /StandardScaler.transform: call fit first/);
    expectLwErrorSync(() => s.inverseTransform([[1, 2]]), 'BAD_ARGUMENT', /inverseTransform: call fit first/);
    expectLwErrorSync(() => s.fit([[1, 2], [3, NaN]]), 'NON_FINITE', /value NaN at row 1, feature 1/);
    expectLwErrorSync(() => s.fit(tensor(new Float32Array(0), [0, 3])), 'EMPTY_DATA', /no values to fit/);
    expectLwErrorSync(() => s.fit(tensor(2)), 'SHAPE_MISMATCH', /scalar/);
    s.fit([[1, 2], [3, 4]]);
    expectLwErrorSync(() => s.transform([[1, 2, 3]]), 'SHAPE_MISMATCH', /fitted on 2 features, got 3/);
    expectLwErrorSync(() => s.inverseTransform([1, 2]), 'SHAPE_MISMATCH', /fitted on 2 features, got 1/);
    expectLwErrorSync(() => StandardScaler.fromJSON({ class_name: 'MinMaxScaler', config: {} }), 'BAD_ARGUMENT', /not a StandardScaler JSON/);
    expectLwErrorSync(() => StandardScaler.fromJSON(null), 'BAD_ARGUMENT', /not a StandardScaler JSON/);
    const json = JSON.parse(JSON.stringify(s));
    expectLwErrorSync(() => StandardScaler.fromJSON({ ...json, scale: [1] }), 'BAD_ARGUMENT', /scale must be an array of 2 finite numbers/);
    expectLwErrorSync(() => StandardScaler.fromJSON({ ...json, scale: [1, 0] }), 'BAD_ARGUMENT', /scale must be > 0/);
  });
});

describe('MinMaxScaler', () => {
  it('maps each feature min..max onto [0, 1] (hand-checked) and onto a custom range', () => {
    const data = [[1, 10], [3, 20], [5, 40]];
    const s = new MinMaxScaler().fit(data);
    expect(s.dataMin).toEqual([1, 10]);
    expect(s.dataMax).toEqual([5, 40]);
    expect(s.transform(data).arraySync()).toEqual([[0, 0], [0.5, Math.fround(1 / 3)], [1, 1]]);
    const m = new MinMaxScaler({ featureRange: [-1, 1] }).fit(data);
    expect(m.transform(data).arraySync()).toEqual([[-1, -1], [0, Math.fround(-1 / 3)], [1, 1]]);
    // values outside the fitted range map outside featureRange
    expect(Array.from(s.transform([[7, 0]]).dataSync())).toEqual([1.5, Math.fround(-1 / 3)]);
  });

  it('random [n, time, features]: every feature spans exactly featureRange; matches the formula', () => {
    const flat = randomTable(7 * 3, 4, 5);
    const x = tensor(flat).reshape([7, 3, 4]);
    const [lo, hi] = [-2, 3];
    const s = new MinMaxScaler({ featureRange: [lo, hi] });
    const z = s.fitTransform(x);
    expect(z.shape).toEqual([7, 3, 4]);
    const rows = z.reshape([21, 4]).arraySync() as number[][];
    for (let f = 0; f < 4; f++) {
      const col = column(flat, f);
      const [mn, mx] = [Math.min(...col), Math.max(...col)];
      expect(Math.min(...column(rows, f))).toBeCloseTo(lo, 5);
      expect(Math.max(...column(rows, f))).toBeCloseTo(hi, 5);
      rows.forEach((r, k) => expect(r[f]).toBeCloseTo(lo + ((flat[k][f] - mn) / (mx - mn)) * (hi - lo), 5));
    }
    expectRoundTrip(x, s.inverseTransform(z));
  });

  it('a constant feature maps to the low end of the range (no division by zero) and round-trips', () => {
    const data = [[2, 5], [4, 5], [6, 5]];
    const s = new MinMaxScaler({ featureRange: [10, 20] }).fit(data);
    expect((s.transform(data).arraySync() as number[][]).map((r) => r[1])).toEqual([10, 10, 10]);
    expectRoundTrip(tensor(data), s.inverseTransform(s.transform(data)));
  });

  it('toJSON / fromJSON round trip (through JSON text) gives the same transform', () => {
    const data = randomTable(15, 3, 6);
    const s = new MinMaxScaler({ featureRange: [-1, 1] }).fit(data);
    const back = MinMaxScaler.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.featureRange).toEqual([-1, 1]);
    expect(back.scale).toEqual(s.scale);
    expect(back.min).toEqual(s.min);
    expect(Array.from(back.transform(data).dataSync())).toEqual(Array.from(s.transform(data).dataSync()));
    expect(Array.from(back.inverseTransform(data).dataSync())).toEqual(Array.from(s.inverseTransform(data).dataSync()));
    expect(MinMaxScaler.fromJSON(JSON.parse(JSON.stringify(new MinMaxScaler()))).scale).toBeNull();
  });

  it('errors: bad featureRange, not fitted, wrong feature count, non-finite fit data, bad JSON', () => {
    for (const featureRange of [[1, 1], [2, 0], [0, Infinity], [0], 'ab']) {
      expectLwErrorSync(() => new MinMaxScaler({ featureRange: featureRange as never }), 'BAD_ARGUMENT', /featureRange must be \[lo, hi\]/);
    }
    const s = new MinMaxScaler();
    expectLwErrorSync(() => s.transform([[1]]), 'BAD_ARGUMENT', /MinMaxScaler.transform: call fit first/);
    expectLwErrorSync(() => s.fit([[1, Infinity]]), 'NON_FINITE', /value Infinity at row 0, feature 1/);
    expectLwErrorSync(() => s.fit([]), 'EMPTY_DATA', /no values/);
    s.fit([[1, 2], [3, 4]]);
    expectLwErrorSync(() => s.transform([[1, 2, 3]]), 'SHAPE_MISMATCH', /fitted on 2 features, got 3/);
    expectLwErrorSync(() => MinMaxScaler.fromJSON({ class_name: 'StandardScaler', config: {} }), 'BAD_ARGUMENT', /not a MinMaxScaler JSON/);
    const json = JSON.parse(JSON.stringify(s));
    expectLwErrorSync(() => MinMaxScaler.fromJSON({ ...json, data_max: [1] }), 'BAD_ARGUMENT', /data_max must be an array of 2/);
    expectLwErrorSync(() => MinMaxScaler.fromJSON({ ...json, data_max: [0, 0] }), 'BAD_ARGUMENT', /data_min is above data_max/);
  });
});

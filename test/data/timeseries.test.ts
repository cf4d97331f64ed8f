import { describe, it, expect } from 'vitest';
import { timeseriesWindows } from '../../ts/data/timeseries-windows.js';
import { tensor } from '../../ts/tensor.js';
import { rng } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';

/** Straightforward reference: windows by slicing rows of a [time][features] table. */
function reference(rows: number[][], window: number, horizon: number, stride: number, targets: number[]) {
  const xs: number[][][] = [];
  const ys: number[][][] = [];
  for (let s = 0; s + window + horizon <= rows.length; s += stride) {
    xs.push(rows.slice(s, s + window));
    ys.push(rows.slice(s + window, s + window + horizon).map((r) => targets.map((t) => r[t])));
  }
  return { xs, ys };
}

describe('timeseriesWindows', () => {
  const series = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('one series: window 3 gives x [7, 3, 1] and the next value as y [7, 1]', () => {
    const { x, y } = timeseriesWindows(series, { window: 3 });
    // n = 10 - 3 - 1 + 1 = 7: the last window is [7, 8, 9] with target 10
    expect(x.shape).toEqual([7, 3, 1]);
    expect(y.shape).toEqual([7, 1]);
    expect(x.arraySync()).toEqual([[[1], [2], [3]], [[2], [3], [4]], [[3], [4], [5]], [[4], [5], [6]], [[5], [6], [7]], [[6], [7], [8]], [[7], [8], [9]]]);
    expect(y.arraySync()).toEqual([[4], [5], [6], [7], [8], [9], [10]]);
  });

  it('stride 2 and horizon 2 (hand-checked): y [n, horizon] for one target', () => {
    const { x, y } = timeseriesWindows(series, { window: 3, horizon: 2, stride: 2 });
    // n = floor((10 - 3 - 2) / 2) + 1 = 3 windows starting at 0, 2, 4
    expect(x.arraySync()).toEqual([[[1], [2], [3]], [[3], [4], [5]], [[5], [6], [7]]]);
    expect(y.arraySync()).toEqual([[4, 5], [6, 7], [8, 9]]);
  });

  it('y shape rule: horizon 1 → [n, targets]; one target → [n, horizon]; else [n, horizon, targets]', () => {
    const rows = Array.from({ length: 12 }, (_, t) => [t, 10 * t, 100 * t]);
    expect(timeseriesWindows(rows, { window: 4 }).y.shape).toEqual([8, 3]);
    expect(timeseriesWindows(rows, { window: 4, targets: 1 }).y.shape).toEqual([8, 1]);
    expect(timeseriesWindows(rows, { window: 4, horizon: 3, targets: [2] }).y.shape).toEqual([6, 3]);
    const multi = timeseriesWindows(rows, { window: 4, horizon: 3, targets: [2, 0] });
    expect(multi.y.shape).toEqual([6, 3, 2]);
    expect(multi.x.shape).toEqual([6, 4, 3]);
    expect((multi.y.arraySync() as number[][][])[1]).toEqual([[500, 5], [600, 6], [700, 7]]);
  });

  it('matches an independent reference on random multivariate series, every input form', () => {
    const r = rng(7);
    for (let trial = 0; trial < 40; trial++) {
      const steps = 1 + Math.floor(r() * 40);
      const features = 1 + Math.floor(r() * 4);
      const window = 1 + Math.floor(r() * 6);
      const horizon = 1 + Math.floor(r() * 3);
      const stride = 1 + Math.floor(r() * 3);
      if (steps < window + horizon) continue;
      const rows = Array.from({ length: steps }, () => Array.from({ length: features }, () => Math.fround(r() * 20 - 10)));
      const targets = Array.from({ length: features }, (_, f) => f).filter(() => r() < 0.6);
      if (targets.length === 0) targets.push(features - 1);
      const ref = reference(rows, window, horizon, stride, targets);
      const names = Array.from({ length: features }, (_, f) => `s${f}`);
      const named = Object.fromEntries(names.map((name, f) => [name, rows.map((row) => row[f])]));
      const forms = [
        timeseriesWindows(rows, { window, horizon, stride, targets }),
        timeseriesWindows(tensor(rows), { window, horizon, stride, targets }),
        timeseriesWindows(named, { window, horizon, stride, targets: targets.map((t) => names[t]) }),
      ];
      for (const { x, y } of forms) {
        expect(x.shape).toEqual([ref.xs.length, window, features]);
        expect(x.arraySync()).toEqual(ref.xs);
        expect(Array.from(y.dataSync())).toEqual(ref.ys.flat(2));
        expect(y.shape[0]).toBe(ref.xs.length);
      }
    }
  });

  it('a typed array and a 1-D tensor are one series', () => {
    const a = timeseriesWindows(series, { window: 4, horizon: 2 });
    for (const form of [Float32Array.from(series), Float64Array.from(series), tensor(series)]) {
      const b = timeseriesWindows(form, { window: 4, horizon: 2 });
      expect(b.x.arraySync()).toEqual(a.x.arraySync());
      expect(b.y.arraySync()).toEqual(a.y.arraySync());
    }
  });

  it('never reads past the end and makes every window that fits', () => {
    for (let steps = 1; steps <= 12; steps++) {
      const values = Array.from({ length: steps }, (_, t) => t);
      for (let window = 1; window <= 5; window++) {
        for (let horizon = 1; horizon <= 3; horizon++) {
          for (let stride = 1; stride <= 3; stride++) {
            if (steps < window + horizon) {
              expect(() => timeseriesWindows(values, { window, horizon, stride })).toThrow(/too short/);
              continue;
            }
            const { y } = timeseriesWindows(values, { window, horizon, stride });
            const n = y.shape[0];
            const lastRead = y.dataSync()[y.size - 1];
            expect(lastRead).toBe((n - 1) * stride + window + horizon - 1);
            expect(lastRead).toBeLessThan(steps);
            // one more window would need a step past the end
            expect(n * stride + window + horizon).toBeGreaterThan(steps);
          }
        }
      }
    }
  });

  it('rejects bad window, horizon, stride and short or empty series', () => {
    expectLwErrorSync(() => timeseriesWindows(series, { window: 0 }), 'BAD_ARGUMENT', /window must be a whole number >= 1, got 0/);
    expectLwErrorSync(() => timeseriesWindows(series, { window: 2.5 }), 'BAD_ARGUMENT', /window/);
    expectLwErrorSync(() => timeseriesWindows(series, { window: 2, horizon: 0 }), 'BAD_ARGUMENT', /horizon/);
    expectLwErrorSync(() => timeseriesWindows(series, { window: 2, stride: -1 }), 'BAD_ARGUMENT', /stride/);
    expectLwErrorSync(() => timeseriesWindows(series, undefined as never), 'BAD_ARGUMENT', /window/);
    expectLwErrorSync(() => timeseriesWindows(series, { window: 8, horizon: 3 }), 'EMPTY_DATA', /10 steps is too short for window 8 \+ horizon 3 \(needs at least 11\)/);
    expectLwErrorSync(() => timeseriesWindows([], { window: 1 }), 'EMPTY_DATA', /empty/);
    expectLwErrorSync(() => timeseriesWindows({}, { window: 1 }), 'EMPTY_DATA', /empty/);
    expectLwErrorSync(() => timeseriesWindows([[], []], { window: 1 }), 'EMPTY_DATA', /empty/);
  });

  it('names the position of a NaN, an infinity or a value too large for float32', () => {
    const withNaN = [...series];
    withNaN[5] = NaN;
    expectLwErrorSync(() => timeseriesWindows(withNaN, { window: 2 }), 'NON_FINITE', /index 5 is NaN/);
    const rows = [[1, 2], [3, 4], [5, Infinity], [7, 8]];
    expectLwErrorSync(() => timeseriesWindows(rows, { window: 2 }), 'NON_FINITE', /step 2, feature 1 is Infinity/);
    expectLwErrorSync(() => timeseriesWindows({ a: [1, 2, 3, 4], b: [1, 2, 3, NaN] }, { window: 2 }), 'NON_FINITE', /series "b" at index 3/);
    expectLwErrorSync(() => timeseriesWindows([1, 2, 1e39, 4], { window: 2 }), 'NON_FINITE', /index 2 .*too large for float32/);
    expectLwErrorSync(() => timeseriesWindows(tensor([[1, 2], [3, NaN], [5, 6]]), { window: 1 }), 'NON_FINITE', /step 1, feature 1/);
  });

  it('rejects ragged rows, unequal named series, bad values and tensors of the wrong rank', () => {
    expectLwErrorSync(() => timeseriesWindows([[1, 2], [3], [4, 5]], { window: 1 }), 'SHAPE_MISMATCH', /step 1 has 1 features, step 0 has 2/);
    expectLwErrorSync(() => timeseriesWindows({ a: [1, 2, 3], b: [1, 2] }, { window: 1 }), 'SHAPE_MISMATCH', /"b" has 2 steps, "a" has 3/);
    expectLwErrorSync(() => timeseriesWindows({ a: 'abc' as never }, { window: 1 }), 'DTYPE', /series "a"/);
    expectLwErrorSync(() => timeseriesWindows([1, '2', 3] as never, { window: 1 }), 'DTYPE', /index 1 is string/);
    expectLwErrorSync(() => timeseriesWindows(tensor([[[1]]]), { window: 1 }), 'SHAPE_MISMATCH', /\[time\] or \[time, features\]/);
    expectLwErrorSync(() => timeseriesWindows(null as never, { window: 1 }), 'DTYPE', /null/);
  });

  it('rejects unknown, out-of-range, duplicate and empty targets', () => {
    const named = { temp: [1, 2, 3, 4], wind: [5, 6, 7, 8] };
    expectLwErrorSync(() => timeseriesWindows(named, { window: 2, targets: 'rain' }), 'BAD_ARGUMENT', /no series named "rain"; names are "temp", "wind"/);
    expectLwErrorSync(() => timeseriesWindows([[1, 2], [3, 4], [5, 6]], { window: 1, targets: 'a' }), 'BAD_ARGUMENT', /not named/);
    expectLwErrorSync(() => timeseriesWindows(named, { window: 2, targets: 2 }), 'BAD_ARGUMENT', /target 2 is not a feature index in \[0, 2\)/);
    expectLwErrorSync(() => timeseriesWindows(named, { window: 2, targets: ['wind', 1] }), 'BAD_ARGUMENT', /wind is a target twice/);
    expectLwErrorSync(() => timeseriesWindows(named, { window: 2, targets: [] }), 'BAD_ARGUMENT', /targets is empty/);
    // names and indices mix
    expect(timeseriesWindows(named, { window: 2, targets: ['wind', 0] }).y.arraySync()).toEqual([[7, 3], [8, 4]]);
  });
});

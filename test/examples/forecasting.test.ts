// examples/forecasting at a reduced budget: the LSTM beats the seasonal-naive forecast on the held-out
// years, the run folder has the plots and figures, and the data and windows line up month by month.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { loadCo2 } from '../../examples/forecasting/co2-data.js';
import { forecastWindows, maeByStep, meanAbsError, WindowScaler } from '../../examples/forecasting/windows.js';
import { runForecast } from '../../examples/forecasting/main.js';

beforeAll(async () => {
  await lw.ready();
});

describe('CO2 data', () => {
  it('is one value per consecutive month, gaps filled between their neighbours', async () => {
    const { months, ppm, filled } = await loadCo2();
    expect(months[0]).toBe('1958-03');
    expect(months[months.length - 1]).toBe('2020-04');
    expect(ppm).toHaveLength(months.length);
    for (let i = 1; i < months.length; i++) {
      const [y0, m0] = months[i - 1].split('-').map(Number);
      const [y1, m1] = months[i].split('-').map(Number);
      expect(y1 * 12 + m1 - (y0 * 12 + m0), months[i]).toBe(1);
    }
    expect(filled).toEqual(['1958-06', '1958-10', '1964-02', '1964-03', '1964-04']);
    const k = months.indexOf('1964-03');
    const lo = Math.min(ppm[k - 2], ppm[k + 2]);
    const hi = Math.max(ppm[k - 2], ppm[k + 2]);
    expect(ppm[k]).toBeGreaterThanOrEqual(lo);
    expect(ppm[k]).toBeLessThanOrEqual(hi);
    expect(Math.min(...ppm)).toBeGreaterThan(310);
    expect(Math.max(...ppm)).toBeLessThan(420);
  });
});

describe('forecast windows', () => {
  // value = month index, so every relation between inputs, targets and baselines is visible
  const series = Array.from({ length: 53 }, (_, t) => 100 + t);
  const w = forecastWindows(series, 36, 12);

  it('are relative to the last input and carry the value one season earlier', () => {
    expect(w.x.shape).toEqual([6, 36, 1]);
    expect(w.y.shape).toEqual([6, 12]);
    const x = w.x.dataSync();
    const y = w.y.dataSync();
    for (let i = 0; i < 6; i++) {
      expect(w.last[i]).toBe(100 + i + 35);
      expect(x[i * 36 + 35]).toBe(0);
      expect(x[i * 36]).toBe(-35);
      for (let h = 0; h < 12; h++) {
        expect(w.actual[i * 12 + h]).toBe(100 + i + 36 + h);
        expect(y[i * 12 + h]).toBe(h + 1);
        expect(w.seasonalNaive[i * 12 + h]).toBe(w.actual[i * 12 + h] - 12);
      }
    }
    expect(meanAbsError(w.seasonalNaive, w.actual)).toBe(12);
    expect(maeByStep(w.seasonalNaive, w.actual, 12)).toEqual(new Array(12).fill(12));
  });

  it('scale with statistics of the training windows and map predictions back to ppm', () => {
    const train = forecastWindows(series.slice(0, 50), 36, 12);
    const s = new WindowScaler().fit(train);
    const z = Array.from(s.inputs(train).dataSync());
    expect(Math.abs(z.reduce((a, b) => a + b, 0) / z.length)).toBeLessThan(1e-5);
    const back = s.toPpm(s.targets(w), w);
    back.forEach((v, i) => expect(v).toBeCloseTo(w.actual[i], 3));
  });

  it('refuse a window shorter than a season', () => {
    expect(() => forecastWindows(series, 8, 4)).toThrow(/window >= 12/);
  });
});

it('lineChartsSvg takes an x label per panel (default epoch), escaped', () => {
  const out = lw.report.lineChartsSvg([{ title: 'a', yLabel: 'y', xLabel: 'months <ahead>', series: [{ name: 's', values: [1, 2] }] },
    { title: 'b', yLabel: 'y', series: [{ name: 's', values: [1, 2] }] }]);
  expect(out.indexOf('months &lt;ahead&gt;')).toBeGreaterThan(0);
  expect(out.indexOf('months &lt;ahead&gt;')).toBeLessThan(out.indexOf('>epoch<'));
});

it('the example at a reduced budget beats seasonal naive and writes its run folder', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lw-forecast-'));
  const lines: string[] = [];
  const r = await runForecast({ units: 16, epochs: 20, patience: 10, out, verbose: 0, log: (l) => lines.push(l) });
  expect(r.testWindows).toBe(49);
  expect(r.trainWindows).toBe(686 - 36 - 12 + 1);
  // seasonal naive misses the yearly growth (~2.5 ppm); the model learns it
  expect(r.seasonalNaiveMae).toBeGreaterThan(2);
  expect(r.testMae).toBeLessThan(0.7 * r.seasonalNaiveMae);
  expect(r.maeByStep.model).toHaveLength(12);
  expect(r.history.loss[r.history.loss.length - 1]).toBeLessThan(r.history.loss[0]);
  expect(lines.some((l) => /^held-out MAE [\d.]+ ppm \(LSTM\) vs [\d.]+ ppm \(seasonal naive/.test(l))).toBe(true);
  expect(lines.some((l) => /^timing: .*training [\d.]+ s/.test(l))).toBe(true);

  // the plotted months are the held-out ones, with the real values
  const { months, ppm } = await loadCo2();
  expect(r.plot.months).toEqual(months.slice(-60));
  r.plot.actual.forEach((v, j) => expect(v).toBeCloseTo(ppm[ppm.length - 60 + j], 3));
  r.plot.seasonalNaive.forEach((v, j) => expect(v).toBeCloseTo(ppm[ppm.length - 72 + j], 3));

  for (const f of ['forecast.svg', 'forecast.png', 'training.svg', 'training.png', 'forecast.csv', 'metrics.json']) {
    expect(existsSync(join(out, f)), f).toBe(true);
  }
  const svg = readFileSync(join(out, 'forecast.svg'), 'utf8');
  // panel 1: actual, model, naive; panel 2: model and naive by step; each with 60 or 12 points
  const lines60 = [...svg.matchAll(/<polyline[^>]+points="([^"]+)"/g)].map((m) => m[1].trim().split(/\s+/).length);
  expect(lines60).toEqual([60, 60, 60, 12, 12]);
  expect(svg).toMatch(/>actual</);
  expect(svg).toMatch(/>LSTM 16</);
  expect(svg).not.toMatch(/>epoch</);
  const csv = readFileSync(join(out, 'forecast.csv'), 'utf8').trim().split('\n');
  expect(csv).toHaveLength(61);
  expect(csv[1].startsWith(`${months[months.length - 60]},`)).toBe(true);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  expect(metrics.testMaePpm).toBeCloseTo(r.testMae, 6);
  expect(readFileSync(join(out, 'training.png')).subarray(1, 4).toString()).toBe('PNG');
}, 60_000);

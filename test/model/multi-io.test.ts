// examples/multi-io at a small size: two inputs (LSTM and GRU branches), two outputs trained together;
// both losses fall, each head beats its simple baselines on held-out days, predictions have the right
// shapes, and the samples line up with the series they come from.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { makeDailySeries, COMFORT, WEEKLY } from '../../examples/multi-io/synthetic-series.js';
import { makeSet, SeriesScaler } from '../../examples/multi-io/windows.js';
import { runMultiIo, SPEC } from '../../examples/multi-io/main.js';

beforeAll(async () => {
  await lw.ready();
});

const corr = (a: number[], b: number[]) => {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let ab = 0, aa = 0, bb = 0;
  a.forEach((v, i) => {
    ab += (v - ma) * (b[i] - mb);
    aa += (v - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
};

describe('synthetic series', () => {
  const s = makeDailySeries(1000, 5);

  it('demand follows yesterday\'s temperature more than today\'s, and the weekday', () => {
    const t = s.temperature;
    const d = s.demand.slice(2);
    const lagged = corr(t.slice(1, -1).map((v) => Math.abs(v - COMFORT)), d);
    const sameDay = corr(t.slice(2).map((v) => Math.abs(v - COMFORT)), d);
    expect(lagged).toBeGreaterThan(0.5);
    expect(lagged).toBeGreaterThan(sameDay);
    const byDay = (dow: number) => {
      const v = s.demand.filter((_, i) => s.dayOfWeek[i] === dow);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    expect(byDay(1) - byDay(6)).toBeGreaterThan((WEEKLY[1] - WEEKLY[6]) / 2);
  });

  it('is the same for the same seed', () => {
    expect(makeDailySeries(50, 5)).toEqual(makeDailySeries(50, 5));
    expect(makeDailySeries(50, 6).demand).not.toEqual(makeDailySeries(50, 5).demand);
  });
});

describe('samples', () => {
  const s = makeDailySeries(120, 2);
  const scaler = new SeriesScaler().fit(s, 80);
  const set = makeSet(s, scaler, SPEC, 0, 79);

  it('have the two inputs, two targets and the baselines of the right days', () => {
    const n = 79 - (SPEC.demandSteps - 1);
    expect(set.demandHistory.shape).toEqual([n, SPEC.demandSteps, 3]);
    expect(set.temperatureHistory.shape).toEqual([n, SPEC.temperatureSteps, 1]);
    expect(set.nextDemand.shape).toEqual([n, 1]);
    expect(set.rises.shape).toEqual([n, 1]);
    const dh = set.demandHistory.dataSync();
    const th = set.temperatureHistory.dataSync();
    const rises = set.rises.dataSync();
    for (let i = 0; i < n; i++) {
      const today = SPEC.demandSteps - 1 + i;
      const lastStep = (i * SPEC.demandSteps + SPEC.demandSteps - 1) * 3;
      expect(scaler.demandToMwh(dh[lastStep])).toBeCloseTo(s.demand[today], 3);
      expect(th[(i + 1) * SPEC.temperatureSteps - 1]).toBeCloseTo(scaler.temperature(s.temperature[today]), 5);
      expect(set.persistence[i]).toBeCloseTo(s.demand[today], 3);
      expect(set.actual[i]).toBeCloseTo(s.demand[today + 1], 3);
      expect(set.weeklyNaive[i]).toBeCloseTo(s.demand[today - 6], 3);
      expect(rises[i]).toBe(s.demand[today + 1] > s.demand[today] ? 1 : 0);
    }
  });

  it('are scaled with the training days only', () => {
    const z = s.demand.slice(0, 80).map((v) => scaler.demand(v));
    expect(Math.abs(z.reduce((a, b) => a + b, 0) / 80)).toBeLessThan(1e-5); // the scaler fits float32 data
    const other = new SeriesScaler().fit(s, 120);
    expect(other.demand(s.demand[0])).not.toBeCloseTo(scaler.demand(s.demand[0]), 6);
  });
});

it('the example at a small size: both losses fall, both heads beat their baselines', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lw-multi-io-'));
  const lines: string[] = [];
  const r = await runMultiIo({ days: 1095, testDays: 200, epochs: 25, lstmUnits: 16, gruUnits: 8, out, verbose: 0, log: (l) => lines.push(l) });
  expect(r.testSamples).toBe(200);
  expect(r.predictionShapes).toEqual([[200, 1], [200, 1]]);

  const oh = r.outputHistory;
  const epochs = r.history.loss.length;
  for (const key of ['next_demand_loss', 'demand_rises_loss', 'val_next_demand_loss', 'val_demand_rises_loss']) {
    expect(oh[key], key).toHaveLength(epochs + 1);
    expect(oh[key][epochs], key).toBeLessThan(0.5 * oh[key][0]);
  }
  expect(oh.demand_rises_acc[epochs]).toBeGreaterThan(oh.demand_rises_acc[0]);
  expect(oh.next_demand_mae[epochs]).toBeLessThan(oh.next_demand_mae[0]);

  const bestMae = Math.min(...Object.values(r.nextDemandMae.baselines));
  expect(r.nextDemandMae.model).toBeLessThan(0.5 * bestMae);
  const bestAcc = Math.max(...Object.values(r.risesAccuracy.baselines));
  expect(r.risesAccuracy.model).toBeGreaterThan(bestAcc + 0.08);

  // the temperature branch carries information: scrambling its input across days hurts the forecast
  const x = [r.test.demandHistory, r.test.temperatureHistory];
  const order = Array.from({ length: 200 }, (_, i) => i);
  new lw.Random(9).shuffle(order);
  const scrambled = lw.data.takeRows(r.test.temperatureHistory, order) as lw.Tensor;
  const mse = (xs: lw.Tensor[]) => lw.ops.loss('meanSquaredError', (r.model.predict(xs) as lw.Tensor[])[0], r.test.nextDemand).loss;
  expect(mse([x[0], scrambled])).toBeGreaterThan(2 * mse(x));

  expect(lines.some((l) => /^ {2}next_demand MAE: model [\d.]+ MWh; persistence/.test(l))).toBe(true);
  expect(lines.some((l) => /^ {2}demand_rises accuracy: model [\d.]+%; majority class/.test(l))).toBe(true);
  for (const f of ['training.svg', 'training.png', 'metrics.json']) expect(existsSync(join(out, f)), f).toBe(true);
  const svg = readFileSync(join(out, 'training.svg'), 'utf8');
  expect(svg.match(/<polyline/g)).toHaveLength(6);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  expect(metrics.test.nextDemandMae.model).toBeCloseTo(r.nextDemandMae.model, 6);
}, 60_000);

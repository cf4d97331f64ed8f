// Inputs, targets and baselines for "given the past, what happens to demand tomorrow?".
// Input 1 (LSTM branch): the last `demandSteps` days of [demand, sin and cos of the weekday].
// Input 2 (GRU branch):  the last `temperatureSteps` days of temperature.
// Output 1: tomorrow's demand (regression). Output 2: does demand rise tomorrow (classification)?
import * as lw from 'lstm-wasm';
import type { DailySeries } from './synthetic-series.js';

export interface WindowSpec {
  demandSteps: number;
  temperatureSteps: number;
}

export interface MultiIoSet {
  /** [n, demandSteps, 3] scaled demand, sin and cos of the weekday */
  demandHistory: lw.Tensor;
  /** [n, temperatureSteps, 1] scaled temperature */
  temperatureHistory: lw.Tensor;
  /** [n, 1] tomorrow's demand, scaled */
  nextDemand: lw.Tensor;
  /** [n, 1] 1 when tomorrow's demand is above today's */
  rises: lw.Tensor;
  /** Per sample, in MWh: tomorrow's demand, today's (persistence) and a week before tomorrow (weekly naive). */
  actual: Float32Array;
  persistence: Float32Array;
  weeklyNaive: Float32Array;
  /** Per sample: did the same day-to-day step one week earlier rise (weekly naive for the direction)? */
  weeklyRises: Uint8Array;
}

/** Per-series standardisation fitted on the training days only. */
export class SeriesScaler {
  readonly scaler = new lw.data.StandardScaler();

  fit(s: DailySeries, endDay: number): this {
    this.scaler.fit(lw.tensor(s.temperature.slice(0, endDay).flatMap((v, t) => [v, s.demand[t]]), [endDay, 2]));
    return this;
  }

  temperature(v: number): number {
    return (v - this.scaler.mean![0]) / this.scaler.scale![0];
  }

  demand(v: number): number {
    return (v - this.scaler.mean![1]) / this.scaler.scale![1];
  }

  demandToMwh(z: number): number {
    return z * this.scaler.scale![1] + this.scaler.mean![1];
  }
}

/** Samples whose "today" t is in [fromDay, toDay): tomorrow (t + 1) is the target day. */
export function makeSet(s: DailySeries, scaler: SeriesScaler, spec: WindowSpec, fromDay: number, toDay: number): MultiIoSet {
  const first = Math.max(fromDay, spec.demandSteps - 1, spec.temperatureSteps - 1, 7);
  const last = Math.min(toDay, s.demand.length - 1); // exclusive: t + 1 must exist
  const n = last - first;
  if (n < 1) throw new Error(`makeSet: no samples between day ${fromDay} and ${toDay}`);
  const { demandSteps: ld, temperatureSteps: lt } = spec;
  const dh = new Float32Array(n * ld * 3);
  const th = new Float32Array(n * lt);
  const next = new Float32Array(n);
  const rises = new Float32Array(n);
  const actual = new Float32Array(n);
  const persistence = new Float32Array(n);
  const weeklyNaive = new Float32Array(n);
  const weeklyRises = new Uint8Array(n);
  const d = s.demand;
  for (let i = 0; i < n; i++) {
    const t = first + i;
    for (let k = 0; k < ld; k++) {
      const day = t - ld + 1 + k;
      const angle = (2 * Math.PI * s.dayOfWeek[day]) / 7;
      dh.set([scaler.demand(d[day]), Math.sin(angle), Math.cos(angle)], (i * ld + k) * 3);
    }
    for (let k = 0; k < lt; k++) th[i * lt + k] = scaler.temperature(s.temperature[t - lt + 1 + k]);
    next[i] = scaler.demand(d[t + 1]);
    rises[i] = d[t + 1] > d[t] ? 1 : 0;
    actual[i] = d[t + 1];
    persistence[i] = d[t];
    weeklyNaive[i] = d[t + 1 - 7];
    weeklyRises[i] = d[t + 1 - 7] > d[t - 7] ? 1 : 0;
  }
  return {
    demandHistory: lw.tensor(dh, [n, ld, 3]),
    temperatureHistory: lw.tensor(th, [n, lt, 1]),
    nextDemand: lw.tensor(next, [n, 1]),
    rises: lw.tensor(rises, [n, 1]),
    actual, persistence, weeklyNaive, weeklyRises,
  };
}

// Two daily series that behave like real ones: an outdoor temperature and the energy demand of a town.
// They share the yearly season (winter cold → heating demand, summer heat → cooling demand) and the
// demand answers the temperature with a lag (buildings warm up and cool down slowly), so yesterday's
// and the day before's temperatures tell something about tomorrow's demand that the demand's own past
// does not. Demand also has a weekly pattern (lower at weekends) and its own slow noise.
import * as lw from 'lstm-wasm';

export interface DailySeries {
  /** °C */
  temperature: number[];
  /** MWh */
  demand: number[];
  /** 0 = Monday .. 6 = Sunday */
  dayOfWeek: number[];
}

/** Demand change by weekday (Mon..Sun), MWh. */
export const WEEKLY = [4, 5, 5, 4, 2, -9, -11];
/** The temperature at which neither heating nor cooling is needed, °C. */
export const COMFORT = 18;

export function makeDailySeries(days: number, seed = 1): DailySeries {
  const rng = new lw.Random(seed);
  const temperature: number[] = [];
  const demand: number[] = [];
  const dayOfWeek: number[] = [];
  let weather = 0; // persistent weather (warm or cold spells): AR(1)
  let drift = 0; // demand noise that lasts a few days: AR(1)
  for (let t = 0; t < days; t++) {
    weather = 0.75 * weather + 2.2 * rng.normal();
    temperature.push(12 + 10 * Math.sin((2 * Math.PI * (t - 110)) / 365.25) + weather);
    dayOfWeek.push(t % 7);
    // the buildings feel a mix of the last two days' temperatures (t - 1 and t - 2)
    const felt = t >= 2 ? 0.6 * temperature[t - 1] + 0.4 * temperature[t - 2] : temperature[t];
    drift = 0.5 * drift + 1.5 * rng.normal();
    demand.push(100 + 2.2 * Math.abs(felt - COMFORT) + WEEKLY[t % 7] + drift);
  }
  return { temperature, demand, dayOfWeek };
}

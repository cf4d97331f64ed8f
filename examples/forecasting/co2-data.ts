// Monthly CO2 at Mauna Loa (npm vega-datasets, a devDependency: data/co2-concentration.csv, columns
// Date and CO2 in ppm, March 1958 to April 2020). The file skips a few months (1958, 1964); they are
// filled by straight lines between their neighbours so that every step of the series is one month.
import * as lw from 'lstm-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface MonthlySeries {
  /** 'YYYY-MM' of every month, consecutive. */
  months: string[];
  /** CO2 in ppm per month. */
  ppm: number[];
  /** Months missing from the file and filled by interpolation. */
  filled: string[];
}

/** The CSV inside the installed vega-datasets package (its exports map hides data/, so go from the entry). */
export function co2CsvPath(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  return join(dirname(entry), '..', 'data', 'co2-concentration.csv');
}

const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const monthName = (k: number) => `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;

/** Reads the file and returns one value per calendar month, gaps filled linearly. */
export async function loadCo2(path = co2CsvPath()): Promise<MonthlySeries> {
  const rows = await lw.data.readCsvAll(path, { columns: ['Date', 'CO2'] });
  const points = rows.map((r) => ({ k: monthIndex(r.Date), v: Number(r.CO2) }));
  for (const p of points) {
    if (!Number.isFinite(p.k) || !Number.isFinite(p.v)) throw new Error(`co2-concentration.csv: bad row ${JSON.stringify(p)}`);
  }
  points.sort((a, b) => a.k - b.k);
  const months: string[] = [];
  const ppm: number[] = [];
  const filled: string[] = [];
  for (let j = 0; j < points.length; j++) {
    const { k, v } = points[j];
    if (j > 0) {
      const prev = points[j - 1];
      if (k <= prev.k) throw new Error(`co2-concentration.csv: month ${monthName(k)} appears twice`);
      for (let m = prev.k + 1; m < k; m++) {
        months.push(monthName(m));
        ppm.push(prev.v + ((v - prev.v) * (m - prev.k)) / (k - prev.k));
        filled.push(monthName(m));
      }
    }
    months.push(monthName(k));
    ppm.push(v);
  }
  return { months, ppm, filled };
}

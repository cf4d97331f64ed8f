// The forecasting run's figures, drawn with lw.report.lineChartsSvg.
import * as lw from 'lstm-wasm';

export interface ForecastPlotData {
  /** First held-out month, 'YYYY-MM'. */
  firstMonth: string;
  actual: number[];
  model: number[];
  seasonalNaive: number[];
  maeByStepModel: number[];
  maeByStepNaive: number[];
  modelName: string;
  window: number;
  horizon: number;
}

/** Two panels: the held-out months (actual, model, seasonal naive) and the MAE at each step ahead. */
export function forecastSvg(d: ForecastPlotData): string {
  return lw.report.lineChartsSvg([
    {
      title: `Held-out months from ${d.firstMonth}: CO2 forecast vs actual`,
      yLabel: 'CO2 (ppm)',
      xLabel: `month of the held-out period (1 = ${d.firstMonth})`,
      series: [
        { name: 'actual', values: d.actual, color: '#222222' },
        { name: d.modelName, values: d.model, color: '#d62728' },
        { name: 'naive (t-12)', values: d.seasonalNaive, color: '#1f77b4', dashed: true },
      ],
    },
    {
      title: 'Test MAE by months ahead',
      yLabel: 'MAE (ppm)',
      xLabel: 'months ahead',
      series: [
        { name: d.modelName, values: d.maeByStepModel, color: '#d62728' },
        { name: 'naive (t-12)', values: d.maeByStepNaive, color: '#1f77b4', dashed: true },
      ],
    },
  ], { width: 1100, height: 380, title: `Monthly CO2 at Mauna Loa: ${d.horizon}-month forecasts from the ${d.window} months before` });
}

// Multi-step forecasting (`npm run example:forecasting`): monthly CO2 at Mauna Loa, 36 months in →
// the next 12 months out, with an LSTM. The last years are held out (a chronological split); each
// window is taken relative to its last value and scaled by a StandardScaler fitted on the training
// part only. Reports the held-out MAE in ppm against the seasonal-naive forecast (the value 12 months
// earlier) and writes the forecast plot, the training plot and the figures to runs/forecasting-<time>/.
// Options: --epochs N (default 150, early stopping on the validation loss), --units N (64),
// --test-years N (5), --seed N, --out DIR.
import * as lw from 'lstm-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePng } from '../lib/png.js';
import { loadCo2 } from './co2-data.js';
import { forecastWindows, maeByStep, meanAbsError, WindowScaler } from './windows.js';
import { forecastSvg } from './plots.js';

export interface ForecastOptions {
  /** Months in each input window (default 36). */
  window?: number;
  /** Months predicted (default 12). */
  horizon?: number;
  /** Years at the end held out for the test (default 5). */
  testYears?: number;
  /** LSTM units (default 64). */
  units?: number;
  /** Most epochs; early stopping ends sooner (default 150). */
  epochs?: number;
  /** Epochs without a better validation loss before stopping (default 20). */
  patience?: number;
  batchSize?: number;
  seed?: number;
  /** Run folder; default runs/forecasting-<timestamp>. */
  out?: string;
  verbose?: 0 | 1 | 2;
  log?: (line: string) => void;
}

export interface ForecastResult {
  /** Held-out MAE over every window and step ahead, ppm. */
  testMae: number;
  seasonalNaiveMae: number;
  maeByStep: { model: number[]; seasonalNaive: number[] };
  /** The plotted held-out months: consecutive non-overlapping forecasts. */
  plot: { months: string[]; actual: number[]; model: number[]; seasonalNaive: number[] };
  history: Record<string, number[]>;
  epochsRun: number;
  trainWindows: number;
  testWindows: number;
  outDir: string;
  files: string[];
  seconds: { load: number; train: number; total: number };
}

const round = (v: number, d = 3) => Number(v.toFixed(d));

export async function runForecast(opts: ForecastOptions = {}): Promise<ForecastResult> {
  const started = performance.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const window = opts.window ?? 36;
  const horizon = opts.horizon ?? 12;
  const seed = opts.seed ?? 7;
  await lw.ready();
  lw.setSeed(seed);

  const { months, ppm, filled } = await loadCo2();
  const split = ppm.length - (opts.testYears ?? 5) * 12;
  if (split - window - horizon < 50) throw new Error(`runForecast: too few training months (${split}) for window ${window} + horizon ${horizon}`);
  // training windows lie wholly before the split; test windows forecast only held-out months, from
  // inputs that may reach back into the training years (the past is known when forecasting)
  const train = forecastWindows(ppm.slice(0, split), window, horizon);
  const test = forecastWindows(ppm.slice(split - window), window, horizon);
  const loadSeconds = (performance.now() - started) / 1000;
  log(`CO2: ${ppm.length} months ${months[0]} .. ${months[months.length - 1]} (${filled.length} missing months interpolated: ${filled.join(', ')})`);
  log(`training on ${months[0]} .. ${months[split - 1]}: ${train.x.shape[0]} windows (last 10% for validation); held out ${months[split]} .. ${months[months.length - 1]}: ${test.x.shape[0]} windows`);

  const scaler = new WindowScaler().fit(train);
  const xTrain = scaler.inputs(train);
  const yTrain = scaler.targets(train);
  const xTest = scaler.inputs(test);

  const units = opts.units ?? 64;
  const model = lw.sequential([
    lw.layers.lstm({ units, inputShape: [window, 1] }),
    lw.layers.dense({ units: horizon }),
  ]);
  model.compile({ optimizer: lw.train.adam({ learningRate: 2e-3, clipNorm: 1 }), loss: 'meanSquaredError', metrics: ['mae'] });
  model.summary(80, log);
  log(`backend: ${lw.getBackend()}`);

  const trainStart = performance.now();
  const { history } = await model.fit(xTrain, yTrain, {
    epochs: opts.epochs ?? 150,
    batchSize: opts.batchSize ?? 32,
    validationSplit: 0.1,
    seed,
    verbose: opts.verbose ?? 1,
    callbacks: [
      lw.callbacks.earlyStopping({ monitor: 'val_loss', patience: opts.patience ?? 20, restoreBestWeights: true }),
      lw.callbacks.reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 8, minLr: 1e-4 }),
    ],
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const epochsRun = history.loss.length;

  const pred = scaler.toPpm(model.predict(xTest, { batchSize: 256 }) as lw.Tensor, test);
  const testMae = meanAbsError(pred, test.actual);
  const seasonalNaiveMae = meanAbsError(test.seasonalNaive, test.actual);
  const byStep = { model: maeByStep(pred, test.actual, horizon), seasonalNaive: maeByStep(test.seasonalNaive, test.actual, horizon) };
  log('');
  log(`held-out MAE ${testMae.toFixed(3)} ppm (LSTM) vs ${seasonalNaiveMae.toFixed(3)} ppm (seasonal naive: the value 12 months earlier), ${((1 - testMae / seasonalNaiveMae) * 100).toFixed(0)}% lower; ${test.x.shape[0]} windows x ${horizon} months`);
  log(`MAE by months ahead (ppm): ${byStep.model.map((v) => v.toFixed(2)).join(' ')}`);
  log(`seasonal naive          : ${byStep.seasonalNaive.map((v) => v.toFixed(2)).join(' ')}`);

  // the plotted path: forecasts from windows horizon apart, so each held-out month is forecast once
  const plot = { months: [] as string[], actual: [] as number[], model: [] as number[], seasonalNaive: [] as number[] };
  for (let i = 0; i < test.x.shape[0]; i += horizon) {
    for (let h = 0; h < horizon; h++) {
      const k = i * horizon + h;
      plot.months.push(months[split + i + h]);
      plot.actual.push(test.actual[k]);
      plot.model.push(pred[k]);
      plot.seasonalNaive.push(test.seasonalNaive[k]);
    }
  }

  const outDir = resolve(opts.out ?? join('runs', `forecasting-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileSync(join(outDir, name), data);
    files.push(join(outDir, name));
  };
  const svgs: Record<string, string> = {
    forecast: forecastSvg({
      firstMonth: months[split], actual: plot.actual, model: plot.model, seasonalNaive: plot.seasonalNaive,
      maeByStepModel: byStep.model, maeByStepNaive: byStep.seasonalNaive, modelName: `LSTM ${units}`, window, horizon,
    }),
    training: lw.report.historySvg(history, 'CO2 forecaster: loss per epoch (MSE on scaled values)'),
  };
  for (const [name, svg] of Object.entries(svgs)) {
    write(`${name}.svg`, svg);
    const png = await writePng(svg, join(outDir, `${name}.png`));
    if (png) files.push(png);
  }
  write('forecast.csv', ['month,actual_ppm,lstm_ppm,seasonal_naive_ppm', ...plot.months.map((m, j) =>
    `${m},${plot.actual[j].toFixed(2)},${plot.model[j].toFixed(2)},${plot.seasonalNaive[j].toFixed(2)}`)].join('\n') + '\n');
  const seconds = { load: round(loadSeconds), train: round(trainSeconds), total: round((performance.now() - started) / 1000) };
  write('metrics.json', JSON.stringify({
    testMaePpm: testMae, seasonalNaiveMaePpm: seasonalNaiveMae, maeByStep: byStep, epochsRun,
    window, horizon, units, trainWindows: train.x.shape[0], testWindows: test.x.shape[0],
    heldOut: [months[split], months[months.length - 1]], backend: lw.getBackend(), seconds, history,
  }, null, 2));
  log(`wrote ${files.map((f) => f.replace(`${process.cwd()}/`, '')).join(', ')}`);
  log(`timing: data ${seconds.load.toFixed(2)} s, training ${seconds.train.toFixed(1)} s (${epochsRun} epochs, ${((trainSeconds / epochsRun) * 1000).toFixed(0)} ms each), total ${seconds.total.toFixed(1)} s`);
  return {
    testMae, seasonalNaiveMae, maeByStep: byStep, plot, history, epochsRun,
    trainWindows: train.x.shape[0], testWindows: test.x.shape[0], outDir, files, seconds,
  };
}

const isMain = typeof process !== 'undefined' && process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  await runForecast({ epochs: num('epochs'), units: num('units'), testYears: num('test-years'), seed: num('seed'), out: arg('out') });
}

// Multi-step forecasting (`npm run example:forecasting`): monthly CO2 at Mauna Loa, 36 months in →
// the next 12 months out, with an LSTM. The last years are held out (a chronological split); each
// window is taken relative to its last value and scaled by a StandardScaler fitted on the training
// part only. Reports the held-out MAE in ppm against the seasonal-naive forecast (the value 12 months
// earlier) and writes the forecast plot, the training plot and the figures to runs/forecasting-<time>/.
// Options: --epochs N (default 150, early stopping on the validation loss), --units N (64),
// --test-years N (5), --seed N, --out DIR.
import * as lw from 'lstm-wasm';
import { argNumber, argString, isMain } from '../lib/cli.js';
import { startRun, stopOnPlateau, type RunFolderOptions, type RunFolderResult } from '../lib/options.js';
import { RunFolder } from '../lib/run-folder.js';
import { roundSeconds, stopwatch, trainingTime } from '../lib/timing.js';
import { loadCo2 } from './co2-data.js';
import { forecastWindows, maeByStep, meanAbsError, WindowScaler } from './windows.js';
import { forecastSvg } from './plots.js';

export interface ForecastOptions extends RunFolderOptions {
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
}

export interface ForecastResult extends RunFolderResult {
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
  seconds: { load: number; train: number; total: number };
}

export async function runForecast(opts: ForecastOptions = {}): Promise<ForecastResult> {
  const { elapsed, log, seed } = await startRun(opts, 7);
  const window = opts.window ?? 36;
  const horizon = opts.horizon ?? 12;

  const { months, ppm, filled } = await loadCo2();
  const split = ppm.length - (opts.testYears ?? 5) * 12;
  if (split - window - horizon < 50) throw new Error(`runForecast: too few training months (${split}) for window ${window} + horizon ${horizon}`);
  // training windows lie wholly before the split; test windows forecast only held-out months, from
  // inputs that may reach back into the training years (the past is known when forecasting)
  const train = forecastWindows(ppm.slice(0, split), window, horizon);
  const test = forecastWindows(ppm.slice(split - window), window, horizon);
  const loadSeconds = elapsed();
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

  const trainClock = stopwatch();
  const { history } = await model.fit(xTrain, yTrain, {
    epochs: opts.epochs ?? 150,
    batchSize: opts.batchSize ?? 32,
    validationSplit: 0.1,
    seed,
    verbose: opts.verbose ?? 1,
    callbacks: stopOnPlateau(opts.patience ?? 20, 8, 1e-4),
  });
  const trainSeconds = trainClock();
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

  const run = new RunFolder(opts.out, 'forecasting');
  const svgs: Record<string, string> = {
    forecast: forecastSvg({
      firstMonth: months[split], actual: plot.actual, model: plot.model, seasonalNaive: plot.seasonalNaive,
      maeByStepModel: byStep.model, maeByStepNaive: byStep.seasonalNaive, modelName: `LSTM ${units}`, window, horizon,
    }),
    training: lw.report.historySvg(history, 'CO2 forecaster: loss per epoch (MSE on scaled values)'),
  };
  for (const [name, svg] of Object.entries(svgs)) await run.writeChart(name, svg);
  run.write('forecast.csv', ['month,actual_ppm,lstm_ppm,seasonal_naive_ppm', ...plot.months.map((m, j) =>
    `${m},${plot.actual[j].toFixed(2)},${plot.model[j].toFixed(2)},${plot.seasonalNaive[j].toFixed(2)}`)].join('\n') + '\n');
  const seconds = { load: roundSeconds(loadSeconds), train: roundSeconds(trainSeconds), total: roundSeconds(elapsed()) };
  run.writeJson('metrics.json', {
    testMaePpm: testMae, seasonalNaiveMaePpm: seasonalNaiveMae, maeByStep: byStep, epochsRun,
    window, horizon, units, trainWindows: train.x.shape[0], testWindows: test.x.shape[0],
    heldOut: [months[split], months[months.length - 1]], backend: lw.getBackend(), seconds, history,
  });
  log(run.summary());
  log(`timing: data ${seconds.load.toFixed(2)} s, ${trainingTime(trainSeconds, epochsRun)}, total ${seconds.total.toFixed(1)} s`);
  return {
    testMae, seasonalNaiveMae, maeByStep: byStep, plot, history, epochsRun,
    trainWindows: train.x.shape[0], testWindows: test.x.shape[0], outDir: run.dir, files: run.files, seconds,
  };
}

if (isMain(import.meta.url)) {
  await runForecast({ epochs: argNumber('epochs'), units: argNumber('units'), testYears: argNumber('test-years'), seed: argNumber('seed'), out: argString('out') });
}

// Several time series in, several targets out (the seed article's FAQ 4 and 5), with the functional
// API (`npm run example:multi-io`). Two daily series (temperature, energy demand; see
// synthetic-series.ts) feed two branches: an LSTM over 28 days of demand and weekday, a GRU over
// 10 days of temperature. Their states are concatenated and feed two heads: tomorrow's demand
// (regression, MSE) and "does demand rise tomorrow?" (classification, binary cross-entropy), trained
// together with weighted losses. The last year is held out; each head is compared with simple
// baselines on it. Writes the training plot and figures to runs/multi-io-<time>/.
// Options: --epochs N (default 100, early stopping), --days N (default 2190, six years), --seed N, --out DIR.
import * as lw from 'lstm-wasm';
import { argNumber, argString, isMain } from '../lib/cli.js';
import { startRun, stopOnPlateau, type RunFolderOptions, type RunFolderResult } from '../lib/options.js';
import { RunFolder } from '../lib/run-folder.js';
import { roundSeconds, stopwatch, trainingTime } from '../lib/timing.js';
import { makeDailySeries } from './synthetic-series.js';
import { makeSet, SeriesScaler, type MultiIoSet, type WindowSpec } from './windows.js';

export interface MultiIoOptions extends RunFolderOptions {
  /** Days of data (default 2190); the last `testDays` are held out. */
  days?: number;
  testDays?: number;
  /** Most epochs; early stopping on the validation loss ends sooner (default 100). */
  epochs?: number;
  /** Epochs without a better validation loss before stopping (default 15). */
  patience?: number;
  /** Units of the LSTM (demand) and GRU (temperature) branches (default 32 and 16). */
  lstmUnits?: number;
  gruUnits?: number;
  /** Weights of the two losses in the total (default [1, 0.5]). */
  lossWeights?: [number, number];
  batchSize?: number;
}

export interface HeadFigures {
  model: number;
  baselines: Record<string, number>;
}

export interface MultiIoResult extends RunFolderResult {
  model: lw.LayersModel;
  /** The held-out samples (inputs, targets and baselines). */
  test: MultiIoSet;
  /** Test MAE of tomorrow's demand in MWh, with persistence and weekly-naive baselines. */
  nextDemandMae: HeadFigures;
  /** Test accuracy of "demand rises", with majority-class and weekly-naive baselines. */
  risesAccuracy: HeadFigures;
  /**
   * Per-output loss and metric on the training and (val_) validation parts: index 0 evaluated before
   * training, then fit's history per epoch (for the training part, the mean over the epoch's batches).
   */
  outputHistory: Record<string, number[]>;
  history: Record<string, number[]>;
  predictionShapes: number[][];
  testSamples: number;
  seconds: { train: number; total: number };
}

export const SPEC: WindowSpec = { demandSteps: 28, temperatureSteps: 10 };
/** Each output's own loss and metric (MAE for the regression, accuracy for the classification). */
const OUTPUTS = [
  { name: 'next_demand', loss: 'meanSquaredError', metric: 'mae' },
  { name: 'demand_rises', loss: 'binaryCrossentropy', metric: 'acc' },
] as const;
/** fit's history keys of each output's loss and metric (Keras names), training then validation. */
const OUTPUT_KEYS = ['', 'val_'].flatMap((prefix) => OUTPUTS.flatMap((o) => [`${prefix}${o.name}_loss`, `${prefix}${o.name}_${o.metric}`]));

/** Two inputs of different lengths and widths → LSTM and GRU branches → concatenate → two heads. */
export function buildModel(spec: WindowSpec, lstmUnits: number, gruUnits: number): lw.LayersModel {
  const demandIn = lw.input({ shape: [spec.demandSteps, 3], name: 'demand_history' });
  const tempIn = lw.input({ shape: [spec.temperatureSteps, 1], name: 'temperature_history' });
  const demandState = lw.layers.lstm({ units: lstmUnits, name: 'demand_lstm' }).apply(demandIn) as lw.layers.SymbolicTensor;
  const tempState = lw.layers.gru({ units: gruUnits, name: 'temperature_gru' }).apply(tempIn) as lw.layers.SymbolicTensor;
  const both = lw.layers.concatenate([demandState, tempState]);
  const shared = lw.layers.dense({ units: 32, activation: 'relu', name: 'shared' }).apply(both) as lw.layers.SymbolicTensor;
  const next = lw.layers.dense({ units: 1, name: OUTPUTS[0].name }).apply(shared) as lw.layers.SymbolicTensor;
  const rises = lw.layers.dense({ units: 1, activation: 'sigmoid', name: OUTPUTS[1].name }).apply(shared) as lw.layers.SymbolicTensor;
  return lw.model({ inputs: [demandIn, tempIn], outputs: [next, rises], name: 'demand_forecaster' });
}

const mean = (a: ArrayLike<number>, f: (i: number) => number) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += f(i);
  return s / a.length;
};

function headFigures(set: MultiIoSet, predDemand: Float32Array, predRise: ArrayLike<number>, trainRiseRate: number) {
  const { actual } = set;
  const rises = set.rises.dataSync();
  const majority = trainRiseRate >= 0.5 ? 1 : 0;
  return {
    nextDemandMae: {
      model: mean(actual, (i) => Math.abs(predDemand[i] - actual[i])),
      baselines: {
        'persistence (today)': mean(actual, (i) => Math.abs(set.persistence[i] - actual[i])),
        'weekly naive (a week before)': mean(actual, (i) => Math.abs(set.weeklyNaive[i] - actual[i])),
      },
    },
    risesAccuracy: {
      model: mean(rises, (i) => Number((predRise[i] > 0.5 ? 1 : 0) === rises[i])),
      baselines: {
        [`majority class (${majority ? 'rise' : 'no rise'})`]: mean(rises, (i) => Number(majority === rises[i])),
        'weekly naive (as a week before)': mean(rises, (i) => Number(set.weeklyRises[i] === rises[i])),
      },
    },
  };
}

export async function runMultiIo(opts: MultiIoOptions = {}): Promise<MultiIoResult> {
  const { elapsed, log, seed } = await startRun(opts, 3);

  const days = opts.days ?? 6 * 365;
  const testDays = opts.testDays ?? 365;
  const series = makeDailySeries(days, seed);
  const split = days - testDays; // targets (tomorrow) before the split train, from it on test
  const scaler = new SeriesScaler().fit(series, split);
  const train = makeSet(series, scaler, SPEC, 0, split - 1);
  const test = makeSet(series, scaler, SPEC, split - 1, days);
  const nTrain = train.actual.length;
  const nTest = test.actual.length;
  log(`synthetic daily temperature and demand, ${days} days: ${nTrain} training samples (the last 10% for validation), ${nTest} held out (the last ${testDays} days)`);

  const model = buildModel(SPEC, opts.lstmUnits ?? 32, opts.gruUnits ?? 16);
  model.compile({
    optimizer: lw.train.adam({ learningRate: 3e-3, clipNorm: 1 }),
    loss: OUTPUTS.map((o) => o.loss),
    lossWeights: opts.lossWeights ?? [1, 0.5],
    metrics: OUTPUTS.map((o) => [o.metric]),
  });
  model.summary(96, log);
  log(`backend: ${lw.getBackend()}`);

  // validation: the last 10% of the training samples in time order (no shuffling before the split)
  const [dFit, dVal, tFit, tVal, yNextFit, yNextVal, yRiseFit, yRiseVal] = lw.data.trainTestSplit(
    train.demandHistory, train.temperatureHistory, train.nextDemand, train.rises, { testSize: 0.1, shuffle: false });
  // each output's loss and metric on the initial weights: the report shows before -> after training
  const before = {
    ...model.evaluateLogs([dFit, tFit], [yNextFit, yRiseFit], 256),
    ...model.evaluateLogs([dVal, tVal], [yNextVal, yRiseVal], 256, 'val_'),
  };
  const trainClock = stopwatch();
  const { history } = await model.fit([dFit, tFit], [yNextFit, yRiseFit], {
    epochs: opts.epochs ?? 100,
    batchSize: opts.batchSize ?? 32,
    validationData: [[dVal, tVal], [yNextVal, yRiseVal]],
    seed,
    verbose: opts.verbose ?? 1,
    callbacks: stopOnPlateau(opts.patience ?? 15, 5, 2e-4),
  });
  const trainSeconds = trainClock();

  const preds = model.predict([test.demandHistory, test.temperatureHistory], { batchSize: 256 }) as lw.Tensor[];
  const predDemand = Float32Array.from(preds[0].dataSync(), (z) => scaler.demandToMwh(z));
  const trainRiseRate = mean(train.rises.dataSync(), (i) => train.rises.dataSync()[i]);
  const figures = headFigures(test, predDemand, preds[1].dataSync(), trainRiseRate);

  const oh = Object.fromEntries(OUTPUT_KEYS.map((key) => [key, [before[key], ...history[key]]]));
  log('');
  log(`per output (training ${dFit.shape[0]} / validation ${dVal.shape[0]} samples), before training -> after the last epoch:`);
  for (const key of Object.keys(oh)) log(`  ${key.padEnd(22)} ${oh[key][0].toFixed(4)} -> ${oh[key][oh[key].length - 1].toFixed(4)}`);
  log(`held out (${nTest} days):`);
  const show = (title: string, f: HeadFigures, fmt: (v: number) => string) => {
    log(`  ${title}: model ${fmt(f.model)}; ${Object.entries(f.baselines).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  };
  show('next_demand MAE', figures.nextDemandMae, (v) => `${v.toFixed(2)} MWh`);
  show('demand_rises accuracy', figures.risesAccuracy, (v) => `${(v * 100).toFixed(1)}%`);

  const run = new RunFolder(opts.out, 'multi-io');
  const trainVal = (key: string) => [{ name: 'train', values: history[key] }, { name: 'validation', values: history[`val_${key}`] ?? [], dashed: true }];
  await run.writeChart('training', lw.report.lineChartsSvg([
    { title: 'Total weighted loss', yLabel: 'loss', series: trainVal('loss') },
    { title: 'Output next_demand', yLabel: 'MSE (scaled)', series: trainVal('next_demand_loss') },
    { title: 'Output demand_rises', yLabel: 'binary cross-entropy', series: trainVal('demand_rises_loss') },
  ], { title: 'Two inputs, two outputs: losses per epoch' }));
  const seconds = { train: roundSeconds(trainSeconds), total: roundSeconds(elapsed()) };
  run.writeJson('metrics.json', { test: figures, outputHistory: oh, history, testSamples: nTest, backend: lw.getBackend(), seconds });
  log(run.summary());
  log(`timing: ${trainingTime(trainSeconds, history.loss.length)}, total ${seconds.total.toFixed(1)} s`);
  return {
    model, test, ...figures, outputHistory: oh, history, predictionShapes: preds.map((p) => [...p.shape]),
    testSamples: nTest, outDir: run.dir, files: run.files, seconds,
  };
}

if (isMain(import.meta.url)) {
  await runMultiIo({ epochs: argNumber('epochs'), days: argNumber('days'), seed: argNumber('seed'), out: argString('out') });
}

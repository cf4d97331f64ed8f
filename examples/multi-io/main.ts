// Several time series in, several targets out (the seed article's FAQ 4 and 5), with the functional
// API (`npm run example:multi-io`). Two daily series (temperature, energy demand; see
// synthetic-series.ts) feed two branches: an LSTM over 28 days of demand and weekday, a GRU over
// 10 days of temperature. Their states are concatenated and feed two heads: tomorrow's demand
// (regression, MSE) and "does demand rise tomorrow?" (classification, binary cross-entropy), trained
// together with weighted losses. The last year is held out; each head is compared with simple
// baselines on it. Writes the training plot and figures to runs/multi-io-<time>/.
// Options: --epochs N (default 100, early stopping), --days N (default 2190, six years), --seed N, --out DIR.
import * as lw from 'lstm-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePng } from '../lib/png.js';
import { makeDailySeries } from './synthetic-series.js';
import { makeSet, SeriesScaler, type MultiIoSet, type WindowSpec } from './windows.js';
import { outputTracker, type OutputSpec } from './output-tracker.js';

export interface MultiIoOptions {
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
  seed?: number;
  out?: string;
  verbose?: 0 | 1 | 2;
  log?: (line: string) => void;
}

export interface HeadFigures {
  model: number;
  baselines: Record<string, number>;
}

export interface MultiIoResult {
  model: lw.LayersModel;
  /** The held-out samples (inputs, targets and baselines). */
  test: MultiIoSet;
  /** Test MAE of tomorrow's demand in MWh, with persistence and weekly-naive baselines. */
  nextDemandMae: HeadFigures;
  /** Test accuracy of "demand rises", with majority-class and weekly-naive baselines. */
  risesAccuracy: HeadFigures;
  /** Per-output loss and metric on the training and (val_) validation parts: index 0 before training, then per epoch. */
  outputHistory: Record<string, number[]>;
  history: Record<string, number[]>;
  predictionShapes: number[][];
  testSamples: number;
  outDir: string;
  files: string[];
  seconds: { train: number; total: number };
}

export const SPEC: WindowSpec = { demandSteps: 28, temperatureSteps: 10 };
const OUTPUTS: OutputSpec[] = [
  { name: 'next_demand', loss: 'meanSquaredError', metric: 'mae' },
  { name: 'demand_rises', loss: 'binaryCrossentropy', metric: 'acc' },
];

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
  const started = performance.now();
  const log = opts.log ?? ((l: string) => console.log(l));
  const seed = opts.seed ?? 3;
  await lw.ready();
  lw.setSeed(seed);

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
  });
  model.summary(96, log);
  log(`backend: ${lw.getBackend()}`);

  // validation: the last 10% of the training samples in time order (no shuffling before the split)
  const [dFit, dVal, tFit, tVal, yNextFit, yNextVal, yRiseFit, yRiseVal] = lw.data.trainTestSplit(
    train.demandHistory, train.temperatureHistory, train.nextDemand, train.rises, { testSize: 0.1, shuffle: false });
  const trainTracker = outputTracker([dFit, tFit], [yNextFit, yRiseFit], OUTPUTS);
  const valTracker = outputTracker([dVal, tVal], [yNextVal, yRiseVal], OUTPUTS, 'val_');
  const trainStart = performance.now();
  const { history } = await model.fit([dFit, tFit], [yNextFit, yRiseFit], {
    epochs: opts.epochs ?? 100,
    batchSize: opts.batchSize ?? 32,
    validationData: [[dVal, tVal], [yNextVal, yRiseVal]],
    seed,
    verbose: opts.verbose ?? 1,
    callbacks: [
      trainTracker, valTracker,
      lw.callbacks.earlyStopping({ monitor: 'val_loss', patience: opts.patience ?? 15, restoreBestWeights: true }),
      lw.callbacks.reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 5, minLr: 2e-4 }),
    ],
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;

  const preds = model.predict([test.demandHistory, test.temperatureHistory], { batchSize: 256 }) as lw.Tensor[];
  const predDemand = Float32Array.from(preds[0].dataSync(), (z) => scaler.demandToMwh(z));
  const trainRiseRate = mean(train.rises.dataSync(), (i) => train.rises.dataSync()[i]);
  const figures = headFigures(test, predDemand, preds[1].dataSync(), trainRiseRate);

  const oh = { ...trainTracker.history, ...valTracker.history };
  log('');
  log(`per output (training ${dFit.shape[0]} / validation ${dVal.shape[0]} samples), before training -> after the last epoch:`);
  for (const key of Object.keys(oh)) log(`  ${key.padEnd(22)} ${oh[key][0].toFixed(4)} -> ${oh[key][oh[key].length - 1].toFixed(4)}`);
  log(`held out (${nTest} days):`);
  const show = (title: string, f: HeadFigures, fmt: (v: number) => string) => {
    log(`  ${title}: model ${fmt(f.model)}; ${Object.entries(f.baselines).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
  };
  show('next_demand MAE', figures.nextDemandMae, (v) => `${v.toFixed(2)} MWh`);
  show('demand_rises accuracy', figures.risesAccuracy, (v) => `${(v * 100).toFixed(1)}%`);

  const outDir = resolve(opts.out ?? join('runs', `multi-io-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`));
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  const after = (key: string) => oh[key].slice(1); // per epoch, the x axis of the chart
  const svg = lw.report.lineChartsSvg([
    { title: 'Total weighted loss', yLabel: 'loss', series: [{ name: 'train', values: history.loss }, { name: 'validation', values: history.val_loss ?? [], dashed: true }] },
    { title: 'Output next_demand', yLabel: 'MSE (scaled)', series: [{ name: 'train', values: after('next_demand_loss') }, { name: 'validation', values: after('val_next_demand_loss'), dashed: true }] },
    { title: 'Output demand_rises', yLabel: 'binary cross-entropy', series: [{ name: 'train', values: after('demand_rises_loss') }, { name: 'validation', values: after('val_demand_rises_loss'), dashed: true }] },
  ], { title: 'Two inputs, two outputs: losses per epoch' });
  writeFileSync(join(outDir, 'training.svg'), svg);
  files.push(join(outDir, 'training.svg'));
  const png = await writePng(svg, join(outDir, 'training.png'));
  if (png) files.push(png);
  const seconds = { train: Number(trainSeconds.toFixed(3)), total: Number(((performance.now() - started) / 1000).toFixed(3)) };
  writeFileSync(join(outDir, 'metrics.json'), JSON.stringify({ test: figures, outputHistory: oh, history, testSamples: nTest, backend: lw.getBackend(), seconds }, null, 2));
  files.push(join(outDir, 'metrics.json'));
  log(`wrote ${files.map((f) => f.replace(`${process.cwd()}/`, '')).join(', ')}`);
  log(`timing: training ${seconds.train.toFixed(1)} s (${history.loss.length} epochs, ${((trainSeconds / history.loss.length) * 1000).toFixed(0)} ms each), total ${seconds.total.toFixed(1)} s`);
  return {
    model, test, ...figures, outputHistory: oh, history, predictionShapes: preds.map((p) => [...p.shape]),
    testSamples: nTest, outDir, files, seconds,
  };
}

const isMain = typeof process !== 'undefined' && process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''));
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));
  await runMultiIo({ epochs: num('epochs'), days: num('days'), seed: num('seed'), out: arg('out') });
}

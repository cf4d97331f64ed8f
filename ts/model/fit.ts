// The training loop (model.fit): batches, shuffling, validation, callbacks and the progress bar over runStep.
import { callHook, type FitCallback, type Logs } from './fit-callbacks.js';
import { ProgressBar } from './progress-bar.js';
import type { Optimizer } from '../optim/optimizer.js';
import { LwError, positiveInt } from '../errors.js';
import { globalRandom, Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import { range } from './batches.js';
import type { ModelData } from './data.js';
import type { StepLogs } from './step.js';

/** What the training loop needs of a model (LayersModel has it all). */
export interface FitModel {
  /** Callbacks set it to end fit after the current epoch. */
  stopTraining: boolean;
  readonly optimizer: Optimizer | null;
  checkInputs(x: ModelData, what: string): Tensor[];
  checkTargets(y: ModelData, samples: number, what: string): Tensor[];
  step(xs: Tensor[], ys: Tensor[], idx: ArrayLike<number>, training: boolean, rng: Random): StepLogs;
  metricKeys(): string[];
  evaluateTensors(xs: Tensor[], ys: Tensor[], batchSize: number, prefix?: string): Record<string, number>;
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  /** Fraction of the samples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [ModelData, ModelData];
  shuffle?: boolean;
  /** Seeds the shuffles and dropout masks of this fit. */
  seed?: number;
  callbacks?: FitCallback | FitCallback[];
  /** 0 silent; 1 (default) a live progress bar on a terminal, else one line per epoch; 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  initialEpoch?: number;
  /** Give the event loop a turn at least this often (ms), so pages and servers stay responsive. */
  yieldEvery?: number;
}

/** What fit returns (TF.js History): per-epoch logs under Keras names. */
export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: { epochs: number; batchSize: number; samples: number; initialEpoch: number };
}

const yieldToEventLoop = () => new Promise<void>((r) => setTimeout(r, 0));

function slice(ts: Tensor[], idx: Int32Array): Tensor[] {
  return ts.map((t) => {
    const per = t.size / t.shape[0];
    const d = t.dataSync();
    const out = new (d.constructor as Float32ArrayConstructor)(idx.length * per);
    for (let r = 0; r < idx.length; r++) out.set(d.subarray(idx[r] * per, idx[r] * per + per), r * per);
    return new (t.constructor as typeof Tensor)(out, [idx.length, ...t.shape.slice(1)]);
  });
}

/** Trains `model` (see `LayersModel.fit`). */
export async function fit(model: FitModel, x: ModelData, y: ModelData, args: FitArgs = {}): Promise<History> {
  if (!model.optimizer) throw new LwError('NOT_READY', 'fit: compile the model first (model.compile({ optimizer, loss }))');
  const epochs = args.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0) throw new LwError('BAD_ARGUMENT', `epochs must be a whole number >= 0, got ${epochs}`);
  const batchSize = positiveInt(args.batchSize ?? 32, 'batchSize');
  const initialEpoch = args.initialEpoch ?? 0;
  let xs = model.checkInputs(x, 'fit');
  let ys = model.checkTargets(y, xs[0].shape[0], 'fit');
  let val: [Tensor[], Tensor[]] | null = null;
  const split = args.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new LwError('BAD_ARGUMENT', `validationSplit must be in [0, 1), got ${split}`);
  if (args.validationData) {
    const vx = model.checkInputs(args.validationData[0], 'fit validationData');
    val = [vx, model.checkTargets(args.validationData[1], vx[0].shape[0], 'fit validationData')];
  } else if (split > 0) {
    const n = xs[0].shape[0];
    const nVal = Math.floor(n * split);
    if (nVal < 1 || nVal >= n) throw new LwError('EMPTY_DATA', `validationSplit ${split} of ${n} samples leaves ${nVal} for validation and ${n - nVal} for training`);
    const trainIdx = range(0, n - nVal);
    const valIdx = range(n - nVal, n);
    val = [slice(xs, valIdx), slice(ys, valIdx)];
    xs = slice(xs, trainIdx);
    ys = slice(ys, trainIdx);
  }
  const n = xs[0].shape[0];
  const rng = args.seed !== undefined ? new Random(args.seed) : globalRandom().fork();
  const verbose = args.verbose ?? 1;
  const callbacks = args.callbacks ? (Array.isArray(args.callbacks) ? [...args.callbacks] : [args.callbacks]) : [];
  if (verbose > 0) callbacks.push(new ProgressBar({ mode: verbose === 1 ? 'auto' : 'lines' }));
  const steps = Math.ceil(n / batchSize);
  for (const cb of callbacks) {
    cb.model = model;
    cb.params = { epochs, steps, samples: n, batchSize, initialEpoch };
  }
  const history: History = { epoch: [], history: {}, params: { epochs, batchSize, samples: n, initialEpoch } };
  const yieldEvery = args.yieldEvery ?? 50;
  const order = range(0, n);
  model.stopTraining = false;
  await callHook(callbacks, 'onTrainBegin');
  let lastYield = Date.now();
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await callHook(callbacks, 'onEpochBegin', epoch);
    if (args.shuffle ?? true) rng.shuffle(order);
    let lossSum = 0;
    const sums: Record<string, number> = {};
    for (let b = 0; b < steps; b++) {
      const idx = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
      await callHook(callbacks, 'onBatchBegin', b, { batch: b, size: idx.length });
      let logs;
      try {
        logs = model.step(xs, ys, idx, true, rng);
      } catch (e) {
        if (e instanceof LwError && e.code === 'NON_FINITE') {
          throw new LwError('NON_FINITE', `${e.message.replace(/^\[NON_FINITE\] /, '')} (epoch ${epoch + 1}, batch ${b + 1}); the weights from before this step are kept`, { ...e.details, epoch, batch: b });
        }
        throw e;
      }
      lossSum += logs.loss * idx.length;
      const batchLogs: Logs = { batch: b, size: idx.length, loss: logs.loss };
      for (const [key, v] of Object.entries(logs.metricSums)) {
        sums[key] = (sums[key] ?? 0) + v;
        batchLogs[key] = v / idx.length;
      }
      await callHook(callbacks, 'onBatchEnd', b, batchLogs);
      if (Date.now() - lastYield >= yieldEvery) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    const logs: Logs = { loss: lossSum / n };
    for (const key of model.metricKeys()) logs[key] = (sums[key] ?? 0) / n;
    if (val) Object.assign(logs, model.evaluateTensors(val[0], val[1], batchSize, 'val_'));
    history.epoch.push(epoch);
    for (const [key, v] of Object.entries(logs)) (history.history[key] ??= []).push(v);
    await callHook(callbacks, 'onEpochEnd', epoch, logs);
  }
  await callHook(callbacks, 'onTrainEnd');
  return history;
}

// forecast: a numeric series → windows of --window steps predicting the next --horizon steps,
// standardised with a scaler saved in preprocessing.json.
import { StandardScaler } from '../../data/standard-scaler.js';
import { timeseriesWindows } from '../../data/timeseries-windows.js';
import { LwError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { numberValues, numbersInText, seriesColumn } from '../columns.js';
import { fileKind, readTable, readText } from '../data-file.js';
import { CliError } from '../errors.js';
import { newPreprocessing, scalerOf, type Preprocessing } from '../preprocessing.js';
import { count, type ColumnFlags, type Encoded, type Prediction, type TaskHandler } from './task.js';
import { originalUnitErrors } from './text-task.js';

/** The series of a file: the numbers of a .txt, or a numeric column of a table. */
async function readSeries(file: string, column: string | undefined): Promise<{ values: Float64Array; column?: string }> {
  if (fileKind(file) === 'txt') return { values: numbersInText(await readText(file), file) };
  const table = await readTable(file);
  const col = seriesColumn(table, column);
  return { values: numberValues(table, col, 'a forecast needs a numeric series (choose the column with --column)'), column: col };
}

function windows(prep: Preprocessing, scaled: Tensor): Encoded {
  try {
    const { x, y } = timeseriesWindows(scaled, { window: prep.window!, horizon: prep.horizon! });
    return { x, y: y.rank === 1 ? y.reshape([y.shape[0], 1]) : y };
  } catch (err) {
    if (err instanceof LwError && err.code === 'EMPTY_DATA') throw new CliError(`${err.message.replace(/^\[[A-Z_]+\] timeseriesWindows: /, '')}; use a smaller --window or --horizon`);
    throw err;
  }
}

function scaled(prep: Preprocessing, values: ArrayLike<number>): Tensor {
  return scalerOf(prep.scaler, 'scaler').transform(Float32Array.from(values));
}

function columnFlag(prep: Preprocessing, cols: ColumnFlags): string | undefined {
  return cols.column ?? prep.column;
}

export const forecastTask: TaskHandler = {
  async fit(opts) {
    const { values, column } = await readSeries(opts.data, opts.column);
    const prep = newPreprocessing('forecast', opts.model, { epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: opts.validationSplit, seed: opts.seed, samples: 0 });
    prep.column = column;
    prep.window = opts.window;
    prep.horizon = opts.horizon;
    if (values.length < opts.window + opts.horizon) {
      throw new CliError(`${opts.data}: a series of ${values.length} steps is too short for --window ${opts.window} + --horizon ${opts.horizon}; use a smaller --window`);
    }
    // the scaler sees only the steps before the validation windows (taken from the end)
    const nWindows = values.length - opts.window - opts.horizon + 1;
    const trainSteps = Math.max(2, values.length - Math.floor(nWindows * opts.validationSplit));
    const scaler = new StandardScaler().fit(Float32Array.from(values.subarray(0, trainSteps)));
    prep.scaler = scaler.toJSON();
    const data = windows(prep, scaled(prep, values));
    prep.training.samples = data.x.shape[0];
    const where = column ? `column ${JSON.stringify(column)}` : 'the numbers';
    return {
      prep, data,
      describe: `forecast: ${where} of ${opts.data}, ${count(values.length)} steps → ${count(data.x.shape[0])} windows of ${opts.window} steps predicting ${opts.horizon} step${opts.horizon > 1 ? 's' : ''}; mean ${scaler.mean![0].toPrecision(4)}, std ${Math.sqrt(scaler.variance![0]).toPrecision(4)} (standardised)`,
    };
  },

  async encode(prep, file, cols) {
    const { values } = await readSeries(file, columnFlag(prep, cols));
    return windows(prep, scaled(prep, values));
  },

  extraMetrics(prep, model, data) {
    const pred = (model.predict(data.x, { batchSize: 256 }) as Tensor).dataSync();
    return originalUnitErrors(scalerOf(prep.scaler, 'scaler'), pred, data.y.dataSync());
  },

  async predict(prep, model, input, cols): Promise<Prediction[]> {
    let values: ArrayLike<number>;
    if (input.file) values = (await readSeries(input.file, columnFlag(prep, cols))).values;
    else {
      values = input.args.map((a, i) => {
        const v = Number(a);
        if (a.trim() === '' || !Number.isFinite(v)) throw new CliError(`value ${i + 1} (${JSON.stringify(a)}) is not a number; a forecast model takes the recent values of the series`);
        return v;
      });
    }
    const window = prep.window!;
    if (values.length < window) throw new CliError(`the model forecasts from the last ${window} values, got ${values.length}`);
    const recent = Float32Array.from(values).subarray(values.length - window);
    const scaler = scalerOf(prep.scaler, 'scaler');
    const x = new Tensor(scaler.transform(recent).dataSync() as Float32Array, [1, window, 1]);
    const out = (model.predict(x) as Tensor).dataSync();
    return [{ values: Array.from(scaler.inverseTransform(Float32Array.from(out)).dataSync()) }];
  },
};

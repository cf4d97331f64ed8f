import { ProgressBar } from '../../model/progress-bar.js';
import { getBackend, ready } from '../../runtime/ready.js';
import { setSeed } from '../../random.js';
import type { FlagValue } from '../args.js';
import { buildNetwork, networkShape } from '../network.js';
import { TRAIN_FLAGS, resolveTrainOptions, type CellName, type ModelSpec, type TrainOptions } from '../options.js';
import { metricLines, type CliIO, type Output } from '../output.js';
import { defaultRunDir, prepareOutDir, saveRun } from '../run-folder.js';
import { taskHandler } from '../tasks/index.js';
import { count } from '../tasks/task.js';
import { COMMON_FLAGS, type Command } from './command.js';

/** "lstm 64 units × 2 layers, bidirectional" */
export function describeSpec(spec: ModelSpec): string {
  return `${spec.cell} ${spec.units} units × ${spec.layers} layer${spec.layers > 1 ? 's' : ''}${spec.bidirectional ? ', bidirectional' : ''}`;
}

/** The last epoch's value of every history key. */
export function lastLogs(history: Record<string, number[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(history).filter(([, v]) => v.length > 0).map(([k, v]) => [k, v[v.length - 1]]));
}

export function title(opts: TrainOptions, spec: ModelSpec): string {
  return `${opts.task} (${describeSpec(spec)}): loss${opts.task === 'binary' || opts.task === 'multiclass' ? ' and accuracy' : ''} per epoch`;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a model on a data file and save it with its preprocessing',
  usage: [
    'lstm-wasm train --data FILE --task binary|multiclass|regression|forecast|language-model [options]',
    '',
    'binary / multiclass / regression: a .csv, .tsv or .jsonl with a text column and a label column.',
    'forecast: a numeric column (or a .txt of numbers); windows of --window steps predict --horizon steps.',
    'language-model: a .txt, characters by default (--level word for words).',
  ].join('\n'),
  flags: { ...TRAIN_FLAGS, ...COMMON_FLAGS },
  async run({ flags }, out: Output, io: CliIO) {
    const f = flags as Record<string, FlagValue>;
    const opts = resolveTrainOptions(f, { cell: f.cell as CellName | undefined, units: f.units as number | undefined, layers: f.layers as number | undefined });
    const started = Date.now();
    await ready();
    setSeed(opts.seed);
    const handler = taskHandler(opts.task);
    const fitted = await handler.fit(opts);
    out.info(fitted.describe);
    const model = buildNetwork(networkShape(fitted.prep, fitted.tokenizer), opts.model);
    out.info(`model: ${describeSpec(opts.model)}, ${count(model.countParams())} parameters; ${opts.epochs} epochs, batch ${opts.batchSize}, learning rate ${opts.model.learningRate}${opts.model.clipNorm ? `, clip-norm ${opts.model.clipNorm}` : ''}; backend ${getBackend()}`);
    const { history, epoch } = await model.fit(fitted.data.x, fitted.data.y, {
      epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: opts.validationSplit, seed: opts.seed, verbose: 0,
      callbacks: f.quiet ? [] : [new ProgressBar({ stream: io.progress })],
    });
    const last = lastLogs(history);
    const metrics = { ...last, ...handler.derived?.(fitted.prep, last) };
    const dir = await prepareOutDir(opts.out ?? defaultRunDir(opts.task));
    const seconds = (Date.now() - started) / 1000;
    const record = { task: opts.task, metrics, history, epochs: epoch.length, samples: fitted.data.x.shape[0], params: model.countParams(), seconds };
    const files = await saveRun(dir, model, fitted.prep, record, title(opts, opts.model));
    out.info(`final metrics after ${epoch.length} epochs (${seconds.toFixed(1)} s):`);
    for (const line of metricLines(metrics)) out.info(line);
    out.info(`saved ${files.join(', ')} in ${dir}`);
    out.json({ command: 'train', ...record, out: dir });
  },
};

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ready, getBackend } from '../../runtime/ready.js';
import { setSeed } from '../../random.js';
import { gridSearch, type GridSearchResult } from '../../selection/grid-search.js';
import { formatLeaderboard } from '../../selection/leaderboard.js';
import type { FlagValue } from '../args.js';
import { CliError } from '../errors.js';
import { buildNetwork, networkShape } from '../network.js';
import { CELL_NAMES, DATA_FLAGS, resolveTrainOptions, type CellName, type ModelSpec, type Task } from '../options.js';
import { fmtMetric, metricLines } from '../output.js';
import { defaultRunDir, prepareOutDir, saveRun } from '../run-folder.js';
import { taskHandler } from '../tasks/index.js';
import { count } from '../tasks/task.js';
import { COMMON_FLAGS, type Command } from './command.js';
import { describeSpec, lastLogs, title } from './train.js';

type Point = { cell: CellName; units: number; layers: number };

/** The held-out metrics of a task's folds; the first ranks by default (accuracy for classifiers, else the loss). */
function heldOutMetrics(task: Task): string[] {
  if (task === 'binary' || task === 'multiclass') return ['val_acc', 'val_loss'];
  return task === 'language-model' ? ['val_loss', 'val_acc'] : ['val_loss', 'val_mae'];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const selectCommand: Command = {
  name: 'select',
  summary: 'k-fold cross-validation over cells × units × layers; saves the best model retrained on all data',
  usage: [
    'lstm-wasm select --data FILE --task TASK [--cells lstm,gru,simpleRNN] [--units 32,64] [--layers 1,2] [--folds 5] [options]',
    '',
    'Every combination is trained on k-1 folds and scored on the held-out fold; the leaderboard shows the',
    'mean ± std of the held-out metric, the parameter count and the time. The best combination is',
    'retrained on all the data and saved to --out like train does (plus leaderboard.txt).',
    'Text rows are shuffled into folds; series and language-model windows keep their order (contiguous folds).',
  ].join('\n'),
  flags: {
    ...DATA_FLAGS,
    cells: { type: 'stringList', choices: CELL_NAMES, help: 'recurrent cells to try (default lstm,gru,simpleRNN)', placeholder: 'lstm,gru,simpleRNN' },
    units: { type: 'intList', min: 1, help: 'units per layer to try (default 32,64)' },
    layers: { type: 'intList', min: 1, help: 'stacked layers to try (default 1)' },
    folds: { type: 'int', min: 2, help: 'cross-validation folds (default 5)' },
    metric: { type: 'string', help: 'held-out metric that ranks (default val_acc for classifiers, val_loss otherwise)', placeholder: 'val_loss|val_acc|val_mae' },
    ...COMMON_FLAGS,
  },
  async run({ flags }, out, io) {
    const f = flags as Record<string, FlagValue>;
    // the held-out folds are the validation: preprocessing and the final model see all the data
    const opts = resolveTrainOptions({ ...f, 'validation-split': 0 }, {});
    const grid = {
      cell: ((f.cells as string[] | undefined) ?? [...CELL_NAMES]) as CellName[],
      units: (f.units as number[] | undefined) ?? [32, 64],
      layers: (f.layers as number[] | undefined) ?? [1],
    };
    const folds = (f.folds as number | undefined) ?? 5;
    const known = heldOutMetrics(opts.task);
    const metric = (f.metric as string | undefined) ?? known[0];
    if (!known.includes(metric)) throw new CliError(`--metric ${metric} is not a held-out metric of --task ${opts.task}; use ${known.join(' or ')}`);
    const started = Date.now();
    await ready();
    setSeed(opts.seed);
    const handler = taskHandler(opts.task);
    const fitted = await handler.fit(opts);
    const n = fitted.data.x.shape[0];
    if (n < folds) throw new CliError(`${opts.data}: ${n} samples cannot make ${folds} folds; use a smaller --folds`);
    out.info(fitted.describe);
    const total = grid.cell.length * grid.units.length * grid.layers.length;
    out.info(`${plural(total, 'combination')} × ${folds} folds, ${plural(opts.epochs, 'epoch')} each, batch ${opts.batchSize}; ranked by ${metric}; backend ${getBackend()}`);
    const shape = networkShape(fitted.prep, fitted.tokenizer);
    const specOf = (p: Point): ModelSpec => ({ ...opts.model, cell: p.cell, units: p.units, layers: p.layers });
    const search: GridSearchResult<Point> = await gridSearch({
      grid, x: fitted.data.x, y: fitted.data.y, folds, epochs: opts.epochs, batchSize: opts.batchSize, seed: opts.seed, metric,
      // text rows are exchangeable; windows of one series or text overlap their neighbours, so keep folds contiguous
      shuffle: opts.task !== 'forecast' && opts.task !== 'language-model',
      build: (p) => buildNetwork(shape, specOf(p as Point)),
      onFold: (p, r) => {
        if (!f.quiet) io.stderr(`  ${describeSpec(specOf(p as Point))}: fold ${r.fold + 1}/${folds} ${metric} ${r.metrics[metric] !== undefined ? fmtMetric(r.metrics[metric]) : '-'} (${r.seconds.toFixed(1)} s)\n`);
      },
      onResult: (r, i) => out.info(`[${i + 1}/${total}] ${describeSpec(specOf(r.params as Point))}: ${metric} ${fmtMetric(r.score)} ± ${fmtMetric(r.scoreStd)} (${r.seconds.toFixed(1)} s)`),
    });
    const board = formatLeaderboard(search);
    out.info('');
    for (const line of board.split('\n')) out.info(line);
    const best = specOf(search.best.params);
    const model = search.bestModel!;
    fitted.prep.model = best;
    const history = search.refitHistory!;
    const final = lastLogs(history);
    const metrics = { ...final, ...handler.derived?.(fitted.prep, final) };
    const dir = await prepareOutDir(opts.out ?? defaultRunDir(`select-${opts.task}`));
    const leaderboard = search.results.map((r) => ({
      rank: r.rank, ...r.params, mean: r.score, std: r.scoreStd, params: r.paramCount, seconds: r.seconds,
      folds: r.folds.map((fold) => fold.metrics[metric]), metrics_mean: r.mean, metrics_std: r.std,
    }));
    const seconds = (Date.now() - started) / 1000;
    const record = { task: opts.task, metric, mode: search.mode, folds, best: { ...search.best.params, mean: search.best.score, std: search.best.scoreStd }, leaderboard, metrics, history, samples: n, params: model.countParams(), seconds };
    const files = await saveRun(dir, model, fitted.prep, record, `${title(opts, best)} (best of ${total}, retrained on all data)`);
    await writeFile(join(dir, 'leaderboard.txt'), `${board}\n`);
    out.info('');
    out.info(`best: ${describeSpec(best)} (${metric} ${fmtMetric(search.best.score)} ± ${fmtMetric(search.best.scoreStd)}), retrained on all ${count(n)} samples:`);
    for (const line of metricLines(metrics)) out.info(line);
    out.info(`saved ${[...files, 'leaderboard.txt'].join(', ')} in ${dir} (${seconds.toFixed(1)} s in all)`);
    out.json({ command: 'select', ...record, out: dir });
  },
};

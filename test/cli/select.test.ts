// `lstm-wasm select`: cross-validation over cells × units × layers, the leaderboard, and the best
// configuration retrained on all data and saved like `train` saves a model.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureCliBuilt, reviews, sineSeries, tempDir, writeCsv } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  await ensureCliBuilt();
  dir = tempDir();
}, 120_000);

interface Entry { rank: number; cell: string; units: number; layers: number; mean: number; std: number; params: number; seconds: number; folds: number[] }

describe('select', () => {
  it('binary: leaderboard ranked by mean held-out accuracy; the best model retrained on all rows and saved', async () => {
    const data = writeCsv(dir, 'reviews.csv', ['text', 'label'], reviews(120));
    const out = join(dir, 'select');
    const r = await cli('select', '--data', data, '--task', 'binary', '--cells', 'lstm,gru', '--units', '4,8', '--layers', '1,2', '--folds', '3', '--epochs', '2', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ command: 'select', task: 'binary', metric: 'val_acc', mode: 'max', folds: 3, samples: 120 });
    const board = j.leaderboard as Entry[];
    expect(board).toHaveLength(8);
    expect(board.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(board.map((e) => `${e.cell}/${e.units}/${e.layers}`)).size).toBe(8);
    for (let i = 1; i < board.length; i++) expect(board[i].mean).toBeLessThanOrEqual(board[i - 1].mean);
    for (const e of board) {
      expect(e.folds).toHaveLength(3);
      const mean = e.folds.reduce((a, b) => a + b, 0) / 3;
      expect(e.mean).toBeCloseTo(mean, 12);
      expect(e.std).toBeCloseTo(Math.sqrt(e.folds.reduce((a, b) => a + (b - mean) ** 2, 0) / 3), 12);
      // accuracy on a held-out fold of 40 rows is a multiple of 1/40
      for (const v of e.folds) expect(Math.abs(v * 40 - Math.round(v * 40))).toBeLessThan(1e-6);
    }
    // the parameter counts differ by cell, units and depth
    const params = (cell: string, units: number, layers: number) => board.find((e) => e.cell === cell && e.units === units && e.layers === layers)!.params;
    expect(params('lstm', 8, 1)).toBeGreaterThan(params('gru', 8, 1));
    expect(params('lstm', 8, 2)).toBeGreaterThan(params('lstm', 8, 1));
    // the saved model is the best configuration, retrained on all 120 rows for --epochs
    expect(j.best).toMatchObject({ cell: board[0].cell, units: board[0].units, layers: board[0].layers, mean: board[0].mean });
    expect((j.history as Record<string, number[]>).loss).toHaveLength(2);
    expect(Object.keys(j.history as object).sort()).toEqual(['acc', 'loss']);
    const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    const layers = modelJson.modelTopology.config.layers as { class_name: string; config: { units?: number } }[];
    const recurrent = layers.filter((l) => ['LSTM', 'GRU', 'SimpleRNN'].includes(l.class_name));
    expect(recurrent).toHaveLength(board[0].layers);
    expect(recurrent[0].class_name).toBe(board[0].cell === 'lstm' ? 'LSTM' : 'GRU');
    expect(recurrent[0].config.units).toBe(board[0].units);
    const prep = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(prep.model).toMatchObject({ cell: board[0].cell, units: board[0].units, layers: board[0].layers });
    for (const file of ['weights.bin', 'metrics.json', 'training.svg', 'leaderboard.txt']) expect(existsSync(join(out, file)), file).toBe(true);
    // the printed leaderboard (stderr under --json) and leaderboard.txt: one row per configuration, best first
    const table = readFileSync(join(out, 'leaderboard.txt'), 'utf8').split('\n');
    expect(table[0]).toMatch(/^rank +cell +units +layers +val_acc \(mean ± std\) +params +time$/);
    expect(table[1]).toMatch(new RegExp(`^ +1 +${board[0].cell} +${board[0].units} +${board[0].layers} +${board[0].mean.toFixed(4)} ± ${board[0].std.toFixed(4)} `));
    expect(r.stderr).toContain(table[1]);
    // the saved model predicts like a trained one
    const p = await cli('predict', '--model', out, 'great wonderful');
    expect(p.code).toBe(0);
    expect(p.lines[0]).toMatch(/^(positive|negative)\t\d\.\d{4}$/);
  });

  it('forecast: val_loss ranks (lower is better) over contiguous folds of the windows', async () => {
    const data = writeCsv(dir, 'series.csv', ['value'], sineSeries(120).map((v) => [v]));
    const out = join(dir, 'select-forecast');
    const r = await cli('select', '--data', data, '--task', 'forecast', '--window', '6', '--cells', 'simpleRNN,gru', '--units', '4', '--folds', '2', '--epochs', '2', '--out', out, '--quiet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2 combinations × 2 folds, 2 epochs each, batch 32; ranked by val_loss/m);
    expect(r.stdout).toMatch(/\(2-fold cross-validation; lower val_loss is better\)/);
    const rows = r.stdout.split('\n').filter((l) => /^ +\d +(simpleRNN|gru) /.test(l));
    expect(rows).toHaveLength(2);
    const scores = rows.map((l) => Number(/ (\d+\.\d+) ± /.exec(l)![1]));
    expect(scores[0]).toBeLessThanOrEqual(scores[1]);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.mode).toBe('min');
    expect(metrics.leaderboard[0].mean).toBe(Math.min(...metrics.leaderboard.map((e: Entry) => e.mean)));
  });
});

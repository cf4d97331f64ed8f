// lw.selection: crossValidate (held-out metrics per fold, mean and std, repeatability) and gridSearch
// (every grid point on the same folds, ranking, the best point retrained on all data).
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import { crossValidate, formatLeaderboard, gridPoints, gridSearch, metricMode } from '../../ts/selection/index.js';

beforeAll(async () => {
  await lw.ready();
});

/** n sequences of 6 steps; label 1 when the sequence sums above 0. */
function sumData(n: number, seed = 7) {
  const rng = new lw.Random(seed);
  const x = Float32Array.from({ length: n * 6 }, () => rng.normal());
  const y = Float32Array.from({ length: n }, (_, i) => (x.subarray(i * 6, i * 6 + 6).reduce((a, b) => a + b, 0) > 0 ? 1 : 0));
  return { x: lw.tensor(x, [n, 6, 1]), y: lw.tensor(y, [n, 1]) };
}

function classifier(units = 4, learningRate = 0.05) {
  const m = lw.sequential([lw.layers.lstm({ units, inputShape: [6, 1] }), lw.layers.dense({ units: 1, activation: 'sigmoid' })]);
  m.compile({ optimizer: lw.train.adam({ learningRate }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('crossValidate', () => {
  it('each fold trains a fresh model on the other folds and scores the held-out one', async () => {
    const { x, y } = sumData(90);
    const models: lw.LayersModel[] = [];
    const seen: number[] = [];
    const cv = await crossValidate(({ fold }) => {
      seen.push(fold);
      const m = classifier();
      models.push(m);
      return m;
    }, x, y, { folds: 3, epochs: 4, batchSize: 16, seed: 5, onFold: (r) => void seen.push(100 + r.fold) });
    expect(seen).toEqual([0, 100, 1, 101, 2, 102]);
    expect(cv.folds).toHaveLength(3);
    expect(cv.params).toBe(models[0].countParams());
    // the folds are kFold's (shuffled with the seed): the metrics are each model's on its held-out rows
    const folds = lw.data.kFold(90, { k: 3, shuffle: true, seed: 5 });
    cv.folds.forEach((r, f) => {
      expect(r.trainSize).toBe(60);
      expect(r.testSize).toBe(30);
      const xt = lw.data.takeRows(x, folds[f].testIdx);
      const yt = lw.data.takeRows(y, folds[f].testIdx);
      const [loss, acc] = models[f].evaluate(xt, yt) as number[];
      expect(r.metrics.val_loss).toBeCloseTo(loss, 6);
      expect(r.metrics.val_acc).toBeCloseTo(acc, 6);
      // the last epoch's validation in the fold's history is the same held-out fold
      expect(r.history.val_loss.at(-1)).toBeCloseTo(loss, 6);
      expect(r.history.loss).toHaveLength(4);
      // and the training rows are not the held-out ones: the training loss is on 60 rows
      expect(r.history.loss[3]).not.toBeCloseTo(loss, 6);
    });
    for (const key of ['val_loss', 'val_acc']) {
      const v = cv.folds.map((r) => r.metrics[key]);
      const mean = v.reduce((a, b) => a + b, 0) / 3;
      expect(cv.mean[key]).toBeCloseTo(mean, 12);
      expect(cv.std[key]).toBeCloseTo(Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / 3), 12);
    }
    // the task is learnable: better than chance on held-out folds
    expect(cv.mean.val_acc).toBeGreaterThan(0.6);
  });

  it('the same seed gives the same folds, weights and results; shuffle: false keeps consecutive folds', async () => {
    const { x, y } = sumData(40);
    const run = (seed: number) => crossValidate(() => classifier(), x, y, { folds: 4, epochs: 2, seed });
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b.folds.map((r) => r.metrics)).toEqual(a.folds.map((r) => r.metrics));
    expect(c.folds.map((r) => r.metrics.val_loss)).not.toEqual(a.folds.map((r) => r.metrics.val_loss));
    // without shuffling the held-out fold 0 is rows 0-9: evaluate a model trained on rows 10-39 only
    lw.setSeed(3);
    const m = classifier();
    await m.fit(lw.data.takeRows(x, Int32Array.from({ length: 30 }, (_, i) => 10 + i)), lw.data.takeRows(y, Int32Array.from({ length: 30 }, (_, i) => 10 + i)), { epochs: 2, seed: 3, verbose: 0 });
    const [loss] = m.evaluate(lw.data.takeRows(x, Int32Array.from({ length: 10 }, (_, i) => i)), lw.data.takeRows(y, Int32Array.from({ length: 10 }, (_, i) => i))) as number[];
    const cv = await crossValidate(() => classifier(), x, y, { folds: 4, epochs: 2, seed: 3, shuffle: false });
    expect(cv.folds[0].metrics.val_loss).toBeCloseTo(loss, 6);
  });

  it('rejects what cannot work', async () => {
    const { x, y } = sumData(10);
    await expect(crossValidate(() => classifier(), x, lw.data.takeRows(y, [0, 1, 2]), { folds: 2 })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    await expect(crossValidate(() => classifier(), x, y, { folds: 11 })).rejects.toMatchObject({ code: 'EMPTY_DATA' });
    const uncompiled = () => lw.sequential([lw.layers.lstm({ units: 2, inputShape: [6, 1] }), lw.layers.dense({ units: 1 })]);
    await expect(crossValidate(uncompiled, x, y, { folds: 2 })).rejects.toMatchObject({ code: 'NOT_READY' });
    await expect(crossValidate(null as never, x, y)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

describe('gridSearch', () => {
  it('gridPoints: every combination, the first key slowest; metricMode', () => {
    expect(gridPoints({ cell: ['lstm', 'gru'], units: [8, 16, 32] })).toEqual([
      { cell: 'lstm', units: 8 }, { cell: 'lstm', units: 16 }, { cell: 'lstm', units: 32 },
      { cell: 'gru', units: 8 }, { cell: 'gru', units: 16 }, { cell: 'gru', units: 32 },
    ]);
    expect(() => gridPoints({ units: [] })).toThrow(/grid\.units must be a non-empty list/);
    expect(() => gridPoints({})).toThrow(/no parameters/);
    expect(metricMode('val_acc')).toBe('max');
    expect(metricMode('val_loss')).toBe('min');
    expect(metricMode('val_mae')).toBe('min');
  });

  it('ranks the grid by the mean held-out metric and retrains the best point on all the data', async () => {
    const { x, y } = sumData(80);
    const built: { lr: number; units: number; fold: number }[] = [];
    const progress: number[] = [];
    // a learning rate of 0 never learns: it must rank below every point that does
    const search = await gridSearch({
      grid: { lr: [0, 0.05], units: [2, 6] }, x, y, folds: 2, epochs: 5, batchSize: 16, seed: 9, metric: 'val_loss',
      build: ({ lr, units }, { fold }) => {
        built.push({ lr, units, fold });
        return classifier(units, lr);
      },
      onResult: (_r, i, total) => void progress.push(i * 10 + total),
    });
    expect(progress).toEqual([4, 14, 24, 34]);
    expect(search.metric).toBe('val_loss');
    expect(search.mode).toBe('min');
    expect(search.results.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
    for (let i = 1; i < 4; i++) expect(search.results[i].score).toBeGreaterThanOrEqual(search.results[i - 1].score);
    for (const r of search.results) {
      expect(r.score).toBe(r.mean.val_loss);
      expect(r.scoreStd).toBe(r.std.val_loss);
      expect(r.folds).toHaveLength(2);
    }
    expect(search.results.slice(2).map((r) => r.params.lr)).toEqual([0, 0]);
    expect(search.best).toBe(search.results[0]);
    expect(search.best.params.lr).toBe(0.05);
    // 4 points × 2 folds, then the refit (fold -1) of the best point
    expect(built).toHaveLength(9);
    expect(built[8]).toEqual({ ...search.best.params, fold: -1 });
    // the refit saw all 80 rows for the same epochs and is a model of the best point's size
    expect(search.refitHistory!.loss).toHaveLength(5);
    const best = search.bestModel!;
    expect(best.countParams()).toBe(search.best.paramCount);
    const [loss] = best.evaluate(x, y) as number[];
    expect(loss).toBeLessThan(search.results[3].score);
    // the leaderboard lists the points best first
    const table = formatLeaderboard(search).split('\n');
    expect(table[0]).toMatch(/^rank +lr +units +val_loss \(mean ± std\) +params +time$/);
    expect(table[1]).toMatch(new RegExp(`^ +1 +0\\.05 +${search.best.params.units} +${search.best.score.toFixed(4)} ± ${search.best.scoreStd.toFixed(4)} `));
    expect(table).toHaveLength(6);
    expect(table[5]).toBe('(2-fold cross-validation; lower val_loss is better)');
  });

  it('defaults: ranks by val_acc when the models report accuracy (higher is better); refit: false', async () => {
    const { x, y } = sumData(30);
    const search = await gridSearch({ grid: { units: [2, 3] }, x, y, folds: 2, epochs: 1, seed: 1, refit: false, build: ({ units }) => classifier(units) });
    expect(search.metric).toBe('val_acc');
    expect(search.mode).toBe('max');
    expect(search.results[0].score).toBeGreaterThanOrEqual(search.results[1].score);
    expect(search.bestModel).toBeUndefined();
    await expect(gridSearch({ grid: { units: [2] }, x, y, folds: 2, metric: 'val_f1', build: () => classifier() })).rejects.toThrow(/metric "val_f1" is not among the held-out metrics val_loss, val_acc/);
  });
});

// examples/model-selection at a tiny size: every configuration cross-validated, the leaderboard ranked,
// and the best one retrained and scored on held-out e-mails.
import { it, expect } from 'vitest';
import { runModelSelection } from '../../examples/model-selection/main.js';

it('cross-validates the grid on spam e-mails, ranks it, and tests the retrained best model', async () => {
  const lines: string[] = [];
  const r = await runModelSelection({ limit: 300, cells: ['lstm', 'gru', 'simpleRNN'], units: [4, 8], folds: 2, epochs: 2, maxLen: 20, vocab: 2000, log: (l) => lines.push(l) });
  expect(r.trainSize).toBe(240);
  expect(r.testSize).toBe(60);
  const results = r.search.results;
  expect(results).toHaveLength(6);
  expect(new Set(results.map((x) => `${x.params.cell}/${x.params.units}`)).size).toBe(6);
  for (let i = 1; i < results.length; i++) expect(results[i].score).toBeLessThanOrEqual(results[i - 1].score);
  for (const x of results) {
    expect(x.folds.map((f) => f.testSize)).toEqual([120, 120]);
    expect(x.score).toBeCloseTo((x.folds[0].metrics.val_acc + x.folds[1].metrics.val_acc) / 2, 12);
  }
  // the leaderboard: a header, one row per configuration best first, the footnote
  const rows = r.leaderboard.split('\n');
  expect(rows).toHaveLength(8);
  expect(rows[1]).toMatch(new RegExp(`^ +1 +${results[0].params.cell} +${results[0].params.units} +${results[0].score.toFixed(4)} ± `));
  expect(lines.filter((l) => /^\[\d\/6\] (lstm|gru|simpleRNN) \d units: val_acc /.test(l))).toHaveLength(6);
  // the retrained best model on the 60 e-mails no fold saw
  expect(r.test.support).toBe(60);
  const [[tn, fp], [fn, tp]] = r.test.confusion;
  expect(tn + fp + fn + tp).toBe(60);
  expect(r.test.accuracy).toBeGreaterThan(0.5);
  expect(lines.at(-2)).toMatch(new RegExp(`^best: ${results[0].params.cell} with ${results[0].params.units} units, retrained on all 240 training e-mails: test accuracy`));
}, 60_000);

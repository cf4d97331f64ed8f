// examples/custom-cell at a reduced budget: the hand-written peephole LSTM learns the adding
// problem well beyond the constant answer, and the saved model (a registered cell) loads the same.
import { expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import { addingProblem, runCustomCell } from '../../examples/custom-cell/main.js';

it('the adding problem: targets are the sums of the two marked values', () => {
  const { x, y } = addingProblem(50, 10, new lw.Random(1));
  const xv = x.dataSync();
  for (let s = 0; s < 50; s++) {
    let sum = 0;
    let marks = 0;
    for (let t = 0; t < 10; t++) {
      if (xv[(s * 10 + t) * 2 + 1] === 1) {
        sum += xv[(s * 10 + t) * 2];
        marks++;
      }
    }
    expect(marks).toBe(2);
    expect(y.dataSync()[s]).toBeCloseTo(sum, 6);
  }
});

it('a peephole LSTM cell learns it and saves', async () => {
  const lines: string[] = [];
  const r = await runCustomCell({ samples: 1000, epochs: 12, steps: 12, verbose: 0, log: (l) => lines.push(l) });
  expect(r.baselineMse).toBeGreaterThan(0.1);
  expect(r.testMse).toBeLessThan(r.baselineMse * 0.3);
  expect(r.reloadedDifference).toBeLessThan(1e-6);
  expect(lines.some((l) => /^held-out mean squared error/.test(l))).toBe(true);
}, 120_000);

// Runs the README's API tour (examples/api-tour.ts) and checks what each part produced.
import { it, expect } from 'vitest';
import { apiTour } from '../../examples/api-tour.js';

it('the README API tour runs and each feature group does what it says', async () => {
  const lines: unknown[][] = [];
  const r = await apiTour((...a) => lines.push(a));
  expect(r.backend).toBe('simd');
  const loss = (r.history as { loss: number[] }).loss;
  expect(loss[loss.length - 1]).toBeLessThan(loss[0]);
  expect((r.multiLoss as number[]).length).toBe(5);
  expect(r.same).toBe(true);
  expect(r.prod).toEqual([[17, 23], [39, 53]]);
  expect(r.bce).toBeCloseTo(Math.log(2), 6);
  expect(r.code).toBe('SHAPE_MISMATCH');
  expect(lines.some((l) => String(l[0]).includes('Total params'))).toBe(true);
});

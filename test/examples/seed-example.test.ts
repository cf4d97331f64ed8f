// The seed article's model on real SpamAssassin e-mails, at a small size (the full run is `npm start`).
import { it, expect } from 'vitest';
import { runSeedExample } from '../../examples/seed-example.js';

it('the seed model learns to tell spam from ham on held-out e-mails', async () => {
  const r = await runSeedExample({ epochs: 2, limit: 1500, verbose: 0 });
  expect(r.samples).toEqual({ train: 1200, test: 300 });
  expect(r.history.loss[1]).toBeLessThan(r.history.loss[0]);
  // a third of the corpus is spam: 0.67 is what always answering "ham" scores
  expect(r.testAccuracy).toBeGreaterThan(0.85);
}, 120_000);

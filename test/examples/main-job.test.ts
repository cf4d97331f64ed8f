// The main job at a small size: it trains, reports, and writes a loadable model, tokenizer and plot.
import { it, expect } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { runMainJob } from '../../examples/text-classification/main.js';

it('npm start at small size: held-out report, model, tokenizer and plot in the run folder', async () => {
  const out = mkdtempSync(join(tmpdir(), 'lw-run-'));
  const lines: string[] = [];
  const r = await runMainJob({ limit: 1000, epochs: 2, out, verbose: 0, log: (l) => lines.push(l) });
  expect(r.report.support).toBe(200);
  expect(r.report.accuracy).toBeGreaterThan(0.8);
  const [[tn, fp], [fn, tp]] = r.report.confusion;
  expect(tn + fp + fn + tp).toBe(200);
  expect(r.history.val_loss).toHaveLength(2);
  expect(lines.some((l) => /^test accuracy .* precision .* recall/.test(l))).toBe(true);
  for (const f of ['model/model.json', 'model/weights.bin', 'tokenizer.json', 'metrics.json', 'training.svg', 'training.png']) {
    expect(existsSync(join(out, f)), f).toBe(true);
  }
  expect(readFileSync(join(out, 'training.svg'), 'utf8')).toMatch(/<polyline[^>]+points="[\d.,\s]+"/);
  // the saved model and tokenizer reproduce the job's predictions
  const model = await lw.loadModel(`file://${join(out, 'model', 'model.json')}`);
  const tok = lw.data.Tokenizer.fromJSON(JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')));
  const x = lw.data.padSequences(tok.textsToSequences(['Subject: cheap meds\nclick here to buy now']), { maxLen: 50 });
  const p = (model.predict(x) as lw.Tensor).dataSync()[0];
  expect(p).toBeGreaterThanOrEqual(0);
  expect(p).toBeLessThanOrEqual(1);
}, 120_000);

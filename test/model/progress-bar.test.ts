import { describe, it, expect } from 'vitest';
import * as lw from '../../ts/index.js';

async function trainWith(stream: lw.callbacks.ProgressStream, mode?: 'auto' | 'lines') {
  await lw.ready();
  lw.setSeed(3);
  const model = lw.sequential([lw.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const x = lw.tensor(Array.from({ length: 40 }, (_, i) => [i % 2, (i >> 1) % 2]));
  const y = lw.tensor(Array.from({ length: 40 }, (_, i) => [i % 2]));
  await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, validationSplit: 0.2, callbacks: [lw.callbacks.progressBar({ stream, mode, interval: 0 })] });
}

describe('progress bar', () => {
  it('writes one line per epoch with metrics and speed when the stream is not a terminal', async () => {
    let out = '';
    await trainWith({ write: (s: string) => (out += s), isTTY: false });
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Epoch 1\/2 .*samples\/s {2}loss \d\.\d{4} {2}acc \d\.\d{4} {2}val_loss \d\.\d{4} {2}val_acc/);
    expect(out).not.toMatch(/\r/);
  });

  it('draws a live bar with batch, ETA and samples/s on a terminal', async () => {
    let out = '';
    await trainWith({ write: (s: string) => (out += s), isTTY: true, columns: 200 });
    expect(out).toMatch(/\rEpoch 1\/2 \[[=>.]{24}\] 1\/4 {2}loss .* samples\/s {2}ETA /);
    expect(out).toMatch(/\] 4\/4 /);
    expect(out.split('\n').filter(Boolean)).toHaveLength(2);
  });
});

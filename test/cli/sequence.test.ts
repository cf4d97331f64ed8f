// The built CLI on sequence tasks: forecast (CSV column, .txt of numbers, --horizon) and language models
// (characters and words): train → evaluate → predict / generate.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { unigramEntropy } from '../../ts/text/index.js';
import { cli, prepareCliTests, readJson, sineSeries, writeCsv, writeText } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await prepareCliTests();
}, 120_000);

describe('forecast', () => {
  const series = sineSeries(360);
  let out: string;
  let data: string;
  it('train on the numeric column of a CSV: windows of --window steps, scaler saved beside the model', async () => {
    data = writeCsv(dir, 'series.csv', ['date', 'value'], series.map((v, t) => [`day ${t}`, v]));
    out = join(dir, 'forecast');
    const r = await cli('train', '--data', data, '--task', 'forecast', '--window', '12', '--epochs', '12', '--units', '16', '--learning-rate', '0.01', '--out', out, '--json', '--quiet');
    expect(r.stderr).toMatch(/^forecast: column "value" of .*, 360 steps → 348 windows of 12 steps predicting 1 step/);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(Object.keys(j.history as object).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    expect((j.history as Record<string, number[]>).val_loss).toHaveLength(12);
    // a standardised sine: predicting the mean scores about 1; the model learns the cycle
    expect((j.metrics as Record<string, number>).val_loss).toBeLessThan(0.3);
    const prep = readJson(join(out, 'preprocessing.json'));
    expect(prep).toMatchObject({ task: 'forecast', column: 'value', window: 12, horizon: 1 });
    // the scaler is fitted on the training steps only, in float64
    const scaler = lw.data.StandardScaler.fromJSON(prep.scaler);
    const train = series.slice(0, 360 - Math.floor(349 * 0.1));
    expect(scaler.mean![0]).toBeCloseTo(train.reduce((a, b) => a + b, 0) / train.length, 3);
  });

  it('predict: the next value from the last window, scaled back, as the reloaded model gives it', async () => {
    const r = await cli('predict', '--model', out, '--data', data);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    const prep = readJson(join(out, 'preprocessing.json'));
    const scaler = lw.data.StandardScaler.fromJSON(prep.scaler);
    const model = await lw.loadModel(`file://${join(out, 'model.json')}`);
    const last = scaler.transform(series.slice(-12)).dataSync();
    const p = (model.predict(lw.tensor(Float32Array.from(last), [1, 12, 1])) as lw.Tensor).dataSync()[0];
    expect(Number(r.lines[0])).toBeCloseTo(p * scaler.scale![0] + scaler.mean![0], 3);
    // the next value of the cycle (t = 360) within the noise and a little model error
    expect(Math.abs(Number(r.lines[0]) - (20 + 5 * Math.sin((2 * Math.PI * 360) / 12)))).toBeLessThan(2);
    // numbers on the command line: the same window gives the same forecast
    const args = await cli('predict', '--model', out, ...series.slice(-12).map(String));
    expect(args.lines).toEqual(r.lines);
  });

  it('evaluate: errors in the series units as well as standardised', async () => {
    const r = await cli('evaluate', '--model', out, '--data', data, '--json');
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.samples).toBe(348);
    const m = j.metrics as Record<string, number>;
    const std = lw.data.StandardScaler.fromJSON(readJson(join(out, 'preprocessing.json')).scaler).scale![0];
    expect(m.mae_original_units).toBeCloseTo(m.mae * std, 4);
    expect(m.rmse_original_units).toBeGreaterThanOrEqual(m.mae_original_units);
  });

  it('a .txt of numbers with --horizon 3: three values per forecast', async () => {
    const txt = writeText(dir, 'numbers.txt', series.slice(0, 200).join(', '));
    const o = join(dir, 'forecast-h3');
    const r = await cli('train', '--data', txt, '--task', 'forecast', '--window', '8', '--horizon', '3', '--epochs', '2', '--units', '8', '--out', o, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/200 steps → 190 windows of 8 steps predicting 3 steps/);
    const p = await cli('predict', '--model', o, '--json', ...series.slice(0, 8).map(String));
    const values = (p.json().predictions as { values: number[] }[])[0].values;
    expect(values).toHaveLength(3);
    for (const v of values) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('language model', () => {
  const text = 'the cat sat on the mat. the dog ate the bone. a cat and a dog. '.repeat(40);
  let out: string;
  it('train on a .txt at character level: bits per character below the text\'s unigram entropy', async () => {
    const data = writeText(dir, 'corpus.txt', text);
    out = join(dir, 'char-lm');
    const r = await cli('train', '--data', data, '--task', 'language-model', '--max-len', '16', '--stride', '1', '--units', '32', '--epochs', '6', '--learning-rate', '0.01', '--out', out, '--json', '--quiet');
    expect(r.code).toBe(0);
    const m = r.json().metrics as Record<string, number>;
    expect(m.val_bits_per_char).toBeCloseTo(m.val_loss / Math.LN2, 10);
    const ids = [...text].map((c) => c.charCodeAt(0));
    expect(m.val_bits_per_char).toBeLessThan(unigramEntropy(ids));
    const prep = readJson(join(out, 'preprocessing.json'));
    expect(prep).toMatchObject({ task: 'language-model', level: 'char', maxLen: 16 });
    // every distinct character of the text, case kept
    expect(Object.keys(prep.tokenizer.config.word_index).sort()).toEqual([...new Set(text)].sort());
  });

  it('generate: the seed text then --length characters the model knows; temperature 0 is repeatable', async () => {
    const r = await cli('generate', '--model', out, '--seed-text', 'the cat', '--length', '40', '--temperature', '0.8', '--seed', '1', '--json');
    expect(r.code).toBe(0);
    const j = r.json();
    const gen = j.text as string;
    expect([...gen]).toHaveLength(40);
    for (const c of gen) expect(text.includes(c), JSON.stringify(c)).toBe(true);
    const plain = await cli('generate', '--model', out, '--seed-text', 'the cat', '--length', '40', '--temperature', '0.8', '--seed', '1');
    expect(plain.stdout).toBe(`the cat${gen}\n`);
    const a = await cli('generate', '--model', out, '--seed-text', 'the d', '--length', '30', '--temperature', '0', '--seed', '1');
    const b = await cli('generate', '--model', out, '--seed-text', 'the d', '--length', '30', '--temperature', '0', '--seed', '2');
    expect(a.stdout).toBe(b.stdout);
    // greedy continuation of a well-learned text reproduces it
    expect(a.stdout).toMatch(/^the dog/);
  });

  it('evaluate and predict: bits per character on a text, the most likely next character', async () => {
    const data = writeText(dir, 'held-out.txt', 'the cat sat on the mat. the dog ate the bone.');
    const e = await cli('evaluate', '--model', out, '--data', data, '--json');
    expect(e.code).toBe(0);
    const m = e.json().metrics as Record<string, number>;
    expect(m.bits_per_char).toBeCloseTo(m.loss / Math.LN2, 10);
    const p = await cli('predict', '--model', out, 'the do', 'the bon');
    expect(p.lines.map((l) => JSON.parse(l.split('\t')[0]))).toEqual(['g', 'e']);
  });

  it('--level word: word tokens, perplexity, words generated', async () => {
    const data = writeText(dir, 'words.txt', text);
    const o = join(dir, 'word-lm');
    const r = await cli('train', '--data', data, '--task', 'language-model', '--level', 'word', '--max-len', '4', '--units', '16', '--epochs', '2', '--out', o, '--json', '--quiet');
    expect(r.code).toBe(0);
    const m = r.json().metrics as Record<string, number>;
    expect(m.val_perplexity).toBeCloseTo(Math.exp(m.val_loss), 8);
    const g = await cli('generate', '--model', o, '--seed-text', 'the cat', '--length', '7', '--seed', '3', '--json');
    const words = (g.json().text as string).split(' ');
    expect(words).toHaveLength(7);
    const vocab = new Set(text.replace(/\./g, '').split(/\s+/));
    for (const w of words) expect(vocab.has(w), w).toBe(true);
  });
});

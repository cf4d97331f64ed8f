// The built CLI on text tasks: train (binary CSV, multiclass JSONL, regression TSV) → evaluate → predict,
// with the run folder reloaded in-process to check that preprocessing.json reproduces the CLI's numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { cli, prepareCliTests, readJson, reviews, writeCsv, writeJsonl } from '../helpers/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await prepareCliTests();
}, 120_000);

/** The model and preprocessing of a run folder, loaded with the library. */
async function loadRun(out: string) {
  const prep = readJson(join(out, 'preprocessing.json'));
  const model = await lw.loadModel(`file://${join(out, 'model.json')}`);
  const tok = lw.data.Tokenizer.fromJSON(prep.tokenizer);
  const encode = (texts: string[]) => lw.data.padSequences(tok.textsToSequences(texts), { maxLen: prep.maxLen });
  return { prep, model, encode };
}

describe('binary classification from a CSV', () => {
  let out: string;
  let data: string;
  it('train --json: one JSON line last with Keras history names; model, preprocessing, metrics and plot saved', async () => {
    data = writeCsv(dir, 'reviews.csv', ['text', 'label'], reviews(240));
    out = join(dir, 'binary');
    const r = await cli('train', '--data', data, '--task', 'binary', '--epochs', '8', '--units', '16', '--learning-rate', '0.01', '--out', out, '--json');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    // --json: stdout is exactly the JSON object
    expect(r.lines).toHaveLength(1);
    const j = r.json();
    expect(j.command).toBe('train');
    const history = j.history as Record<string, number[]>;
    expect(Object.keys(history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    for (const v of Object.values(history)) expect(v).toHaveLength(8);
    const metrics = j.metrics as Record<string, number>;
    expect(metrics.loss).toBe(history.loss[7]);
    expect(metrics.val_acc).toBeGreaterThanOrEqual(0.9);
    expect(history.loss[7]).toBeLessThan(history.loss[0]);
    // progress (not --quiet) goes to stderr, one line per epoch when not a terminal
    expect(r.stderr.match(/^Epoch \d+\/8/gm)).toHaveLength(8);
    for (const f of ['model.json', 'weights.bin', 'preprocessing.json', 'metrics.json', 'training.svg']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, 'training.svg'), 'utf8')).toMatch(/<polyline[^>]+points="[\d.,\s]+"/);
    const prep = readJson(join(out, 'preprocessing.json'));
    expect(prep).toMatchObject({ task: 'binary', labels: ['negative', 'positive'], textColumn: 'text', labelColumn: 'label' });
    expect(prep.maxLen).toBeGreaterThanOrEqual(4);
    expect(prep.maxLen).toBeLessThanOrEqual(8);
    expect(readJson(join(out, 'metrics.json')).history.loss).toEqual(history.loss);
  });

  it('without --json: readable lines on stdout, no JSON; --cell gru --layers 2 --bidirectional', async () => {
    const o = join(dir, 'binary-plain');
    const r = await cli('train', '--data', data, '--task', 'binary', '--epochs', '1', '--units', '4', '--cell', 'gru', '--layers', '2', '--bidirectional', '--out', o, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^binary: 240 rows of "text" → "label"; 2 labels: negative 50%, positive 50%/m);
    expect(r.stdout).toMatch(/^model: gru 4 units × 2 layers, bidirectional, /m);
    expect(r.stdout).toMatch(/^ {2}val_acc +\d\.\d{4}$/m);
    expect(() => JSON.parse(r.lines.at(-1)!)).toThrow();
    const layers = readJson(join(o, 'model.json')).modelTopology.config.layers as { class_name: string; config: { layer?: { class_name: string; config: { return_sequences: boolean } } } }[];
    const wrapped = layers.filter((l) => l.class_name === 'Bidirectional').map((l) => l.config.layer!);
    expect(wrapped.map((l) => l.class_name)).toEqual(['GRU', 'GRU']);
    expect(wrapped.map((l) => l.config.return_sequences)).toEqual([true, false]);
  });

  it('evaluate: loss and accuracy as the library computes them, plus precision / recall / F1', async () => {
    const r = await cli('evaluate', '--model', out, '--data', data, '--json');
    expect(r.code).toBe(0);
    const m = r.json().metrics as Record<string, number>;
    const { model, encode } = await loadRun(out);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const rows = reviews(240);
    const [loss, acc] = model.evaluate(encode(rows.map((x) => x[0])), lw.tensor(rows.map((x) => [x[1] === 'positive' ? 1 : 0]))) as number[];
    expect(m.loss).toBeCloseTo(loss, 5);
    expect(m.acc).toBeCloseTo(acc, 6);
    expect(m.acc).toBeGreaterThanOrEqual(0.9);
    for (const k of ['precision', 'recall', 'f1']) expect(m[k]).toBeGreaterThan(0.8);
  });

  it('predict: "label<TAB>probability" per text, equal to the reloaded model; --json gives the same', async () => {
    const texts = ['what a great wonderful film', 'awful boring plot', 'the movie'];
    const r = await cli('predict', '--model', out, ...texts);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(3);
    const { model, encode } = await loadRun(out);
    const p = (model.predict(encode(texts)) as lw.Tensor).dataSync();
    r.lines.forEach((line, i) => {
      const [label, prob] = line.split('\t');
      expect(label).toBe(p[i] > 0.5 ? 'positive' : 'negative');
      expect(Number(prob)).toBeCloseTo(p[i] > 0.5 ? p[i] : 1 - p[i], 4);
    });
    expect(r.lines[0].split('\t')[0]).toBe('positive');
    expect(r.lines[1].split('\t')[0]).toBe('negative');
    const j = await cli('predict', '--model', out, '--json', ...texts);
    const preds = j.json().predictions as { label: string; probability: number }[];
    expect(preds.map((q) => `${q.label}\t${q.probability.toFixed(4)}`)).toEqual(r.lines);
  });

  it('predict --data: a .txt (one text per line) and a CSV text column', async () => {
    const txt = join(dir, 'to-predict.txt');
    writeFileSync(txt, 'great love\n\nterrible sad\n');
    const a = await cli('predict', '--model', out, '--data', txt);
    expect(a.code).toBe(0);
    expect(a.lines.map((l) => l.split('\t')[0])).toEqual(['positive', 'negative']);
    const b = await cli('predict', '--model', out, '--data', data);
    expect(b.lines).toHaveLength(240);
  });
});

describe('multiclass from JSON Lines with other column names', () => {
  const topics: Record<string, string[]> = { sport: ['goal', 'team', 'match', 'score'], food: ['pizza', 'bread', 'cheese', 'soup'], tech: ['code', 'chip', 'cloud', 'data'] };
  it('train → predict: labels sorted, argmax label with its probability', async () => {
    const rng = new lw.Random(3);
    const rows = Array.from({ length: 180 }, (_, i) => {
      const topic = Object.keys(topics)[i % 3];
      const words = [topics[topic][rng.int(4)], topics[topic][rng.int(4)], 'the', 'a', 'of'];
      rng.shuffle(words);
      return { sentence: words.join(' '), topic, id: i };
    });
    const data = writeJsonl(dir, 'topics.jsonl', rows);
    const out = join(dir, 'multiclass');
    const r = await cli('train', '--data', data, '--task', 'multiclass', '--text-column', 'sentence', '--label-column', 'topic', '--epochs', '10', '--units', '16', '--learning-rate', '0.02', '--out', out, '--json', '--quiet');
    expect(r.code).toBe(0);
    expect((r.json().metrics as Record<string, number>).val_acc).toBeGreaterThanOrEqual(0.9);
    const { prep, model, encode } = await loadRun(out);
    expect(prep.labels).toEqual(['food', 'sport', 'tech']);
    expect(model.outputShape).toEqual([null, 3]);
    const texts = ['pizza and cheese', 'team goal', 'cloud data code'];
    const p = await cli('predict', '--model', out, '--json', ...texts);
    const preds = p.json().predictions as { label: string; probability: number }[];
    expect(preds.map((q) => q.label)).toEqual(['food', 'sport', 'tech']);
    const probs = (model.predict(encode(texts)) as lw.Tensor).dataSync();
    preds.forEach((q, i) => expect(q.probability).toBeCloseTo(Math.max(...probs.slice(i * 3, i * 3 + 3)), 5));
  });
});

describe('regression from a TSV', () => {
  it('train → evaluate → predict: targets standardised for training, predictions in the original units', async () => {
    const rng = new lw.Random(4);
    const rows: (string | number)[][] = Array.from({ length: 200 }, () => {
      const k = 1 + rng.int(5);
      return [`${'big '.repeat(k)}house`, Number((k * 100 + rng.normal() * 5).toFixed(2))];
    });
    const data = join(dir, 'prices.tsv');
    writeFileSync(data, ['description\tprice', ...rows.map((r) => r.join('\t'))].join('\n'));
    const out = join(dir, 'regression');
    const r = await cli('train', '--data', data, '--task', 'regression', '--epochs', '15', '--units', '16', '--learning-rate', '0.01', '--out', out, '--json', '--quiet');
    expect(r.code).toBe(0);
    expect(Object.keys(r.json().history as object).sort()).toEqual(['loss', 'mae', 'val_loss', 'val_mae']);
    const { prep, model, encode } = await loadRun(out);
    const scaler = lw.data.StandardScaler.fromJSON(prep.targetScaler);
    expect(scaler.mean![0]).toBeGreaterThan(150);
    const e = await cli('evaluate', '--model', out, '--data', data, '--json');
    const m = e.json().metrics as Record<string, number>;
    // the error in prices is the standardised error times the target's std
    expect(m.mae_original_units).toBeCloseTo(m.mae * scaler.scale![0], 0);
    expect(m.mae_original_units).toBeLessThan(60);
    const p = await cli('predict', '--model', out, 'big house', 'big big big big big house');
    const values = p.lines.map(Number);
    const raw = (model.predict(encode(['big house', 'big big big big big house'])) as lw.Tensor).dataSync();
    values.forEach((v, i) => expect(v).toBeCloseTo(raw[i] * scaler.scale![0] + scaler.mean![0], 2));
    expect(values[1]).toBeGreaterThan(values[0] + 150);
  });
});

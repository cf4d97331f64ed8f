// The run-model page (examples/browser/run-model.html) in a real Chromium: a person drops a saved
// model (and its tokenizer), types an input and sees predictions made in the page's module worker,
// which must be the ones the same files give in Node. Bad input shows its error; the page goes on.
// Needs Debian's Chromium at /usr/bin/chromium (test/global-setup.ts installs it, or skips the test).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Page } from 'playwright-core';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import type { LayersModel } from '../../ts/model/model.js';
import { ROOT } from '../helpers/built-package.js';
import { itInChromium, chromiumSessionForFile } from '../helpers/chromium.js';
import { EXAMPLE_PATH } from '../helpers/static-server.js';

const PAGE = `${EXAMPLE_PATH}run-model.html`;
const STEPS = 6;
const TEXTS = ['the cat sat on the mat', 'a dog ran in the park', 'the bird sang a song', 'cats and dogs play in the sun'];
const LABELS = [0, 1, 2, 1];
/** Typed on the page: two samples, one shorter than STEPS with words the tokenizer never saw, one longer. */
const TYPED = 'a dog saw the zebra\nthe cat and the bird sang a song in the park';

/** The Keras fixtures the page is given: a Keras 3 zip (Embedding with mask_zero, Bidirectional) and a Keras 2.1 HDF5 file. */
const KERAS_DIR = join(ROOT, 'test/fixtures/keras');
const KERAS_FIXTURES = ['k3_functional_embedding_bilstm.keras', 'k2_1_6_sequential_embedding_lstm.h5', '../onnx/torch/embedding_lstm.onnx'];

/** What examples/browser/run-model.js publishes as window.__runModel. */
interface PageState {
  backend: string | null;
  inWorker: boolean | null;
  replies: number;
  model: { name: string; summary: string; inputs: { name: string; shape: (number | null)[] }[] } | null;
  tokenizer: { words: number } | null;
  prediction: { inputShape: number[]; ids: number[][] | null; outputs: { name: string; shape: number[]; values: number[] }[] } | null;
  error: { message: string; code: string | null } | null;
}

const session = chromiumSessionForFile();
let dir = '';
let files: { json: string; weights: string; tokenizer: string; shardA: string; shardB: string; shardedJson: string };
/** The saved model as Node loads it from the same files, and the tokenizer as the page gets it. */
let saved: LayersModel;
let tokenizer: lw.data.Tokenizer;

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
  dir = await mkdtemp(join(tmpdir(), 'lw-run-model-'));
  lw.setSeed(5);
  const fitted = new lw.data.Tokenizer({ oovToken: '<unk>' });
  fitted.fitOnTexts(TEXTS);
  const model = lw.sequential([
    lw.layers.embedding({ inputDim: fitted.wordIndex.size + 1, outputDim: 8, inputLength: STEPS }),
    lw.layers.lstm({ units: 8 }),
    lw.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(lw.data.padSequences(fitted.textsToSequences(TEXTS), { maxLen: STEPS }), lw.tensor(LABELS, [4, 1]), { epochs: 5, verbose: 0 });
  await model.save(`file://${dir}`);
  files = {
    json: join(dir, 'model.json'), weights: join(dir, 'weights.bin'), tokenizer: join(dir, 'tokenizer.json'),
    shardA: join(dir, 'sharded/group1-shard1of2.bin'), shardB: join(dir, 'sharded/group1-shard2of2.bin'), shardedJson: join(dir, 'sharded/model.json'),
  };
  await writeFile(files.tokenizer, JSON.stringify(fitted.toJSON()));

  // The same weights in two files, as the TF.js converter shards them: model.json lists both.
  await mkdir(join(dir, 'sharded'));
  const bytes = await readFile(files.weights);
  const cut = 4 * Math.floor(bytes.length / 8);
  await writeFile(files.shardA, bytes.subarray(0, cut));
  await writeFile(files.shardB, bytes.subarray(cut));
  const json = JSON.parse(await readFile(files.json, 'utf8'));
  json.weightsManifest[0].paths = ['group1-shard1of2.bin', 'group1-shard2of2.bin'];
  await writeFile(files.shardedJson, JSON.stringify(json));

  saved = await lw.loadModel(`file://${files.json}`);
  tokenizer = lw.data.Tokenizer.fromJSON(JSON.parse(await readFile(files.tokenizer, 'utf8')));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `action` and waits for the worker's reply to it; returns the page's state then. */
async function act(page: Page, action: () => Promise<unknown>): Promise<PageState> {
  const before = await page.evaluate(() => (window as unknown as { __runModel: PageState }).__runModel.replies);
  await action();
  await page.waitForFunction((n) => (window as unknown as { __runModel: PageState }).__runModel.replies > n, before, { timeout: 30_000 });
  return page.evaluate(() => (window as unknown as { __runModel: PageState }).__runModel);
}

async function openRunModel(): Promise<{ page: Page; problems: string[] }> {
  const opened = await session().openPage(PAGE, { failedRequests: true });
  await opened.page.waitForFunction(() => (window as unknown as { __runModel?: PageState }).__runModel?.backend != null, null, { timeout: 30_000 });
  return opened;
}

const drop = (page: Page, paths: string[]) => act(page, () => page.setInputFiles('#files', paths));

function predictOnPage(page: Page, mode: 'text' | 'numbers', text: string): Promise<PageState> {
  return act(page, async () => {
    await page.check(`input[name="mode"][value="${mode}"]`);
    await page.fill('#input', text);
    await page.click('#predict');
  });
}

/** The predictions as the page shows them: one array per output, one line per sample. */
async function shownOutputs(page: Page): Promise<number[][]> {
  const texts = await page.$$eval('.output pre.values', (pres) => pres.map((p) => p.textContent ?? ''));
  return texts.map((t) => t.split('\n').flatMap((line) => (JSON.parse(line) as number[]).flat(Infinity as 1)));
}

/** Shown to 6 significant digits, published in full: both the values Node predicts. */
async function expectPredictions(page: Page, state: PageState, model: LayersModel, x: lw.Tensor): Promise<void> {
  expect(state.error).toBeNull();
  const out = model.predict(x);
  const expected = (Array.isArray(out) ? out : [out]).map((t) => Array.from(t.dataSync()));
  expect(state.prediction!.outputs.map((o) => o.shape)).toEqual((Array.isArray(out) ? out : [out]).map((t) => [...t.shape]));
  const shown = await shownOutputs(page);
  expect(shown.length).toBe(expected.length);
  expected.forEach((values, o) => {
    expect(shown[o].length).toBe(values.length);
    const scale = Math.max(1, ...values.map(Math.abs));
    values.forEach((v, i) => {
      expect(Math.abs(shown[o][i] - v), `output ${o} value ${i} as shown`).toBeLessThanOrEqual(5e-6 * scale);
      expect(Math.abs(state.prediction!.outputs[o].values[i] - v), `output ${o} value ${i}`).toBeLessThanOrEqual(1e-6 * scale);
    });
  });
}

describe('examples/browser/run-model.html in Chromium', () => {
  itInChromium('a TF.js model.json + weights + tokenizer dropped together: the summary, then typed text predicts as in Node', async () => {
    const { page, problems } = await openRunModel();
    const loaded = await drop(page, [files.json, files.weights, files.tokenizer]);
    expect(loaded.error).toBeNull();
    expect(loaded.inWorker).toBe(true);
    expect(loaded.backend).toBe('simd');
    expect(loaded.model!.summary).toBe(saved.summary(80, () => {}));
    expect(await page.textContent('#summary')).toBe(saved.summary(80, () => {}));
    expect(loaded.model!.inputs[0].shape).toEqual([null, STEPS]);
    expect(loaded.tokenizer!.words).toBe(tokenizer.wordIndex.size);

    const state = await predictOnPage(page, 'text', TYPED);
    const x = lw.data.padSequences(tokenizer.textsToSequences(TYPED.split('\n')), { maxLen: STEPS });
    const ids = Array.from(x.dataSync());
    expect(state.prediction!.ids).toEqual([ids.slice(0, STEPS), ids.slice(STEPS)]);
    expect(ids).toContain(tokenizer.wordIndex.get('<unk>')); // "zebra": the tokenizer's own OOV id
    await expectPredictions(page, state, saved, x);

    // Padded and cut at the end, as a model trained with padding: 'post' wants.
    await page.selectOption('#padding', 'post');
    await page.selectOption('#truncating', 'post');
    const atEnd = await predictOnPage(page, 'text', TYPED);
    const xAtEnd = lw.data.padSequences(tokenizer.textsToSequences(TYPED.split('\n')), { maxLen: STEPS, padding: 'post', truncating: 'post' });
    expect(atEnd.prediction!.ids!.flat()).toEqual(Array.from(xAtEnd.dataSync()));
    await expectPredictions(page, atEnd, saved, xAtEnd);
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-output/browser-run-model.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  itInChromium('numbers, nested or comma-separated, predict as in Node; a wrong shape or a bad number shows its error and the page goes on', async () => {
    const { page, problems } = await openRunModel();
    await drop(page, [files.json, files.weights]);
    const rows = [[0, 0, 3, 5, 2, 1], [4, 1, 1, 6, 2, 9]];

    const nested = await predictOnPage(page, 'numbers', JSON.stringify(rows));
    await expectPredictions(page, nested, saved, lw.tensor(rows));
    const flat = await predictOnPage(page, 'numbers', rows.flat().join(', '));
    await expectPredictions(page, flat, saved, lw.tensor(rows));

    const wrongShape = await predictOnPage(page, 'numbers', '[[1, 2, 3], [4, 5, 6]]');
    expect(wrongShape.error!.code).toBe('SHAPE_MISMATCH');
    expect(wrongShape.error!.message).toMatch(/shape \[2, 3\].*samples of \[6\]/);
    expect(await page.textContent('#error')).toBe(wrongShape.error!.message);
    const notWhole = await predictOnPage(page, 'numbers', '1, 2, 3, 4, 5, 6, 7');
    expect(notWhole.error!.message).toMatch(/7 numbers do not fill whole samples of \[6\]/);
    const notANumber = await predictOnPage(page, 'numbers', '1, 2, x, 4, 5, 6');
    expect(notANumber.error!.code).toBe('DTYPE');
    expect(notANumber.error!.message).toMatch(/"x" \(number 3\) is not a number/);
    const noTokenizer = await predictOnPage(page, 'text', 'the cat');
    expect(noTokenizer.error!.message).toMatch(/drop the tokenizer JSON/);
    const badId = await predictOnPage(page, 'numbers', '[0, 0, 0, 0, 0, 999]');
    expect(badId.error!.code).toBe('ID_OUT_OF_RANGE');

    // The page was not left hanging: the same model still predicts.
    const again = await predictOnPage(page, 'numbers', JSON.stringify(rows[1]));
    await expectPredictions(page, again, saved, lw.tensor([rows[1]]));
    expect(await page.isHidden('#error')).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);

  itInChromium('weights in two shards are joined in manifest order, whatever the drop order; a missing shard or a stray file is named', async () => {
    const { page, problems } = await openRunModel();
    const loaded = await drop(page, [files.shardB, files.tokenizer, files.shardedJson, files.shardA]);
    expect(loaded.error).toBeNull();
    const state = await predictOnPage(page, 'text', TYPED);
    await expectPredictions(page, state, saved, lw.data.padSequences(tokenizer.textsToSequences(TYPED.split('\n')), { maxLen: STEPS }));

    const missing = await drop(page, [files.shardedJson, files.shardA]);
    expect(missing.error!.message).toMatch(/keeps its weights in "group1-shard2of2\.bin": drop it together with "model\.json"/);
    expect(missing.model!.summary).toBe(saved.summary(80, () => {})); // the model loaded before stays
    const mismatched = await drop(page, [files.shardedJson, files.shardA, files.shardB, files.weights]);
    expect(mismatched.error!.message).toMatch(/"weights\.bin": not named in "model\.json"/);
    const stray = await drop(page, [join(ROOT, 'examples/browser/README.md')]);
    expect(stray.error!.message).toMatch(/"README\.md": not a file this page reads/);
    const onlyWeights = await drop(page, [files.weights]);
    expect(onlyWeights.error!.message).toMatch(/drop them together with it/);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});

describe.each(KERAS_FIXTURES)('a Keras or ONNX file in Chromium: %s', (fixture) => {
  itInChromium(`${fixture}: the summary and the predictions Node gets from the same file`, async () => {
    const bytes = new Uint8Array(readFileSync(join(KERAS_DIR, fixture)));
    const model = await lw.loadModel(bytes);
    const { text, x } = sampleInput(model);

    const { page, problems } = await openRunModel();
    const loaded = await drop(page, [join(KERAS_DIR, fixture)]);
    expect(loaded.error).toBeNull();
    // What a file leaves unnamed (Keras 2.1's bare layer list, ONNX's layers) gets default names, numbered per process.
    const unnamed = (text: string) => text.replace(/^Model: "sequential(_\d+)?"/, 'Model: "sequential"').replace(/_\d+(?= \()/g, '').replace(/ +/g, ' ');
    expect(unnamed(loaded.model!.summary)).toBe(unnamed(model.summary(80, () => {})));
    const state = await predictOnPage(page, 'numbers', text);
    await expectPredictions(page, state, model, x);
    await page.close();
    expect(problems).toEqual([]);
  }, 60_000);
});

/** Two samples for the model's only input, as typed JSON: token ids when an Embedding reads it, else waves. */
function sampleInput(model: LayersModel): { text: string; x: lw.Tensor } {
  const sample = model.inputs[0].shape.slice(1).map((d) => d ?? 5);
  const size = sample.reduce((a, d) => a * d, 1);
  const embedding = model.layers.find((l) => l.className === 'Embedding');
  const vocab = embedding ? Number(embedding.getConfig().input_dim) : 0;
  const values = Array.from({ length: 2 * size }, (_, i) => (vocab ? (i * 7 + 1) % vocab : Math.sin(i + 1)));
  const x = lw.tensor(Float32Array.from(values), [2, ...sample]);
  return { text: JSON.stringify(x.arraySync()), x };
}

// What a loaded Keras file is good for beyond predict: compile settings from the file (Keras 3
// compile_config, Keras 2 training_config), training further, evaluating, saving in lstm-wasm's
// format and loading that back to the same predictions; options lstm-wasm cannot run refused by
// name. Fixtures: test/fixtures/keras (scripts/keras_fixtures.py).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import * as lw from '../../ts/index.js';
import type { NestedArray } from '../../ts/index.js';

const DIR = join(import.meta.dirname, '../fixtures/keras');
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, name)));
const expected = (name: string) => JSON.parse(readFileSync(join(DIR, name.replace(/\.(keras|h5)$/, '.expected.json')), 'utf8')) as { inputs: NestedArray[]; outputs: NestedArray[] };

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

describe('a loaded Keras model', () => {
  it('comes compiled from compile_config (Keras 3) and trains further, evaluates, saves and loads back', async () => {
    const m = await lw.loadModel(bytes('k3_sequential_masking_lstm.keras'));
    expect(m.optimizer?.constructor.name).toBe('Adam');
    expect(m.optimizer!.learningRate).toBeCloseTo(0.001, 9);
    const { inputs } = expected('k3_sequential_masking_lstm.keras');
    const x = lw.tensor(inputs[0]);
    const y0 = m.predict(x) as lw.Tensor;
    // Targets away from the predictions: a few epochs of the file's Adam and mse bring the loss down.
    const y = lw.tensor(Float32Array.from(y0.dataSync(), (v) => v + 0.5), [...y0.shape]);
    const before = m.evaluate(x, y) as number[];
    expect(before).toHaveLength(2); // loss (mse) and the file's metric (mae)
    await m.fit(x, y, { epochs: 200, batchSize: 8, verbose: 0 });
    const after = m.evaluate(x, y) as number[];
    expect(after[0]).toBeLessThan(before[0] * 0.9);
    const dir = mkdtempSync(join(tmpdir(), 'lw-keras-'));
    try {
      await m.save(`file://${dir}`);
      const back = await lw.loadModel(`file://${dir}/model.json`);
      expect(Array.from((back.predict(x) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as lw.Tensor).dataSync()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['k2_15_functional_bidirectional.h5', 'Adam'], // training_config's "Custom>Adam" (tf.keras 2.11+)
    ['k2_1_6_sequential_embedding_lstm.h5', 'Adam'], // Keras 2.1's optimizer_config with "lr"
    ['k3_legacy_sequential.h5', 'Adam'],
  ])('%s comes compiled from its training_config (%s)', async (file, optimizer) => {
    const m = await lw.loadModel(bytes(file));
    expect(m.optimizer?.constructor.name).toBe(optimizer);
  });

  it('without compile settings stays uncompiled: compile it to train', async () => {
    const m = await lw.loadModel(bytes('k2_0_8_sequential_gru.h5'));
    expect(m.optimizer).toBeNull();
  });
});

describe('Keras files over http(s) and from disk, by URL', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    // Serves test/fixtures/keras; the format is told from the bytes, whatever the name or type says.
    server = createServer((req, res) => {
      try {
        const body = readFileSync(join(DIR, decodeURIComponent(new URL(req.url!, 'http://x').pathname).replace(/^\/+/, '').replace(/\.\./g, '')));
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const predictions = async (source: string) => Array.from(((await lw.loadModel(source)).predict(lw.tensor(expected(source.includes('sharded') ? 'k3_sharded_gru.keras' : 'k3_sequential_deflate.keras').inputs[0])) as lw.Tensor).dataSync());

  it('a .keras, an .h5 and a sharded directory load by http URL as from their bytes', async () => {
    const fromBytes = Array.from(((await lw.loadModel(bytes('k3_sequential_deflate.keras'))).predict(lw.tensor(expected('k3_sequential_deflate.keras').inputs[0])) as lw.Tensor).dataSync());
    expect(await predictions(`${base}k3_sequential_deflate.keras`)).toEqual(fromBytes);
    expect(await predictions(`file://${join(DIR, 'k3_sequential_deflate.keras')}`)).toEqual(fromBytes);
    const h5 = await lw.loadModel(`${base}k2_0_8_sequential_gru.h5`);
    expect(h5.countParams()).toBeGreaterThan(0);
    const sharded = await predictions(`${base}k3_sharded_gru/model.weights.json`);
    expect(await predictions(`file://${join(DIR, 'k3_sharded_gru')}`)).toEqual(sharded);
    const missing = await lw.loadModel(`${base}nowhere/model.weights.json`).catch((e) => e);
    expect(missing.code).toBe('BAD_MODEL_FILE');
    expect(missing.message).toMatch(/needs config\.json, which cannot be read: cannot fetch .*HTTP 404/);
  });
});

describe('what lstm-wasm cannot run is UNSUPPORTED, naming the layer, its class and the option', () => {
  /** The fixture's config.json changed by `edit`, zipped back. */
  function edited(name: string, edit: (layers: any[]) => void): Uint8Array {
    const members = unzipSync(bytes(name));
    const config = JSON.parse(new TextDecoder().decode(members['config.json']));
    edit(config.config.layers);
    return zipSync({ ...members, 'config.json': strToU8(JSON.stringify(config)) });
  }
  const lstmOf = (layers: any[]) => layers.find((l) => l.class_name === 'LSTM');

  it.each([
    ['kernel_regularizer', { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null }],
    ['recurrent_constraint', { module: 'keras.constraints', class_name: 'MaxNorm', config: { max_value: 2 }, registered_name: null }],
    ['time_major', true],
  ])('%s', async (option, value) => {
    const file = edited('k3_sequential_masking_lstm.keras', (layers) => { lstmOf(layers).config[option] = value; });
    const e = await lw.loadModel(file).catch((x) => x);
    expect(e).toBeInstanceOf(lw.LwError);
    expect(e.code === 'UNSUPPORTED' || (option === 'time_major' && e.code === 'BAD_MODEL_FILE')).toBe(true);
    expect(e.message).toMatch(new RegExp(`"encoder" \\(LSTM\\).*${option}`));
  });

  it('an activation or a layer it has not got', async () => {
    const gelu = edited('k3_sequential_masking_lstm.keras', (layers) => { lstmOf(layers).config.activation = 'gelu'; });
    await expect(lw.loadModel(gelu)).rejects.toThrow(/\[UNSUPPORTED\] .*"encoder" \(LSTM\): "activation" is "gelu"/);
    const conv = edited('k3_sequential_masking_lstm.keras', (layers) => { lstmOf(layers).class_name = 'ConvLSTM1D'; });
    await expect(lw.loadModel(conv)).rejects.toThrow(/\[UNSUPPORTED\] .*\(ConvLSTM1D\): lstm-wasm has no layer "ConvLSTM1D"/);
  });

  it('options that never change the result are taken whatever their value', async () => {
    const file = edited('k3_sequential_masking_lstm.keras', (layers) => Object.assign(lstmOf(layers).config, { unroll: true, implementation: 1, seed: 7 }));
    const m = await lw.loadModel(file);
    const { inputs, outputs } = expected('k3_sequential_masking_lstm.keras');
    const got = Array.from((m.predict(lw.tensor(inputs[0])) as lw.Tensor).dataSync());
    (outputs[0] as number[][]).flat(3).forEach((v, i) => expect(Math.abs(got[i] - (v as number))).toBeLessThan(1e-5));
  });
});

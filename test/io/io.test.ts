// Saving and loading in the TF.js layers format: round trips (bitwise predictions, configs,
// summaries, identical files), atomic writes, resuming training with the optimizer state,
// artifacts and http loading, ModelCheckpoint, and every kind of broken file.
import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { loadModel } from '../../ts/model/load-model.js';
import { fileOps } from '../../ts/io/file-system.js';
import { modelCheckpoint, formatCheckpointPath } from '../../ts/callbacks/model-checkpoint.js';
import type { LayersModel } from '../../ts/model/model.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expectClose, rng } from '../helpers/kernels.js';

let root = '';
let n = 0;
const newDir = () => join(root, `m${n++}`);
const url = (dir: string) => `file://${dir}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lw-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Padded id sequences [n, 7] (trailing zeros) and a class per sequence. */
function idData(count: number, seed: number) {
  const r = rng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < count; i++) {
    const len = 2 + Math.floor(r() * 6);
    x.push(Array.from({ length: 7 }, (_, t) => (t < len ? 1 + Math.floor(r() * 11) : 0)));
    y.push([x[i][0] % 3]);
  }
  return { x: lw.tensor(x), y: lw.tensor(y) };
}

function seqModel(frozenEmbedding = false) {
  return lw.sequential([
    lw.layers.embedding({ inputDim: 12, outputDim: 5, inputLength: 7, maskZero: true, trainable: !frozenEmbedding }),
    lw.layers.lstm({ units: 6, returnSequences: true }),
    lw.layers.gru({ units: 4 }),
    lw.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
}

/** Two inputs, a layer applied twice, two outputs. */
function functionalModel() {
  const seq = lw.input({ shape: [6, 3], name: 'seq' });
  const side = lw.input({ shape: [4], name: 'side' });
  const shared = lw.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const r = lw.layers.simpleRNN({ units: 5, name: 'rnn' }).apply(seq) as lw.layers.SymbolicTensor;
  const s = shared.apply(shared.apply(side) as lw.layers.SymbolicTensor) as lw.layers.SymbolicTensor;
  const outA = lw.layers.dense({ units: 2, name: 'out_a' }).apply(r) as lw.layers.SymbolicTensor;
  return lw.model({ inputs: [seq, side], outputs: [outA, s], name: 'two_heads' });
}

function functionalData(count: number, seed: number) {
  const r = rng(seed);
  const vals = (k: number) => Array.from({ length: k }, () => r() * 2 - 1);
  return {
    x: [lw.tensor(vals(count * 18), [count, 6, 3]), lw.tensor(vals(count * 4), [count, 4])],
    y: [lw.tensor(vals(count * 2), [count, 2]), lw.tensor(vals(count * 4), [count, 4])],
  };
}

const flat = (p: lw.Tensor | lw.Tensor[]) => (Array.isArray(p) ? p : [p]).flatMap((t) => Array.from(t.dataSync()));
const configs = (m: LayersModel) => JSON.stringify(m.layers.map((l) => [l.className, l.getConfig()]));
const summary = (m: LayersModel) => m.summary(90, () => undefined);

async function expectBadFile(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const e = (await p.then(() => null, (err: unknown) => err)) as lw.LwError | null;
  expect(e, 'loading should fail').toBeInstanceOf(lw.LwError);
  expect(e!.code).toBe('BAD_MODEL_FILE');
  expect(e!.message).toMatch(pattern);
}

describe('save → load round trip', () => {
  for (const backend of ['simd', 'scalar', 'js'] as const) {
    it(`Sequential Embedding(maskZero)+LSTM+GRU+Dense on ${backend}: same predictions bitwise, configs, summary, files`, async () => {
      await lw.ready({ backend });
      lw.setSeed(11);
      const { x, y } = idData(24, 1);
      const m = seqModel();
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      // The JS oracle computes in float64: files hold float32, so only untrained (float32) weights round-trip bitwise there.
      if (backend !== 'js') await m.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 3 });
      const dir = newDir();
      const result = await m.save(url(dir));
      expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
      expect(result.modelArtifactsInfo.weightDataBytes).toBe(m.countParams() * 4);
      const loaded = await loadModel(url(join(dir, 'model.json')));
      expect(flat(loaded.predict(x))).toEqual(flat(m.predict(x)));
      expect(configs(loaded)).toBe(configs(m));
      expect(summary(loaded)).toBe(summary(m));
      // Saving the loaded model writes the same bytes.
      const again = newDir();
      await loaded.save(url(again));
      expect(await readFile(join(again, 'model.json'), 'utf8')).toBe(await readFile(join(dir, 'model.json'), 'utf8'));
      expect(Buffer.compare(await readFile(join(again, 'weights.bin')), await readFile(join(dir, 'weights.bin')))).toBe(0);
    });
  }

  it('functional model (two inputs, a shared layer, two outputs) keeps its graph', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(5);
    const { x, y } = functionalData(16, 2);
    const m = functionalModel();
    m.compile({ optimizer: 'adam', loss: ['mse', 'mse'] });
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, seed: 1 });
    const dir = newDir();
    await m.save(url(dir));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Model');
    expect(json.modelTopology.config.input_layers).toEqual([['seq', 0, 0], ['side', 0, 0]]);
    expect(json.modelTopology.config.output_layers).toEqual([['out_a', 0, 0], ['shared', 1, 0]]);
    const shared = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'shared');
    expect(shared.inbound_nodes).toEqual([[['side', 0, 0, {}]], [['shared', 0, 0, {}]]]);
    const loaded = await loadModel(url(dir));
    expect(loaded.inputs.map((t) => t.name)).toEqual(['seq', 'side']);
    expect(flat(loaded.predict(x))).toEqual(flat(m.predict(x)));
    expect(configs(loaded)).toBe(configs(m));
    expect(summary(loaded)).toBe(summary(m));
  });

  it('Masking, Bidirectional (with a backwardLayer), TimeDistributed and Concatenate round-trip', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(6);
    const seq = lw.input({ shape: [6, 3], name: 'seq' });
    const masked = lw.layers.masking({ maskValue: 0 }).apply(seq) as lw.layers.SymbolicTensor;
    const bi = lw.layers.bidirectional({
      layer: lw.layers.gru({ units: 3, returnSequences: true }),
      backwardLayer: lw.layers.lstm({ units: 3, returnSequences: true, goBackwards: true }),
      mergeMode: 'ave',
    }).apply(masked) as lw.layers.SymbolicTensor;
    const td = lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 2 }) }).apply(bi) as lw.layers.SymbolicTensor;
    const joined = lw.layers.concatenate().apply([td, masked]) as lw.layers.SymbolicTensor;
    const out = lw.layers.simpleRNN({ units: 2 }).apply(joined) as lw.layers.SymbolicTensor;
    const m = lw.model({ inputs: seq, outputs: out });
    const { x, y } = functionalData(8, 3);
    x[0].dataSync().fill(0, 0, 9); // the first sample's first three steps are padding
    m.compile({ optimizer: 'adam', loss: 'mse' });
    await m.fit(x[0], lw.tensor(Array.from(y[0].dataSync()), [8, 2]), { epochs: 1, batchSize: 4, verbose: 0 });
    const dir = newDir();
    await m.save(url(dir), { includeOptimizer: true });
    const loaded = await loadModel(url(dir));
    expect(loaded.weights.map((w) => w.path)).toEqual(m.weights.map((w) => w.path));
    expect(loaded.weights.some((w) => w.path.includes('/backward_lstm'))).toBe(true);
    expect(flat(loaded.predict(x[0]))).toEqual(flat(m.predict(x[0])));
    expect(configs(loaded)).toBe(configs(m));
    expect(summary(loaded)).toBe(summary(m));
  });

  it('toArtifacts → loadModel(artifacts), also after a structured clone (IndexedDB, postMessage)', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(8);
    const { x } = idData(10, 4);
    const m = seqModel();
    const a = m.toArtifacts();
    expect(a.format).toBe('layers-model');
    expect(a.weightSpecs!.map((s) => s.name)).toEqual(m.weights.map((w) => w.path));
    for (const source of [a, structuredClone(a), { load: async () => a }]) {
      const loaded = await loadModel(source);
      expect(flat(loaded.predict(x))).toEqual(flat(m.predict(x)));
    }
  });

  it('loading draws no initial values: the seeded generator is where it was', async () => {
    await lw.ready({ backend: 'simd' });
    const a = seqModel().toArtifacts();
    const fresh = () => lw.sequential([lw.layers.lstm({ units: 3, inputShape: [2, 2] })]).getWeights().map((t) => Array.from(t.dataSync()));
    lw.setSeed(77);
    const expected = fresh();
    lw.setSeed(77);
    await loadModel(a);
    expect(fresh()).toEqual(expected);
  });

  it('loads over http(s) with weights relative to the model.json URL', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(9);
    const m = seqModel();
    const dir = newDir();
    await m.save(url(join(dir, 'nested')));
    const server = await serve(dir);
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const loaded = await loadModel(`${base}/nested/model.json`);
      const { x } = idData(6, 5);
      expect(flat(loaded.predict(x))).toEqual(flat(m.predict(x)));
      await expectBadFile(loadModel(`${base}/missing/model.json`), /HTTP 404/);
    } finally {
      server.close();
    }
  });

  it('a target ending in .json names model.json; its weights file is named after it', async () => {
    await lw.ready({ backend: 'simd' });
    const m = seqModel();
    const dir = newDir();
    await m.save(url(join(dir, 'best.json')));
    expect((await readdir(dir)).sort()).toEqual(['best.json', 'best.weights.bin']);
    const loaded = await loadModel(url(join(dir, 'best.json')));
    expect(configs(loaded)).toBe(configs(m));
  });
});

describe('files written by others', () => {
  /** A Keras 3 functional model.json (keras_history nodes, batch_shape, dtype policies, flat refs). */
  function keras3Topology() {
    const tensorArg = (layer: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] } });
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    return {
      class_name: 'Functional',
      config: {
        name: 'k3',
        trainable: true,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 4, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null, name: 'input_layer', inbound_nodes: [] },
          {
            module: 'keras.layers', class_name: 'LSTM', registered_name: null, name: 'lstm',
            config: { name: 'lstm', trainable: true, dtype: policy, units: 3, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: false, unit_forget_bias: true,
              kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null }, seed: null },
            inbound_nodes: [{ args: [tensorArg('input_layer', [null, 4, 3])], kwargs: { training: false, mask: null } }],
          },
          {
            module: 'keras.layers', class_name: 'Dense', registered_name: null, name: 'dense',
            config: { name: 'dense', trainable: true, dtype: policy, units: 2, activation: { module: 'keras.activations', class_name: 'function', config: 'sigmoid', registered_name: 'function' }, use_bias: true },
            inbound_nodes: [{ args: [tensorArg('lstm', [null, 3])], kwargs: {} }],
          },
        ],
        input_layers: ['input_layer', 0, 0],
        output_layers: ['dense', 0, 0],
      },
    };
  }

  it('Keras 3 topology with Keras 2.2+ cell weight names (lstm/lstm_cell/kernel) loads as the same model', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(61);
    const inp = lw.input({ shape: [4, 3], name: 'input_layer' });
    const h = lw.layers.lstm({ units: 3, name: 'lstm', recurrentActivation: 'sigmoid' }).apply(inp) as lw.layers.SymbolicTensor;
    const reference = lw.model({ inputs: inp, outputs: lw.layers.dense({ units: 2, activation: 'sigmoid', name: 'dense' }).apply(h) as lw.layers.SymbolicTensor });
    const a = reference.toArtifacts();
    const specs = a.weightSpecs!.map((sp) => ({ ...sp, name: sp.name.replace(/^lstm\//, 'lstm/lstm_cell/') }));
    expect(specs[0].name).toBe('lstm/lstm_cell/kernel');
    const loaded = await loadModel({ modelTopology: keras3Topology(), weightSpecs: specs, weightData: a.weightData });
    const x = lw.tensor(Array.from({ length: 24 }, (_, i) => Math.sin(i)), [2, 4, 3]);
    expect(flat(loaded.predict(x))).toEqual(flat(reference.predict(x)));
    expect(loaded.name).toBe('k3');
  });

  it('Keras 2 Sequential with an InputLayer first, and the old Sequential form (config = layer list)', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(63);
    const m = seqModel();
    const a = m.toArtifacts();
    const layers = structuredClone((a.modelTopology.config as { layers: { config: Record<string, unknown> }[] }).layers);
    delete layers[0].config.batch_input_shape;
    const withInput = [{ class_name: 'InputLayer', config: { batch_input_shape: [null, 7], dtype: 'int32', sparse: false, ragged: false, name: 'ids' } }, ...layers];
    const { x } = idData(5, 13);
    for (const config of [{ name: 'keras2', layers: withInput }, withInput]) {
      const loaded = await loadModel({ ...a, modelTopology: { class_name: 'Sequential', config }, lstmWasm: undefined });
      expect(flat(loaded.predict(x))).toEqual(flat(m.predict(x)));
      expect(loaded.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    }
  });

  it('quantized weights (uint8, uint16, float16) are dequantized', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(62);
    const m = lw.sequential([lw.layers.dense({ units: 3, inputShape: [4] }), lw.layers.dense({ units: 2 })]);
    const a = m.toArtifacts();
    const values = m.weights.map((w) => w.read());
    const kinds = ['uint8', 'uint16', 'float16', 'uint8'] as const;
    const parts: Uint8Array[] = [];
    const specs = a.weightSpecs!.map((spec, i) => {
      const v = values[i];
      const kind = kinds[i];
      if (kind === 'float16') {
        const h = new Uint16Array(v.length).map((_, j) => toHalf(v[j]));
        parts.push(new Uint8Array(h.buffer));
        return { ...spec, quantization: { dtype: kind } };
      }
      const min = Math.min(...v);
      const levels = kind === 'uint8' ? 255 : 65535;
      const scale = (Math.max(...v) - min) / levels || 1;
      const q = kind === 'uint8' ? new Uint8Array(v.length) : new Uint16Array(v.length);
      v.forEach((x, j) => { q[j] = Math.round((x - min) / scale); });
      parts.push(new Uint8Array(q.buffer));
      return { ...spec, quantization: { dtype: kind, scale, min } };
    });
    const data = new Uint8Array(parts.reduce((t, p) => t + p.length, 0));
    parts.reduce((o, p) => (data.set(p, o), o + p.length), 0);
    const loaded = await loadModel({ modelTopology: a.modelTopology, weightSpecs: specs, weightData: data.buffer });
    loaded.weights.forEach((w, i) => expectClose(w.read(), values[i], kinds[i] === 'uint8' ? 0.01 : 1e-3, 0, w.path));
  });

  it('runs in Deno: save with the optimizer to file://, load back', () => {
    const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
    const dir = newDir();
    const out = execFileSync(deno, ['run', '--allow-read', '--allow-write', '--unstable-sloppy-imports', fileURLToPath(new URL('../helpers/io-deno.ts', import.meta.url)), dir], {
      encoding: 'utf8',
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ backend: 'simd', files: ['model.json', 'weights.bin'], same: true, iterations: 2 });
  });
});

/** float32 → IEEE half (round to nearest), for the quantization test. */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const b = new Uint32Array(f.buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign | Math.round(Math.abs(x) / 2 ** -24);
  if (exp >= 31) return sign | 0x7c00;
  return sign + (exp << 10) + Math.round((b & 0x7fffff) / 0x2000); // a mantissa carry rolls into the exponent
}

/** Static files under `dir` (GET only). */
function serve(dir: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname)));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('atomic save', () => {
  it('writes temporary names then renames, weights first and model.json last', async () => {
    await lw.ready({ backend: 'simd' });
    const m = seqModel();
    const dir = newDir();
    const renames: [string, string][] = [];
    const rename = fileOps.rename.bind(fileOps);
    vi.spyOn(fileOps, 'rename').mockImplementation(async (from, to) => {
      renames.push([from, to]);
      await rename(from, to);
    });
    await m.save(url(dir));
    expect(renames.map(([, to]) => to)).toEqual([join(dir, 'weights.bin'), join(dir, 'model.json')]);
    for (const [from] of renames) expect(from).toMatch(/[\\/]\.(weights\.bin|model\.json)\.[\w-]+\.tmp$/);
  });

  it('a failure while writing the weights leaves the previous model intact and no temporary files', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(21);
    const { x, y } = idData(16, 6);
    const m = seqModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const dir = newDir();
    await m.save(url(dir));
    const before = flat(m.predict(x));
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(flat(m.predict(x))).not.toEqual(before);
    const write = fileOps.writeFileSynced.bind(fileOps);
    vi.spyOn(fileOps, 'writeFileSynced').mockImplementation(async (path, data) => {
      if (path.includes('weights.bin')) {
        await write(path, data.subarray(0, 10)); // half a file on disk, then the "crash"
        throw new Error('disk full');
      }
      await write(path, data);
    });
    await expect(m.save(url(dir))).rejects.toThrow('disk full');
    vi.restoreAllMocks();
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(flat((await loadModel(url(dir))).predict(x))).toEqual(before);
  });

  it('a model.json with the weights of another save is refused, not half-loaded; a failed save restores the previous weights', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(22);
    const { x, y } = idData(16, 7);
    const m = seqModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const dir = newDir();
    await m.save(url(dir));
    const before = flat(m.predict(x));
    await m.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    // A failure between the two renames: the previous weights are put back.
    const rename = fileOps.rename.bind(fileOps);
    vi.spyOn(fileOps, 'rename').mockImplementation(async (from, to) => {
      if (to.endsWith('model.json')) throw new Error('power cut');
      await rename(from, to);
    });
    await expect(m.save(url(dir))).rejects.toThrow('power cut');
    vi.restoreAllMocks();
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect(flat((await loadModel(url(dir))).predict(x))).toEqual(before);
    // Weights from another save with no kept copy of the right ones: refused as a whole.
    const other = newDir();
    await m.save(url(other));
    await copyFile(join(other, 'weights.bin'), join(dir, 'weights.bin'));
    await expectBadFile(loadModel(url(dir)), /not the one this model\.json was saved with/);
  });
});

describe('includeOptimizer: training resumes exactly', () => {
  const optimizers: [string, () => lw.train.Optimizer, boolean?][] = [
    ['adam', () => lw.train.adam({ learningRate: 0.01 })],
    ['adam with a frozen (non-trainable) embedding', () => lw.train.adam({ learningRate: 0.01 }), true],
    ['adamw + clipNorm', () => lw.train.adamw({ learningRate: 0.01, clipNorm: 0.5 })],
    ['rmsprop with momentum', () => lw.train.rmsprop({ learningRate: 0.005, momentum: 0.5 })],
    ['sgd with momentum', () => lw.train.sgd({ learningRate: 0.05, momentum: 0.9 })],
  ];
  for (const [name, make, frozen] of optimizers) {
    it(`${name}: 2 epochs, save, load, 2 more == 4 in one go`, async () => {
      await lw.ready({ backend: 'simd' });
      const { x, y } = idData(24, 8);
      const fitArgs = { batchSize: 8, shuffle: false, verbose: 0 as const };
      const build = () => {
        lw.setSeed(31);
        const m = seqModel(frozen);
        m.compile({ optimizer: make(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        return m;
      };
      const straight = await build().fit(x, y, { ...fitArgs, epochs: 4 });
      const first = build();
      const h1 = await first.fit(x, y, { ...fitArgs, epochs: 2 });
      const dir = newDir();
      await first.save(url(dir), { includeOptimizer: true });
      const resumed = await loadModel(url(dir));
      expect(resumed.optimizer!.className).toBe(first.optimizer!.className);
      expect(resumed.optimizer!.iterations).toBe(first.optimizer!.iterations);
      const h2 = await resumed.fit(x, y, { ...fitArgs, epochs: 4, initialEpoch: 2 });
      const losses = [...h1.history.loss, ...h2.history.loss];
      losses.forEach((l, i) => expect(Math.abs(l - straight.history.loss[i]), `epoch ${i + 1}`).toBeLessThan(1e-6));
      expect([...h1.history.acc, ...h2.history.acc]).toEqual(straight.history.acc);

      // Without the optimizer state the same resume goes differently: the check above can fail.
      const fresh = await loadModel(url(dir));
      fresh.compile({ optimizer: make(), loss: 'sparseCategoricalCrossentropy' });
      const h3 = await fresh.fit(x, y, { ...fitArgs, epochs: 4, initialEpoch: 2 });
      expect(Math.abs(h3.history.loss[1] - straight.history.loss[3])).toBeGreaterThan(1e-6);
    });
  }

  it('optimizer slots are stored as optimizer-group weights named <weight>/<slot>', async () => {
    await lw.ready({ backend: 'simd' });
    const { x, y } = idData(8, 9);
    const m = seqModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const a = m.toArtifacts({ includeOptimizer: true });
    const opt = a.weightSpecs!.filter((s) => s.group === 'optimizer').map((s) => s.name);
    expect(opt).toEqual([...m.weights.map((w) => `${w.path}/momentum`), ...m.weights.map((w) => `${w.path}/velocity`)]);
    expect(a.lstmWasm!.optimizer).toMatchObject({ class_name: 'Adam', iterations: 1 });
    // Without includeOptimizer nothing of the optimizer is written.
    expect(m.toArtifacts().weightSpecs!.some((s) => s.group === 'optimizer')).toBe(false);
  });
});

describe('broken files: BAD_MODEL_FILE naming the problem', () => {
  async function saved() {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(41);
    const dir = newDir();
    await seqModel().save(url(dir));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    return { dir, json, writeJson: (j: unknown) => writeFile(join(dir, 'model.json'), JSON.stringify(j)) };
  }

  it('truncated weights.bin', async () => {
    const { dir } = await saved();
    const bytes = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), bytes.subarray(0, bytes.length - 12));
    await expectBadFile(loadModel(url(dir)), new RegExp(`weights.bin has ${bytes.length - 12} bytes but the manifest's \\d+ weights take ${bytes.length}.*truncated`));
  });

  it('wrong shape in the manifest', async () => {
    const { json, writeJson, dir } = await saved();
    const spec = json.weightsManifest[0].weights.find((s: { name: string }) => s.name.endsWith('/recurrent_kernel'));
    const [rows, cols] = spec.shape;
    spec.shape = [cols, rows];
    await writeJson(json);
    await expectBadFile(loadModel(url(dir)), new RegExp(`weight "${spec.name}" has shape \\[${cols}, ${rows}\\] in the file, but layer ".*" \\(LSTM\\) needs \\[${rows}, ${cols}\\]`));
  });

  it('a declared size far beyond the bytes there is refused before anything is allocated', async () => {
    const { json, writeJson, dir } = await saved();
    json.weightsManifest[0].weights[0].shape = [2 ** 31, 2 ** 31];
    await writeJson(json);
    await expectBadFile(loadModel(url(dir)), /bytes but the manifest's \d+ weights take \d+/);
  });

  it('unknown layer class: UNSUPPORTED naming the layer and its class', async () => {
    const { json, writeJson, dir } = await saved();
    json.modelTopology.config.layers[1].class_name = 'ConvLSTM2D';
    await writeJson(json);
    const e = await loadModel(url(dir)).catch((x) => x);
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.message).toMatch(/layer 1 "lstm[_\d]*" \(ConvLSTM2D\): lstm-wasm has no layer "ConvLSTM2D"; it loads .*LSTM/);
  });

  it('missing weight, and a weight that belongs to no layer', async () => {
    await lw.ready({ backend: 'simd' });
    const m = seqModel();
    const a = m.toArtifacts();
    const last = a.weightSpecs!.length - 1;
    const lastName = a.weightSpecs![last].name;
    const size = a.weightSpecs![last].shape.reduce((p, d) => p * d, 1) * 4;
    const data = a.weightData as ArrayBuffer;
    await expectBadFile(loadModel({ ...a, weightSpecs: a.weightSpecs!.slice(0, last), weightData: data.slice(0, data.byteLength - size), lstmWasm: undefined }),
      new RegExp(`weight "${lastName}" of layer ".*" \\(Dense\\) is missing from the file`));
    const renamed = a.weightSpecs!.map((s, i) => (i === last ? { ...s, name: 'ghost/bias' } : s));
    await expectBadFile(loadModel({ ...a, weightSpecs: renamed }), /weight "ghost\/bias" in the file belongs to no layer of the model/);
  });

  it('model.json that is not JSON', async () => {
    const { dir } = await saved();
    await writeFile(join(dir, 'model.json'), 'PK\u0003\u0004 this is a zip, not a model');
    await expectBadFile(loadModel(url(dir)), /model\.json is not JSON .*it starts with "PK/);
  });

  it('a "__proto__" key is refused and pollutes nothing', async () => {
    const { dir } = await saved();
    const text = await readFile(join(dir, 'model.json'), 'utf8');
    await writeFile(join(dir, 'model.json'), text.replace('"config":{"name":"embedding', '"config":{"__proto__":{"polluted":true},"name":"embedding'));
    await expectBadFile(loadModel(url(dir)), /forbidden key "__proto__" at modelTopology\.config\.layers\[0\]\.config/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('weights paths may not leave the model directory; missing files are named', async () => {
    const { json, writeJson, dir } = await saved();
    json.weightsManifest[0].paths = ['../secret.bin'];
    await writeJson(json);
    await expectBadFile(loadModel(url(dir)), /weights path "\.\.\/secret\.bin" must be a file name relative to model\.json/);
    json.weightsManifest[0].paths = ['gone.bin'];
    await writeJson(json);
    await expectBadFile(loadModel(url(dir)), /weights file .*gone\.bin named in .*model\.json cannot be read/);
  });

  it('layer configs are checked: a bad value names the layer and key', async () => {
    const { json, writeJson, dir } = await saved();
    json.modelTopology.config.layers[2].config.units = 'four';
    await writeJson(json);
    await expectBadFile(loadModel(url(dir)), /layer 2 "gru[_\d]*" \(GRU\): "units" must be a whole number >= 1, got "four"/);
  });
});

describe('modelCheckpoint', () => {
  it('formats {epoch} and log values as Keras', () => {
    expect(formatCheckpointPath('file://c/{epoch:02d}-{val_loss:.3f}', 3, { val_loss: 0.12345 })).toBe('file://c/03-0.123');
    expect(() => formatCheckpointPath('file://c/{acc}', 1, { loss: 1 })).toThrow(/uses \{acc\}/);
  });

  it('saves every epoch, and with saveBestOnly only when the monitored value improves', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(51);
    const { x, y } = idData(32, 10);
    const val = idData(12, 11);
    const m = seqModel();
    m.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    const dir = newDir();
    const bestDir = newDir();
    const every = modelCheckpoint({ filepath: url(join(dir, 'epoch-{epoch}')) });
    const best = modelCheckpoint({ filepath: url(join(bestDir, 'best-{epoch}')), monitor: 'val_loss', saveBestOnly: true });
    const h = await m.fit(x, y, { epochs: 6, batchSize: 8, verbose: 0, seed: 2, validationData: [val.x, val.y], callbacks: [every, best] });
    expect((await readdir(dir)).sort()).toEqual([1, 2, 3, 4, 5, 6].map((e) => `epoch-${e}`));
    const vl = h.history.val_loss;
    const improved = vl.map((v, i) => i + 1).filter((e) => vl[e - 1] < Math.min(...vl.slice(0, e - 1)));
    expect((await readdir(bestDir)).sort()).toEqual(improved.map((e) => `best-${e}`).sort());
    const bestEpoch = vl.indexOf(Math.min(...vl)) + 1;
    expect(best.lastSaved).toBe(url(join(bestDir, `best-${bestEpoch}`)));
    const restored = await loadModel(best.lastSaved);
    expect(Math.abs((restored.evaluate(val.x, val.y) as number) - vl[bestEpoch - 1])).toBeLessThan(1e-6);
    const last = await loadModel(url(join(dir, 'epoch-6')));
    expect(flat(last.predict(val.x))).toEqual(flat(m.predict(val.x)));
  });

  it('saveBestOnly needs the monitored value in the logs', async () => {
    await lw.ready({ backend: 'simd' });
    const { x, y } = idData(8, 12);
    const m = seqModel();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const cb = modelCheckpoint({ filepath: url(newDir()), saveBestOnly: true });
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [cb] })).rejects.toThrow(/monitors "val_loss", which is not in the logs/);
  });
});

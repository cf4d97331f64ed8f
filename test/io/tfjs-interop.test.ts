// Interchange with TensorFlow.js 4.22 (cpu backend) through its own IO: models saved here load
// with tf.loadLayersModel (TF.js' http loader reading our files), and models built, trained
// and saved by TF.js (its http save handler POSTing model.json + weights) load here; both
// predict the same to 1e-5.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { loadModel } from '../../ts/model/load-model.js';
import type { LayersModel } from '../../ts/model/model.js';
import { expectClose, rng } from '../helpers/kernels.js';

let root = '';
let server: Server;
let base = '';

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  await lw.ready({ backend: 'simd' });
  root = await mkdtemp(join(tmpdir(), 'lw-tfjs-'));
  server = await startServer(root);
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server?.close();
  await rm(root, { recursive: true, force: true });
});

/**
 * GET serves files under `dir`; POST /<name> takes TF.js' multipart upload (model.json,
 * model.weights.bin) and stores it as <name>/ so both sides read real files.
 */
function startServer(dir: string): Promise<Server> {
  const s = createServer(async (req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    try {
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type']! } }).formData();
        await mkdir(path, { recursive: true });
        const parts: [string, Blob][] = [];
        form.forEach((file, name) => parts.push([name, file as Blob]));
        for (const [name, file] of parts) await writeFile(join(path, name), Buffer.from(await file.arrayBuffer()));
        res.writeHead(200).end('{}');
      } else {
        res.writeHead(200).end(await readFile(path));
      }
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

interface Data {
  x: number[][] | number[][][];
  y: number[][];
}

/** Id sequences of length 7, zero-padded after (and for some rows before) the tokens. */
function paddedIds(n: number, seed: number): Data {
  const r = rng(seed);
  const x = Array.from({ length: n }, (_, i) => {
    const len = 1 + Math.floor(r() * 6);
    const ids = Array.from({ length: len }, () => 1 + Math.floor(r() * 19));
    const pad = Array(7 - len).fill(0);
    return i % 3 === 0 ? [...pad, ...ids] : [...ids, ...pad];
  });
  return { x, y: x.map((row) => [row.some((v) => v > 10) ? 1 : 0]) };
}

function sequences(n: number, seed: number, features = 3): Data {
  const r = rng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: 6 }, () => Array.from({ length: features }, () => r() * 2 - 1)));
  return { x, y: x.map((s) => [s[0][0] + s[5][1] > 0 ? 1 : 0]) };
}

/** Float sequences [n, 6, 3] whose last steps (for some rows the first steps) are all-zero padding. */
function paddedSequences(n: number, seed: number): Data {
  const { x, y } = sequences(n, seed);
  (x as number[][][]).forEach((s, i) => {
    const keep = 2 + (i % 4);
    s.forEach((step, t) => {
      if (i % 3 === 0 ? t < 6 - keep : t >= keep) step.fill(0);
    });
  });
  return { x, y };
}

function vectors(n: number, seed: number): Data {
  const r = rng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: 5 }, () => r() * 2 - 1));
  return { x, y: x.map((v) => [v[0] > v[1] ? 1 : 0]) };
}

interface Case {
  name: string;
  data: (seed: number) => Data;
  ours: () => LayersModel;
  tfjs: () => tf.LayersModel;
}

const CASES: Case[] = [
  {
    name: 'Embedding(maskZero) + LSTM(returnSequences) + LSTM + Dense, padded ids',
    data: (s) => paddedIds(12, s),
    ours: () => lw.sequential([
      lw.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7, maskZero: true }),
      lw.layers.lstm({ units: 5, returnSequences: true }),
      lw.layers.lstm({ units: 4 }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7, maskZero: true }),
      tf.layers.lstm({ units: 5, returnSequences: true }),
      tf.layers.lstm({ units: 4 }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  },
  {
    name: 'GRU(resetAfter false, returnSequences) + GRU + Dense',
    data: (s) => sequences(10, s),
    ours: () => lw.sequential([
      lw.layers.gru({ units: 5, resetAfter: false, returnSequences: true, inputShape: [6, 3] }),
      lw.layers.gru({ units: 3, resetAfter: false }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.gru({ units: 5, returnSequences: true, inputShape: [6, 3] }),
      tf.layers.gru({ units: 3 }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  },
  {
    name: 'SimpleRNN(returnSequences) + SimpleRNN(goBackwards) + Dense',
    data: (s) => sequences(10, s),
    ours: () => lw.sequential([
      lw.layers.simpleRNN({ units: 4, returnSequences: true, inputShape: [6, 3] }),
      lw.layers.simpleRNN({ units: 4, goBackwards: true, activation: 'relu' }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.simpleRNN({ units: 4, returnSequences: true, inputShape: [6, 3] }),
      tf.layers.simpleRNN({ units: 4, goBackwards: true, activation: 'relu' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  },
  {
    name: 'Dense MLP',
    data: (s) => vectors(16, s),
    ours: () => lw.sequential([
      lw.layers.dense({ units: 7, activation: 'relu', inputShape: [5] }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 7, activation: 'relu', inputShape: [5] }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  },
  {
    name: 'functional: LSTM with two Dense heads',
    data: (s) => sequences(10, s),
    ours: () => {
      const inp = lw.input({ shape: [6, 3], name: 'seq_in' });
      const h = lw.layers.lstm({ units: 4, name: 'encoder' }).apply(inp) as lw.layers.SymbolicTensor;
      const a = lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_a' }).apply(h) as lw.layers.SymbolicTensor;
      const b = lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_b' }).apply(h) as lw.layers.SymbolicTensor;
      return lw.model({ inputs: inp, outputs: [a, b], name: 'heads' });
    },
    tfjs: () => {
      const inp = tf.input({ shape: [6, 3], name: 'seq_in' });
      const h = tf.layers.lstm({ units: 4, name: 'encoder' }).apply(inp) as tf.SymbolicTensor;
      const a = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_a' }).apply(h) as tf.SymbolicTensor;
      const b = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_b' }).apply(h) as tf.SymbolicTensor;
      return tf.model({ inputs: inp, outputs: [a, b], name: 'heads' });
    },
  },
];

CASES.push(
  {
    name: 'Embedding(maskZero) + Bidirectional(LSTM, concat) + Bidirectional(GRU, sum) + Dense, padded ids',
    data: (s) => paddedIds(12, s),
    ours: () => lw.sequential([
      lw.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7, maskZero: true }),
      lw.layers.bidirectional({ layer: lw.layers.lstm({ units: 4, returnSequences: true }) }),
      lw.layers.bidirectional({ layer: lw.layers.gru({ units: 3, resetAfter: false }), mergeMode: 'sum' }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 6, inputLength: 7, maskZero: true }),
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 4, returnSequences: true }) as tf.RNN }),
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3 }) as tf.RNN, mergeMode: 'sum' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  },
  {
    name: 'Masking + LSTM(returnSequences) + TimeDistributed(Dense) + SimpleRNN + Dense, zero-padded steps',
    data: (s) => paddedSequences(12, s),
    ours: () => lw.sequential([
      lw.layers.masking({ maskValue: 0, inputShape: [6, 3] }),
      lw.layers.lstm({ units: 4, returnSequences: true }),
      lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 3, activation: 'tanh' }) }),
      lw.layers.simpleRNN({ units: 3 }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]),
    tfjs: () => tf.sequential({ layers: [
      tf.layers.masking({ maskValue: 0, inputShape: [6, 3] }),
      tf.layers.lstm({ units: 4, returnSequences: true }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'tanh' }) }),
      tf.layers.simpleRNN({ units: 3 }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] }),
  },
  {
    name: 'functional: LSTM and GRU branches joined by Concatenate',
    data: (s) => sequences(10, s),
    ours: () => {
      const inp = lw.input({ shape: [6, 3], name: 'seq_in' });
      const a = lw.layers.lstm({ units: 3, returnSequences: true, name: 'branch_lstm' }).apply(inp) as lw.layers.SymbolicTensor;
      const b = lw.layers.gru({ units: 2, returnSequences: true, resetAfter: false, name: 'branch_gru' }).apply(inp) as lw.layers.SymbolicTensor;
      const j = lw.layers.concatenate({ name: 'join' }).apply([a, b]) as lw.layers.SymbolicTensor;
      const f = lw.layers.flatten({ name: 'flat' }).apply(j) as lw.layers.SymbolicTensor;
      return lw.model({ inputs: inp, outputs: lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(f) as lw.layers.SymbolicTensor });
    },
    tfjs: () => {
      const inp = tf.input({ shape: [6, 3], name: 'seq_in' });
      const a = tf.layers.lstm({ units: 3, returnSequences: true, name: 'branch_lstm' }).apply(inp) as tf.SymbolicTensor;
      const b = tf.layers.gru({ units: 2, returnSequences: true, name: 'branch_gru' }).apply(inp) as tf.SymbolicTensor;
      const j = tf.layers.concatenate({ name: 'join' }).apply([a, b]) as tf.SymbolicTensor;
      const f = tf.layers.flatten({ name: 'flat' }).apply(j) as tf.SymbolicTensor;
      return tf.model({ inputs: inp, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(f) as tf.SymbolicTensor });
    },
  },
  {
    name: 'functional: SpatialDropout1D, Dot attention, GlobalAverage/MaxPooling1D, RepeatVector, Reshape',
    data: (s) => sequences(10, s),
    ours: () => {
      const L = lw.layers;
      type T = lw.layers.SymbolicTensor;
      const inp = lw.input({ shape: [6, 3], name: 'seq_in' });
      const h = L.spatialDropout1d({ rate: 0.2, name: 'drop' }).apply(L.lstm({ units: 4, returnSequences: true, name: 'enc' }).apply(inp) as T) as T;
      const [k, v] = ['keys', 'values'].map((name) => L.dense({ units: 4, name }).apply(h) as T);
      const att = L.activation({ activation: 'softmax', name: 'att' }).apply(L.dot({ axes: 2, name: 'scores' }).apply([h, k]) as T) as T;
      const context = L.dot({ axes: [2, 1], name: 'context' }).apply([att, v]) as T;
      const avg = L.globalAveragePooling1d({ name: 'avg' }).apply(context) as T;
      const max = L.globalMaxPooling1d({ name: 'max' }).apply(h) as T;
      const rep = L.reshape({ targetShape: [8], name: 'flat' }).apply(L.repeatVector({ n: 2, name: 'rep' }).apply(avg) as T) as T;
      const j = L.concatenate({ name: 'join' }).apply([rep, max]) as T;
      return lw.model({ inputs: inp, outputs: L.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(j) as T });
    },
    tfjs: () => {
      type T = tf.SymbolicTensor;
      const inp = tf.input({ shape: [6, 3], name: 'seq_in' });
      const h = tf.layers.spatialDropout1d({ rate: 0.2, name: 'drop' }).apply(tf.layers.lstm({ units: 4, returnSequences: true, name: 'enc' }).apply(inp) as T) as T;
      // Distinct keys and values: TF.js 4.22 fails (a disposed tensor) when an LSTM's output feeds two Dot layers.
      const [k, v] = ['keys', 'values'].map((name) => tf.layers.dense({ units: 4, name }).apply(h) as T);
      const att = tf.layers.activation({ activation: 'softmax', name: 'att' }).apply(tf.layers.dot({ axes: 2, name: 'scores' }).apply([h, k]) as T) as T;
      const context = tf.layers.dot({ axes: [2, 1], name: 'context' }).apply([att, v]) as T;
      const avg = tf.layers.globalAveragePooling1d({ name: 'avg' }).apply(context) as T;
      const max = tf.layers.globalMaxPooling1d({ name: 'max' }).apply(h) as T;
      const rep = tf.layers.reshape({ targetShape: [8], name: 'flat' }).apply(tf.layers.repeatVector({ n: 2, name: 'rep' }).apply(avg) as T) as T;
      const j = tf.layers.concatenate({ name: 'join' }).apply([rep, max]) as T;
      return tf.model({ inputs: inp, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }).apply(j) as T });
    },
  },
);

// Models inside models: names as TF.js writes them (weights under the inner layers' names, a
// nested model's applications numbered from 1), masks made and used inside the nested model.
CASES.push(
  {
    name: 'nested: an Embedding(maskZero) + LSTM encoder model applied twice, a Sequential head applied to both',
    data: (s) => paddedIds(12, s),
    ours: () => {
      const ids = lw.input({ shape: [7], name: 'enc_in' });
      const e = lw.layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true, name: 'enc_emb' }).apply(ids) as lw.layers.SymbolicTensor;
      const enc = lw.model({ inputs: ids, outputs: lw.layers.lstm({ units: 4, name: 'enc_lstm' }).apply(e) as lw.layers.SymbolicTensor, name: 'encoder' });
      const head = lw.sequential({ layers: [lw.layers.dense({ units: 3, activation: 'tanh', inputShape: [4], name: 'head_hidden' }), lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_out' })], name: 'head' });
      const x = lw.input({ shape: [7], name: 'ids' });
      const out = () => head.apply(enc.apply(x) as lw.layers.SymbolicTensor) as lw.layers.SymbolicTensor;
      return lw.model({ inputs: x, outputs: [out(), out()], name: 'nested' });
    },
    tfjs: () => {
      const ids = tf.input({ shape: [7], name: 'enc_in' });
      const e = tf.layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true, name: 'enc_emb' }).apply(ids) as tf.SymbolicTensor;
      const enc = tf.model({ inputs: ids, outputs: tf.layers.lstm({ units: 4, name: 'enc_lstm' }).apply(e) as tf.SymbolicTensor, name: 'encoder' });
      const head = tf.sequential({ layers: [tf.layers.dense({ units: 3, activation: 'tanh', inputShape: [4], name: 'head_hidden' }), tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_out' })], name: 'head' });
      const x = tf.input({ shape: [7], name: 'ids' });
      const out = () => head.apply(enc.apply(x) as tf.SymbolicTensor) as tf.SymbolicTensor;
      return tf.model({ inputs: x, outputs: [out(), out()], name: 'nested' });
    },
  },
  {
    name: 'nested: a Sequential of GRU + LSTM inside a Sequential',
    data: (s) => sequences(10, s),
    ours: () => lw.sequential({ layers: [
      lw.sequential({ layers: [lw.layers.gru({ units: 4, resetAfter: false, returnSequences: true, inputShape: [6, 3], name: 'in_gru' }), lw.layers.lstm({ units: 3, name: 'in_lstm' })], name: 'inner_rnn' }),
      lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'top' }),
    ], name: 'outer_rnn' }),
    tfjs: () => tf.sequential({ layers: [
      tf.sequential({ layers: [tf.layers.gru({ units: 4, returnSequences: true, inputShape: [6, 3], name: 'in_gru' }), tf.layers.lstm({ units: 3, name: 'in_lstm' })], name: 'inner_rnn' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'top' }),
    ], name: 'outer_rnn' }),
  },
);

const outputsOf = (m: LayersModel) => m.outputs.length;
const ourPredict = (m: LayersModel, x: Data['x']) => {
  const p = m.predict(lw.tensor(x as number[][]));
  return (Array.isArray(p) ? p : [p]).flatMap((t) => Array.from(t.dataSync()));
};
const tfPredict = (m: tf.LayersModel, x: Data['x']) => {
  const p = m.predict(tf.tensor(x)) as tf.Tensor | tf.Tensor[];
  return (Array.isArray(p) ? p : [p]).flatMap((t) => Array.from(t.dataSync()));
};

describe('lstm-wasm → TF.js: tf.loadLayersModel reads our files', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      lw.setSeed(100 + i);
      const { x, y } = c.data(i);
      const m = c.ours();
      m.compile({ optimizer: lw.train.adam({ learningRate: 0.01 }), loss: Array(outputsOf(m)).fill('binaryCrossentropy') });
      const ys = Array(outputsOf(m)).fill(lw.tensor(y));
      await m.fit(lw.tensor(x as number[][]), ys.length === 1 ? ys[0] : ys, { epochs: 1, batchSize: Math.ceil(x.length / 2), verbose: 0, seed: 1 });
      const name = `ours-${i}`;
      // The optimizer state rides along as 'optimizer'-group weights; TF.js must still load the file.
      await m.save(`file://${join(root, name)}`, { includeOptimizer: i === 0 });
      const theirs = await tf.loadLayersModel(`${base}/${name}/model.json`);
      expect(theirs.weights.length).toBe(m.weights.length);
      expectClose(tfPredict(theirs, x), ourPredict(m, x), 1e-5, 0, `${c.name}: TF.js vs lstm-wasm`);
    });
  });

  it('TF.js rejects GRU resetAfter true (the lstm-wasm default): save those with resetAfter false', async () => {
    const m = lw.sequential([lw.layers.gru({ units: 2, inputShape: [3, 2] })]);
    await m.save(`file://${join(root, 'reset-after')}`);
    await expect(tf.loadLayersModel(`${base}/reset-after/model.json`)).rejects.toThrow(/reset_after/);
  });
});

describe('TF.js → lstm-wasm: models built, trained and saved by TF.js load here', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const { x, y } = c.data(50 + i);
      const m = c.tfjs();
      m.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
      const ys = Array(m.outputs.length).fill(null).map(() => tf.tensor(y));
      await m.fit(tf.tensor(x), ys.length === 1 ? ys[0] : ys, { epochs: 1, batchSize: Math.ceil(x.length / 2), verbose: 0, shuffle: false });
      const name = `theirs-${i}`;
      await m.save(tf.io.http(`${base}/${name}`), { includeOptimizer: i === 0 });
      const files = JSON.parse(await readFile(join(root, name, 'model.json'), 'utf8'));
      expect(files.weightsManifest[0].paths).toEqual(['./model.weights.bin']);
      const ours = await loadModel(`file://${join(root, name, 'model.json')}`);
      expect(ours.weights.map((w) => w.path)).toEqual(m.weights.map((w) => w.originalName));
      expectClose(ourPredict(ours, x), tfPredict(m, x), 1e-5, 0, `${c.name}: lstm-wasm vs TF.js`);
      const overHttp = await loadModel(`${base}/${name}/model.json`);
      expect(ourPredict(overHttp, x)).toEqual(ourPredict(ours, x));
      if (i === 0) {
        // TF.js' trainingConfig compiles the model (a fresh optimizer: TF.js slots are not carried over).
        expect(ours.optimizer?.className).toBe('Adam');
        expect(ours.optimizer?.learningRate).toBeCloseTo(0.01, 8);
      }
    });
  });
});

// Saving and loading models that hold models: our TF.js-format files round-trip (the nested model a
// layer entry {class_name: 'Model' | 'Sequential', config, inbound_nodes, name}, its applications
// numbered from 1 as Keras 2 and TF.js number them, weights under the inner layers' names), and
// nested Keras 2 and Keras 3 configs load, checked against a float64 reference of their weights.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import type { JsonObject } from '../../ts/io/json.js';
import { randArray } from '../helpers/kernels.js';
import { checkLwError } from '../helpers/lw-error.js';

const rand = (shape: number[], seed: number) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed), shape);
const sym = (t: unknown) => t as SymbolicTensor;
const flat = (p: lw.Tensor | lw.Tensor[]) => (Array.isArray(p) ? p : [p]).flatMap((t) => Array.from(t.dataSync()));
const summary = (m: lw.LayersModel) => m.summary(100, () => undefined);

/** ids [7] → Embedding(maskZero) → LSTM(sequences) → GRU(sequences): an encoder whose mask leaves it. */
function encoder(): lw.LayersModel {
  const ids = lw.input({ shape: [7], name: 'enc_ids' });
  const e = lw.layers.embedding({ inputDim: 12, outputDim: 4, maskZero: true, name: 'enc_embedding' }).apply(ids);
  const h = lw.layers.lstm({ units: 3, returnSequences: true, name: 'enc_lstm' }).apply(sym(e));
  return lw.model({ inputs: ids, outputs: sym(lw.layers.gru({ units: 3, returnSequences: true, resetAfter: false, name: 'enc_gru' }).apply(sym(h))), name: 'encoder' });
}

/**
 * Two id inputs through one shared encoder, a per-step model in a TimeDistributed, a Sequential
 * head: every way a model nests, with masks crossing the nested models' boundaries.
 */
function nestedModel(): lw.LayersModel {
  const enc = encoder();
  const s = lw.input({ shape: [3], name: 'step_in' });
  const perStep = lw.model({ inputs: s, outputs: sym(lw.layers.dense({ units: 2, activation: 'tanh', name: 'step_dense' }).apply(s)), name: 'per_step' });
  const head = lw.sequential({ layers: [lw.layers.lstm({ units: 2, inputShape: [7, 4], name: 'head_lstm' }), lw.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_out' })], name: 'head' });
  const a = lw.input({ shape: [7], name: 'ids_a' });
  const b = lw.input({ shape: [7], name: 'ids_b' });
  const td = lw.layers.timeDistributed({ layer: perStep, name: 'td_step' });
  const joined = lw.layers.concatenate({ name: 'join' }).apply([sym(td.apply(sym(enc.apply(a)))), sym(td.apply(sym(enc.apply(b))))]);
  return lw.model({ inputs: [a, b], outputs: [sym(head.apply(sym(joined))), sym(enc.apply(a))], name: 'nested' });
}

const ids = (seed: number) => {
  const r = randArray(5 * 7, seed);
  return lw.tensor(r.map((v, i) => (i % 7 >= 4 + (i % 3) ? 0 : 1 + Math.floor(Math.abs(v) * 11) % 11)), [5, 7]);
};

/** Layer entry `name` of a functional config. */
const entry = (config: JsonObject, name: string) => (config.layers as JsonObject[]).find((l) => l.name === name)!;

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('nested models round-trip through our files', () => {
  it('same predictions, summary and weight names; nested entries as TF.js writes them', async () => {
    lw.setSeed(1);
    const m = nestedModel();
    const x = [ids(2), ids(3)];
    const artifacts = m.toArtifacts();
    const topology = artifacts.modelTopology as JsonObject;
    const config = topology.config as JsonObject;
    expect((config.layers as JsonObject[]).map((l) => `${l.name} ${l.class_name}`)).toEqual([
      'ids_a InputLayer', 'encoder Model', 'td_step TimeDistributed', 'ids_b InputLayer', 'join Concatenate', 'head Sequential',
    ]);
    const enc = entry(config, 'encoder');
    // Its own graph is node 0: the three applications are nodes 1, 2, 3 (TF.js, Keras 2).
    expect(enc.inbound_nodes).toEqual([[['ids_a', 0, 0, {}]], [['ids_b', 0, 0, {}]], [['ids_a', 0, 0, {}]]]);
    expect(entry(config, 'td_step').inbound_nodes).toEqual([[['encoder', 1, 0, {}]], [['encoder', 2, 0, {}]]]);
    expect(entry(config, 'head').inbound_nodes).toEqual([[['join', 0, 0, {}]]]);
    expect(config.output_layers).toEqual([['head', 1, 0], ['encoder', 3, 0]]);
    expect(enc.config).toMatchObject({ name: 'encoder', input_layers: [['enc_ids', 0, 0]], output_layers: [['enc_gru', 0, 0]] });
    expect((entry(config, 'td_step').config as JsonObject).layer).toMatchObject({ class_name: 'Model', config: { name: 'per_step' } });
    expect(entry(config, 'head').config).toMatchObject({ name: 'head', layers: [{ class_name: 'LSTM' }, { class_name: 'Dense' }] });
    // Weights are named by the layers holding them, without the models' names (TF.js).
    expect(artifacts.weightSpecs!.map((s) => s.name)).toEqual(m.weights.map((w) => w.path));
    expect(m.weights.map((w) => w.path)).toContain('enc_lstm/recurrent_kernel');
    expect(m.weights.map((w) => w.path)).toContain('step_dense/kernel');

    const loaded = await lw.loadModel(artifacts);
    expect(flat(loaded.predict(x))).toEqual(flat(m.predict(x)));
    expect(summary(loaded)).toBe(summary(m));
    expect(loaded.weights.map((w) => w.path)).toEqual(m.weights.map((w) => w.path));
    // Loaded, the encoder is one model applied three times: its weights once.
    expect(loaded.countParams()).toBe(m.countParams());
    expect(flat((loaded.getLayer('encoder') as lw.LayersModel).predict(x[0]))).toEqual(flat((m.getLayer('encoder') as lw.LayersModel).predict(x[0])));
  });

  it('with the optimizer: training resumes as if never saved (simd: float32 as saved); a frozen nested model stays frozen', async () => {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(4);
    const m = nestedModel();
    (m.getLayer('head') as lw.LayersModel).trainable = false;
    const compile = { optimizer: lw.train.adam({ learningRate: 0.02 }), loss: ['binaryCrossentropy', 'meanSquaredError'] };
    m.compile(compile);
    const x = [ids(5), ids(6)];
    const y = [lw.tensor([[1], [0], [1], [1], [0]]), rand([5, 7, 3], 7)];
    m.trainOnBatch(x, y);
    const dir = await mkdtemp(join(tmpdir(), 'lw-nested-'));
    try {
      await m.save(`file://${dir}`, { includeOptimizer: true });
      const loaded = await lw.loadModel(`file://${join(dir, 'model.json')}`);
      expect(loaded.getLayer('head').trainable).toBe(false);
      expect(loaded.trainableWeights.map((w) => w.path)).toEqual(m.trainableWeights.map((w) => w.path));
      m.trainOnBatch(x, y);
      loaded.trainOnBatch(x, y);
      expect(loaded.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(m.getWeights().map((t) => Array.from(t.dataSync())));
    } finally {
      await rm(dir, { recursive: true, force: true });
      await lw.ready({ backend: 'js' });
    }
  });

  it('a Sequential holding a Sequential and a functional model', async () => {
    lw.setSeed(8);
    const i = lw.input({ shape: [4], name: 'fn_in' });
    const fn = lw.model({ inputs: i, outputs: sym(lw.layers.dense({ units: 3, activation: 'relu', name: 'fn_dense' }).apply(i)), name: 'fn' });
    const inner = lw.sequential({ layers: [lw.layers.dense({ units: 4, inputShape: [5], name: 'seq_dense' })], name: 'inner_seq' });
    const outer = lw.sequential({ layers: [inner, fn, lw.layers.dense({ units: 1, name: 'out' })], name: 'outer_seq' });
    const topology = outer.toArtifacts().modelTopology as JsonObject;
    const layers = (topology.config as JsonObject).layers as JsonObject[];
    expect(layers.map((l) => l.class_name)).toEqual(['Sequential', 'Model', 'Dense']);
    // A nested model carries its own input shape: none is added to its config.
    expect((layers[0].config as JsonObject).batch_input_shape).toBeUndefined();
    const loaded = await lw.loadModel(outer.toArtifacts());
    const x = rand([3, 5], 9);
    expect(flat(loaded.predict(x))).toEqual(flat(outer.predict(x)));
    expect(summary(loaded)).toBe(summary(outer));
  });
});

/** float32 weights as TF.js artifacts: specs in order and their bytes. */
function weightsOf(named: [string, number[], number[]][]) {
  const values = named.flatMap(([, , v]) => v);
  return {
    weightSpecs: named.map(([name, shape]) => ({ name, shape, dtype: 'float32' as const })),
    weightData: Float32Array.from(values).buffer,
  };
}

const K1 = [0.5, -0.25, 0.75, 0.1, -0.6, 0.3];
const B1 = [0.05, -0.1];
const K2 = [1.5, -0.5];
const B2 = [0.2];
const WEIGHTS: [string, number[], number[]][] = [['d1/kernel', [3, 2], K1], ['d1/bias', [2], B1], ['d2/kernel', [2, 1], K2], ['d2/bias', [1], B2]];
const X = [[0.3, -0.7, 0.9], [1.2, 0.4, -0.5]];

/** x → tanh(x·K1 + B1) → ·K2 + B2 in float64 with the float32 weights: [inner output, final output] per row. */
function reference(): { inner: number[]; out: number[] } {
  const f = (v: number) => Math.fround(v);
  const inner: number[] = [];
  const out: number[] = [];
  for (const x of X) {
    const h = [0, 1].map((j) => Math.tanh(f(B1[j]) + x.reduce((s, xi, i) => s + f(xi) * f(K1[i * 2 + j]), 0)));
    inner.push(...h);
    out.push(f(B2[0]) + h[0] * f(K2[0]) + h[1] * f(K2[1]));
  }
  return { inner, out };
}

const dense = (name: string, units: number, activation: string, extra: JsonObject = {}) => ({
  name, trainable: true, dtype: 'float32', units, activation, use_bias: true,
  kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null, ...extra,
});

/** tf.keras 2.x: a Functional model holding a Functional and a Sequential (InputLayer first), lists for nodes. */
const KERAS2 = {
  keras_version: '2.13.1', backend: 'tensorflow',
  model_config: {
    class_name: 'Functional',
    config: {
      name: 'outer',
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'x' }, name: 'x', inbound_nodes: [] },
        {
          class_name: 'Functional', name: 'inner', inbound_nodes: [[['x', 0, 0, {}]]],
          config: {
            name: 'inner',
            layers: [
              { class_name: 'InputLayer', config: { batch_input_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'inner_in' }, name: 'inner_in', inbound_nodes: [] },
              { class_name: 'Dense', config: dense('d1', 2, 'tanh'), name: 'd1', inbound_nodes: [[['inner_in', 0, 0, {}]]] },
            ],
            input_layers: [['inner_in', 0, 0]], output_layers: [['d1', 0, 0]],
          },
        },
        {
          class_name: 'Sequential', name: 'seq', inbound_nodes: [[['inner', 1, 0, {}]]],
          config: {
            name: 'seq',
            layers: [
              { class_name: 'InputLayer', config: { batch_input_shape: [null, 2], dtype: 'float32', sparse: false, ragged: false, name: 'seq_in' } },
              { class_name: 'Dense', config: dense('d2', 1, 'linear') },
            ],
          },
        },
      ],
      input_layers: [['x', 0, 0]],
      output_layers: [['seq', 1, 0], ['inner', 1, 0]],
    },
  },
};

const k3tensor = (shape: (number | null)[], history: [string, number, number]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: history } });
const k3 = (module: string, className: string, config: JsonObject, extra: JsonObject = {}) => ({ module, class_name: className, config, registered_name: null, ...extra });
const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/**
 * Keras 3: module / registered_name / build_config, inbound nodes as {args, kwargs} with
 * __keras_tensor__ histories counting a nested model's applications from 0, while output_layers
 * counts a Functional's from 1 and a Sequential's from 0.
 */
const KERAS3 = k3('keras.src.models.functional', 'Functional', {
  name: 'outer', trainable: true,
  layers: [
    k3('keras.layers', 'InputLayer', { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'x' }, { name: 'x', inbound_nodes: [] }),
    k3('keras.src.models.functional', 'Functional', {
      name: 'inner', trainable: true,
      layers: [
        k3('keras.layers', 'InputLayer', { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'inner_in' }, { name: 'inner_in', inbound_nodes: [] }),
        k3('keras.layers', 'Dense', dense('d1', 2, 'tanh', { dtype: policy }), { build_config: { input_shape: [null, 3] }, name: 'd1', inbound_nodes: [{ args: [k3tensor([null, 3], ['inner_in', 0, 0])], kwargs: {} }] }),
      ],
      input_layers: [['inner_in', 0, 0]], output_layers: [['d1', 0, 0]],
    }, { registered_name: 'Functional', build_config: { input_shape: [null, 3] }, name: 'inner', inbound_nodes: [{ args: [k3tensor([null, 3], ['x', 0, 0])], kwargs: { mask: null } }] }),
    k3('keras', 'Sequential', {
      name: 'seq', trainable: true, dtype: policy,
      layers: [
        k3('keras.layers', 'InputLayer', { batch_shape: [null, 2], dtype: 'float32', sparse: false, name: 'seq_in' }),
        k3('keras.layers', 'Dense', dense('d2', 1, 'linear', { dtype: policy }), { build_config: { input_shape: [null, 2] } }),
      ],
      build_input_shape: [null, 2],
    }, { build_config: { input_shape: [null, 2] }, name: 'seq', inbound_nodes: [{ args: [k3tensor([null, 2], ['inner', 0, 0])], kwargs: { mask: null } }] }),
  ],
  input_layers: [['x', 0, 0]],
  output_layers: [['seq', 0, 0], ['inner', 1, 0]],
}, { registered_name: 'Functional', build_config: { input_shape: [null, 3] } });

describe('nested Keras configs load', () => {
  it.each([
    ['Keras 2 (tf.keras)', KERAS2],
    ['Keras 3', { model_config: KERAS3 }],
  ])('%s: a Functional and a Sequential inside a Functional model, predictions from their weights', async (_label, topology) => {
    const m = await lw.loadModel({ modelTopology: topology as JsonObject, format: 'layers-model', ...weightsOf(WEIGHTS) });
    expect(m.layers.map((l) => `${l.name} ${l.className}`)).toEqual(['x InputLayer', 'inner Model', 'seq Sequential']);
    const [out, inner] = m.predict(lw.tensor(X)) as lw.Tensor[];
    const want = reference();
    const close = (got: lw.Tensor, exp: number[]) => Array.from(got.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(exp[i], 6));
    close(out, want.out);
    close(inner, want.inner);
    expect(m.weights.map((w) => w.path)).toEqual(['d1/kernel', 'd1/bias', 'd2/kernel', 'd2/bias']);
  });

  it('weights saved under the nested model\'s name (inner/d1/kernel) are found too', async () => {
    const renamed = WEIGHTS.map(([n, s, v], i): [string, number[], number[]] => [i < 2 ? `inner/${n}` : `seq/${n}`, s, v]);
    const m = await lw.loadModel({ modelTopology: KERAS2 as JsonObject, format: 'layers-model', ...weightsOf(renamed) });
    expect(flat(m.predict(lw.tensor(X)))).toEqual(flat((await lw.loadModel({ modelTopology: KERAS2 as JsonObject, format: 'layers-model', ...weightsOf(WEIGHTS) })).predict(lw.tensor(X))));
  });
});

describe('bad nested configs are BAD_MODEL_FILE naming the entry', () => {
  const load = async (topology: unknown) => {
    try {
      await lw.loadModel({ modelTopology: topology as JsonObject, format: 'layers-model', ...weightsOf(WEIGHTS) });
    } catch (e) {
      return e;
    }
    return null;
  };
  const edited = (edit: (c: JsonObject) => void) => {
    const t = structuredClone(KERAS2);
    edit(t.model_config.config as unknown as JsonObject);
    return t;
  };

  it('a reference to the nested model\'s own node 0', async () => {
    const t = edited((c) => {
      ((c.layers as JsonObject[])[2].inbound_nodes as unknown[][][])[0][0][1] = 0;
    });
    checkLwError(await load(t), 'BAD_MODEL_FILE', [/names node 0 of model "inner", its own graph/]);
  });

  it('a nested model without layers, or with a layer that does not fit', async () => {
    checkLwError(await load(edited((c) => delete ((c.layers as JsonObject[])[1].config as JsonObject).layers)), 'BAD_MODEL_FILE', [/layer 1 "inner" \(Functional\)/, /layers/]);
    const t = edited((c) => {
      (((c.layers as JsonObject[])[2].config as JsonObject).layers as JsonObject[])[0].config = { batch_input_shape: [null, 5], dtype: 'float32', name: 'seq_in' };
    });
    checkLwError(await load(t), 'BAD_MODEL_FILE', [/seq/, /\[None, 5\]/]);
  });
});

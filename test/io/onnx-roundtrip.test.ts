// lstm-wasm → ONNX → lstm-wasm: models exported by lw.export.onnx (another producer's graphs than
// torch's: goBackwards as a reversing Slice, Bidirectional's Transpose [2, 0, 1, 3] + Reshape, its
// final states' Transpose + Reshape) load back as layers predicting the same values (1e-6); what the
// importer does not map (the masks' TopK / CumSum graph) is UNSUPPORTED naming the node.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';

const L = lw.layers;
const B = 3, T = 5, I = 4, V = 9;

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

const seq = (layers: lw.layers.Layer[]) => () => lw.sequential({ layers });
const floats = (rng: lw.Random) => lw.tensor(Float32Array.from({ length: B * T * I }, () => rng.uniform(-2, 2)), [B, T, I]);
const ids = () => lw.tensor(Int32Array.from({ length: B * T }, (_, i) => 1 + ((i * 7) % (V - 1))), [B, T], 'int32');

const CASES: { name: string; build: () => lw.LayersModel; input: (rng: lw.Random) => lw.Tensor; layers: string[] }[] = [
  { name: 'Embedding → LSTM → Dense softmax', build: seq([L.embedding({ inputDim: V, outputDim: 4, inputShape: [T] }), L.lstm({ units: 3 }), L.dense({ units: 2, activation: 'softmax' })]), input: ids, layers: ['Embedding', 'LSTM', 'Dense', 'Activation'] },
  { name: 'GRU sequences → Dense on every step', build: seq([L.gru({ units: 3, returnSequences: true, inputShape: [T, I] }), L.dense({ units: 2 })]), input: floats, layers: ['GRU', 'Dense'] },
  { name: 'GRU resetAfter false', build: seq([L.gru({ units: 3, resetAfter: false, inputShape: [T, I] })]), input: floats, layers: ['GRU'] },
  { name: 'Bidirectional LSTM sequences (concat)', build: seq([L.bidirectional({ layer: L.lstm({ units: 3, returnSequences: true }), inputShape: [T, I] })]), input: floats, layers: ['Bidirectional'] },
  { name: 'Bidirectional GRU last outputs (concat)', build: seq([L.bidirectional({ layer: L.gru({ units: 3 }), inputShape: [T, I] })]), input: floats, layers: ['Bidirectional', 'Concatenate'] },
  { name: 'SimpleRNN goBackwards sequences → LSTM goBackwards', build: seq([L.simpleRNN({ units: 3, goBackwards: true, returnSequences: true, inputShape: [T, I] }), L.lstm({ units: 2, goBackwards: true })]), input: floats, layers: ['SimpleRNN', 'LSTM'] },
  { name: 'LSTM with peepholes → Dense sigmoid', build: seq([L.lstm({ units: 3, usePeepholes: true, inputShape: [T, I] }), L.dense({ units: 1, activation: 'sigmoid' })]), input: floats, layers: ['LSTM', 'Dense', 'Activation'] },
];

describe('lw.export.onnx then lw.loadModel', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const model = c.build();
      const rng = new lw.Random(11);
      model.setWeights(model.getWeights().map((w) => lw.tensor(Float32Array.from(w.dataSync(), () => rng.uniform(-0.6, 0.6)), [...w.shape])));
      const x = c.input(rng);
      const back = await lw.loadModel(await lw.export.onnx(model));
      expect(back.layers.map((l) => l.className).filter((n) => n !== 'InputLayer')).toEqual(c.layers);
      const want = (model.predict(x) as lw.Tensor).dataSync(), got = (back.predict(x) as lw.Tensor).dataSync();
      expect(got.length).toBe(want.length);
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      expect(diff).toBeLessThan(1e-6);
      model.dispose();
      back.dispose();
    });
  }

  it('a masked model\'s graph (TopK, GatherElements, CumSum) is UNSUPPORTED naming a node', async () => {
    const model = lw.sequential({ layers: [L.embedding({ inputDim: V, outputDim: 4, maskZero: true, inputShape: [T] }), L.lstm({ units: 3 })] });
    const e = await lw.loadModel(await lw.export.onnx(model)).catch((x) => x);
    expect(e).toBeInstanceOf(lw.LwError);
    expect(e.code).toBe('UNSUPPORTED');
    expect(typeof e.details.node).toBe('string');
    expect(typeof e.details.opType).toBe('string');
    model.dispose();
  });
});

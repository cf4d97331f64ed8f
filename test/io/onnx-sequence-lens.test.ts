// ONNX recurrent operators with per-sample lengths (sequence_lens as a graph input): loaded, each
// sample runs its first `length` steps, Y is zero past them and Y_h is the state at the last valid
// step — checked against onnxruntime-node on the same file. The files are lstm-wasm's own exports
// with a sequence_lens input added to the recurrent node.
import { describe, it, expect, beforeAll } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { decodeModelProto, encodeModelProto } from '../../ts/io/onnx/proto.js';
import { randArray } from '../helpers/kernels.js';

const [B, T, F] = [4, 6, 3];
const LENGTHS = [6, 3, 1, 5];

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

/** `layer` over [T, F] inputs exported to ONNX, its recurrent node given a `seq_lens` int32 [batch] input. */
async function withLengths(layer: lw.layers.Layer): Promise<Uint8Array> {
  const x = lw.input({ shape: [T, F], name: 'x' });
  const model = lw.model({ inputs: x, outputs: layer.apply(x) as SymbolicTensor });
  const proto = (await decodeModelProto(await lw.export.onnx(model))) as any;
  const node = proto.graph.node.find((n: any) => ['LSTM', 'GRU', 'RNN'].includes(n.op_type));
  while (node.input.length < 5) node.input.push('');
  node.input[4] = 'seq_lens';
  proto.graph.input.push({ name: 'seq_lens', type: { tensor_type: { elem_type: 6, shape: { dim: [{ dim_param: 'batch' }] } } } });
  return encodeModelProto(proto);
}

async function expectLikeOnnxruntime(bytes: Uint8Array) {
  const xs = Float32Array.from(randArray(B * T * F, 7));
  const session = await ort.InferenceSession.create(bytes);
  const [inName, lensName] = session.inputNames;
  const ran = await session.run({ [inName]: new ort.Tensor('float32', xs, [B, T, F]), [lensName]: new ort.Tensor('int32', Int32Array.from(LENGTHS), [B]) });
  const want = ran[session.outputNames[0]].data as Float32Array;
  const model = await lw.loadModel(bytes);
  expect(model.inputs).toHaveLength(2);
  const got = (model.predict([lw.tensor(xs, [B, T, F]), lw.tensor(LENGTHS)]) as lw.Tensor).dataSync();
  expect(got.length).toBe(want.length);
  let worst = 0;
  want.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - got[i])); });
  expect(worst).toBeLessThan(1e-5);
  return { got, model };
}

describe('sequence_lens as a graph input', () => {
  it('LSTM sequences: each sample runs its own steps, zeros past its length', async () => {
    const { got } = await expectLikeOnnxruntime(await withLengths(lw.layers.lstm({ units: 4, returnSequences: true })));
    // Sample 1 has length 3: its steps 3..5 are zeros; sample 0 (full length) has none.
    const U = 4;
    for (let t = 3; t < T; t++) for (let u = 0; u < U; u++) expect(got[(1 * T + t) * U + u]).toBe(0);
    expect(Array.from(got.slice((0 * T + 5) * U, (0 * T + 6) * U)).some((v) => v !== 0)).toBe(true);
  });

  it('GRU final state (Y_h): the state at each sample\'s last valid step', async () => {
    await expectLikeOnnxruntime(await withLengths(lw.layers.gru({ units: 5 })));
  });

  it('bidirectional SimpleRNN sequences: both directions over each sample\'s own steps', async () => {
    await expectLikeOnnxruntime(await withLengths(lw.layers.bidirectional({ layer: lw.layers.simpleRNN({ units: 3, returnSequences: true }) })));
  });

  it('the loaded model trains (the lengths are data, not a weight) and saves in lstm-wasm\'s format', async () => {
    const { model } = await expectLikeOnnxruntime(await withLengths(lw.layers.lstm({ units: 4 })));
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = lw.tensor(Float32Array.from(randArray(B * T * F, 8)), [B, T, F]);
    const before = model.evaluate([x, lw.tensor(LENGTHS)], lw.tensor(new Float32Array(B * 4), [B, 4])) as number;
    for (let i = 0; i < 5; i++) model.trainOnBatch([x, lw.tensor(LENGTHS)], lw.tensor(new Float32Array(B * 4), [B, 4]));
    expect(model.evaluate([x, lw.tensor(LENGTHS)], lw.tensor(new Float32Array(B * 4), [B, 4])) as number).toBeLessThan(before);
    const back = await lw.loadModel(model.toArtifacts());
    expect(Array.from((back.predict([x, lw.tensor(LENGTHS)]) as lw.Tensor).dataSync())).toEqual(Array.from((model.predict([x, lw.tensor(LENGTHS)]) as lw.Tensor).dataSync()));
  });
});

// Keras' own cells (LSTMCell, GRUCell, SimpleRNNCell) under lw.layers.rnn, as files holding
// `RNN(cell)` need them: the same outputs as the fused layers with the same weights, saved and
// loaded by class name, read from Keras configs (activations by the file's Keras version), and
// what they cannot run refused.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { expectClose, randArray } from '../helpers/kernels.js';

const [B, T, F, U] = [3, 5, 2, 4];
const x = () => lw.tensor(randArray(B * T * F, 1), [B, T, F]);

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

const CASES = [
  ['LSTMCell', () => lw.layers.lstmCell({ units: U }), () => lw.layers.lstm({ units: U, returnSequences: true })],
  ['GRUCell resetAfter', () => lw.layers.gruCell({ units: U }), () => lw.layers.gru({ units: U, returnSequences: true })],
  ['GRUCell resetAfter false', () => lw.layers.gruCell({ units: U, resetAfter: false }), () => lw.layers.gru({ units: U, returnSequences: true, resetAfter: false })],
  ['SimpleRNNCell', () => lw.layers.simpleRNNCell({ units: U, activation: 'relu' }), () => lw.layers.simpleRNN({ units: U, returnSequences: true, activation: 'relu' })],
] as const;

describe.each(CASES)('%s', (_name, cell, fused) => {
  function pair() {
    const input = lw.input({ shape: [T, F] });
    const viaCell = lw.model({ inputs: input, outputs: lw.layers.rnn({ cell: cell(), returnSequences: true }).apply(input) as SymbolicTensor });
    const input2 = lw.input({ shape: [T, F] });
    const f = fused();
    const viaFused = lw.model({ inputs: input2, outputs: f.apply(input2) as SymbolicTensor });
    f.setWeights(viaCell.getWeights());
    return { viaCell, viaFused };
  }

  it('computes what the fused layer computes with the same weights', () => {
    const { viaCell, viaFused } = pair();
    expectClose((viaCell.predict(x()) as lw.Tensor).dataSync(), (viaFused.predict(x()) as lw.Tensor).dataSync(), 1e-10, 1e-10, 'cell vs fused');
  });

  it('saves and loads by its class name', async () => {
    const { viaCell } = pair();
    const loaded = await lw.loadModel(viaCell.toArtifacts());
    expect(Array.from((loaded.predict(x()) as lw.Tensor).dataSync())).toEqual(Array.from((viaCell.predict(x()) as lw.Tensor).dataSync()));
  });
});

describe('Keras RNN(cell) configs', () => {
  const rnnConfig = (cell: Record<string, unknown>, kerasVersion?: string) => ({
    modelTopology: {
      ...(kerasVersion ? { keras_version: kerasVersion } : {}),
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'RNN', config: { name: 'rnn', batch_input_shape: [null, T, F], return_sequences: true, cell } }] },
    },
  });
  const lstmCell = (extra: Record<string, unknown> = {}) => ({ class_name: 'LSTMCell', config: { name: 'lstm_cell', units: U, activation: 'tanh', recurrent_activation: 'hard_sigmoid', use_bias: true, unit_forget_bias: true, kernel_regularizer: null, dropout: 0, ...extra } });

  it('hard_sigmoid means what the file\'s Keras version means', async () => {
    const weightsOf = async (version?: string) => lw.loadModel(rnnConfig(lstmCell(), version) as never);
    // Without weights in the artifacts the load fails on them; build from the config alone instead.
    const k2 = await weightsOf().catch((e) => e);
    expect(k2.message).toMatch(/missing from the file/);
    const { layerFromJson } = await import('../../ts/layers/registry.js');
    const layer2 = layerFromJson(rnnConfig(lstmCell()).modelTopology.config.layers[0], 'layer 0', 2) as lw.layers.RNN;
    const layer3 = layerFromJson(rnnConfig(lstmCell()).modelTopology.config.layers[0], 'layer 0', 3) as lw.layers.RNN;
    expect((layer2.cells[0].cell as lw.layers.LSTMCell).recurrentActivation).toBe('hardSigmoid');
    expect((layer3.cells[0].cell as lw.layers.LSTMCell).recurrentActivation).toBe('hardSigmoidKeras3');
  });

  it('Keras 3\'s hard_sigmoid in a cell is x/6 + 1/2, clamped', () => {
    const input = lw.input({ shape: [T, F] });
    const c = lw.layers.simpleRNNCell({ units: U, activation: 'hardSigmoidKeras3' });
    const m = lw.model({ inputs: input, outputs: lw.layers.rnn({ cell: c, returnSequences: true }).apply(input) as SymbolicTensor });
    const input2 = lw.input({ shape: [T, F] });
    const f = lw.layers.simpleRNN({ units: U, returnSequences: true, activation: 'hardSigmoidKeras3' });
    const fused = lw.model({ inputs: input2, outputs: f.apply(input2) as SymbolicTensor });
    f.setWeights(m.getWeights());
    expectClose((m.predict(x()) as lw.Tensor).dataSync(), (fused.predict(x()) as lw.Tensor).dataSync(), 1e-10, 1e-10, 'hardSigmoidKeras3 cell');
  });

  it('refuses dropout inside a cell, options it has not got and activations it cannot run', async () => {
    const { layerFromJson } = await import('../../ts/layers/registry.js');
    const layer = (cell: Record<string, unknown>) => () => layerFromJson(rnnConfig(cell).modelTopology.config.layers[0], 'layer 0');
    expect(layer(lstmCell({ dropout: 0.2 }))).toThrow(/UNSUPPORTED.*dropout inside a cell/);
    expect(layer(lstmCell({ kernel_regularizer: { class_name: 'L2', config: { l2: 0.1 } } }))).toThrow(/UNSUPPORTED.*no option "kernel_regularizer"/);
    expect(layer(lstmCell({ activation: 'softmax' }))).toThrow(/UNSUPPORTED.*activation "softmax"/);
  });
});

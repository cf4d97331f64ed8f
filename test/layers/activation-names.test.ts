// Activation names in layers and files: Keras 3's hard_sigmoid ('hardSigmoidKeras3') in Dense,
// Activation and as the (recurrent) activation of LSTM, GRU and SimpleRNN, saved as
// hard_sigmoid_keras3 and loaded back; kerasActivationName maps a Keras file's name by version.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { KERAS_ACTIVATION, kerasActivationName } from '../../ts/layers/activation-names.js';
import { ActivationCode } from '../../ts/backend/abi.js';
import type { ActivationName } from '../../ts/backend/kernels/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';
import { randArray } from '../helpers/kernels.js';
import { checkModelGradients, probedInput } from '../helpers/layer-checks.js';

const rand = (shape: number[], seed: number, scale = 1) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
const hardSigmoid3 = (v: number) => Math.min(6, Math.max(0, v + 3)) / 6;

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('kerasActivationName', () => {
  it('maps hard_sigmoid by Keras version and every other name as resolveActivation does', () => {
    expect(kerasActivationName('hard_sigmoid', 3)).toBe('hardSigmoidKeras3');
    expect(kerasActivationName('hard_sigmoid', 4)).toBe('hardSigmoidKeras3');
    expect(kerasActivationName('hard_sigmoid', 2)).toBe('hardSigmoid');
    expect(kerasActivationName('hard_sigmoid', 1)).toBe('hardSigmoid');
    for (const v of [2, 3]) {
      expect(kerasActivationName('sigmoid', v)).toBe('sigmoid');
      expect(kerasActivationName('tanh', v)).toBe('tanh');
      expect(kerasActivationName('softmax', v)).toBe('softmax');
    }
  });

  it('unknown names and versions are BAD_ARGUMENT naming them', () => {
    expectLwErrorSync(() => kerasActivationName('swish', 3), 'BAD_ARGUMENT', /unknown activation "swish"/, /hardSigmoidKeras3/);
    expectLwErrorSync(() => kerasActivationName('relu', 0), 'BAD_ARGUMENT', /kerasMajorVersion .* got 0/);
    expectLwErrorSync(() => kerasActivationName('relu', 2.5), 'BAD_ARGUMENT', /kerasMajorVersion/);
  });

  it('every activation has a Keras name that resolves back to it', () => {
    for (const name of Object.keys(ActivationCode) as ActivationName[]) {
      expect(KERAS_ACTIVATION[name], name).toBeDefined();
      expect(lw.layers.activation({ activation: KERAS_ACTIVATION[name] }).activation).toBe(name);
    }
    expect(KERAS_ACTIVATION.hardSigmoidKeras3).toBe('hard_sigmoid_keras3');
  });
});

describe('hardSigmoidKeras3 in layers', () => {
  it('an Activation layer computes relu6(x + 3)/6 (not TF.js 0.2x + 0.5)', () => {
    const m = lw.sequential([lw.layers.activation({ activation: 'hardSigmoidKeras3', inputShape: [5] })]);
    const x = [-4, -1.5, 0, 1, 2.9];
    const y = (m.predict(lw.tensor([x])) as lw.Tensor).dataSync();
    x.forEach((v, i) => expect(y[i]).toBeCloseTo(hardSigmoid3(v), 6));
    expect(y[3]).not.toBeCloseTo(0.7, 3);
  });

  it('Dense, LSTM, GRU and SimpleRNN take it; configs say hard_sigmoid_keras3; a saved model loads and predicts the same', async () => {
    const inp = lw.input({ shape: [4, 3] });
    const a = lw.layers.lstm({ units: 3, recurrentActivation: 'hardSigmoidKeras3', returnSequences: true, name: 'l' }).apply(inp) as SymbolicTensor;
    const b = lw.layers.gru({ units: 3, activation: 'hardSigmoidKeras3', recurrentActivation: 'hard_sigmoid_keras3', returnSequences: true, name: 'g' }).apply(a) as SymbolicTensor;
    const c = lw.layers.simpleRNN({ units: 2, activation: 'hardSigmoidKeras3', name: 's' }).apply(b) as SymbolicTensor;
    const out = lw.layers.dense({ units: 2, activation: 'hardSigmoidKeras3', name: 'd' }).apply(c) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    expect(m.getLayer('l').getConfig().recurrent_activation).toBe('hard_sigmoid_keras3');
    expect(m.getLayer('g').getConfig()).toMatchObject({ activation: 'hard_sigmoid_keras3', recurrent_activation: 'hard_sigmoid_keras3' });
    expect(m.getLayer('s').getConfig().activation).toBe('hard_sigmoid_keras3');
    expect(m.getLayer('d').getConfig().activation).toBe('hard_sigmoid_keras3');
    const x = rand([5, 4, 3], 1, 2);
    const loaded = await lw.loadModel(m.toArtifacts());
    expect(loaded.getLayer('l').getConfig().recurrent_activation).toBe('hard_sigmoid_keras3');
    expect(Array.from((loaded.predict(x) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as lw.Tensor).dataSync()));
  });

  it('gradients through an LSTM with recurrentActivation hardSigmoidKeras3 and a Dense with it match finite differences', () => {
    const [inp, probed, zeros] = probedInput([3, 4, 2], 5);
    const h = lw.layers.lstm({ units: 3, recurrentActivation: 'hardSigmoidKeras3' }).apply(probed) as SymbolicTensor;
    const out = lw.layers.dense({ units: 2, activation: 'hardSigmoidKeras3' }).apply(h) as SymbolicTensor;
    const m = lw.model({ inputs: inp, outputs: out });
    expect(checkModelGradients(m, zeros, rand([3, 2], 6))).toBeGreaterThan(50);
  });

  it('a misspelt name lists hardSigmoidKeras3 among the names; softmax stays refused in recurrent cells', () => {
    expectLwErrorSync(() => lw.layers.lstm({ units: 2, recurrentActivation: 'hard_sigmod_keras3' }), 'BAD_ARGUMENT', /unknown activation.*hardSigmoidKeras3/);
    expectLwErrorSync(() => lw.layers.gru({ units: 2, recurrentActivation: 'softmax' }), 'UNSUPPORTED', /not supported in recurrent cells.*hardSigmoidKeras3/);
  });
});

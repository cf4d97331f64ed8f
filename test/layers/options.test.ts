// Every layer rejects options it does not know (a misspelt option would otherwise be ignored and
// give a silently different layer), naming the option, the layer and the options it has.
import { describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';

/** Valid arguments for each lw.layers factory. */
const VALID: Record<string, () => Record<string, unknown>> = {
  dense: () => ({ units: 2 }),
  embedding: () => ({ inputDim: 5, outputDim: 2 }),
  lstm: () => ({ units: 2 }),
  gru: () => ({ units: 2 }),
  simpleRNN: () => ({ units: 2 }),
  dropout: () => ({ rate: 0.1 }),
  activation: () => ({ activation: 'relu' }),
  flatten: () => ({}),
  bidirectional: () => ({ layer: lw.layers.lstm({ units: 2 }) }),
  masking: () => ({}),
  timeDistributed: () => ({ layer: lw.layers.dense({ units: 2 }) }),
  concatenate: () => ({}),
  repeatVector: () => ({ n: 2 }),
  reshape: () => ({ targetShape: [2, -1] }),
  globalAveragePooling1D: () => ({}),
  globalAveragePooling1d: () => ({ keepdims: true }),
  globalMaxPooling1D: () => ({ dataFormat: 'channelsLast' }),
  globalMaxPooling1d: () => ({}),
  spatialDropout1D: () => ({ rate: 0.2, seed: 3 }),
  spatialDropout1d: () => ({ rate: 0.2 }),
  dot: () => ({ axes: [2, 1], normalize: true }),
  rnn: () => ({ cell: { stateSize: 2, call: () => { throw new Error('not called'); } } }),
};
type Factory = (args: Record<string, unknown>) => lw.layers.Layer;
// registerCell and the cell factories (lstmCell...) are the lower-case functions that make no layer.
const factories = Object.entries(lw.layers).filter(([name, f]) => typeof f === 'function' && /^[a-z]/.test(name) && name !== 'registerCell' && !/Cell$/.test(name)) as [string, Factory][];

describe('layer options', () => {
  it('every factory is covered', () => {
    expect(factories.map(([n]) => n).sort()).toEqual(Object.keys(VALID).sort());
  });

  it.each(Object.keys(VALID))('%s: an unknown option is BAD_ARGUMENT naming it and the layer; the valid ones build', (name) => {
    const make = factories.find(([n]) => n === name)![1];
    expect(make({ ...VALID[name](), name: `my_${name}` }).name).toBe(`my_${name}`);
    expect(() => make({ ...VALID[name](), name: `my_${name}`, bogus: 1 })).toThrow(new RegExp(`BAD_ARGUMENT.*layer "my_${name}" .*unknown option "bogus"; its options are name, `));
  });

  it('a misspelt option lists the right one; options that would be ignored are refused', () => {
    expect(() => lw.layers.lstm({ units: 2, returnSequence: true } as unknown as lw.layers.LSTMArgs)).toThrow(/unknown option "returnSequence".*returnSequences/);
    expect(() => lw.layers.dropout({ rate: 0.5, seed: 3 } as unknown as { rate: number })).toThrow(/unknown option "seed"/);
    expect(() => lw.layers.gru({ units: 2, unitForgetBias: true } as unknown as lw.layers.GRUArgs)).toThrow(/unknown option "unitForgetBias"/);
    expect(lw.layers.lstm({ units: 2, returnSequences: undefined }).returnSequences).toBe(false);
  });

  it.each([
    ['lstmCell', () => lw.layers.lstmCell({ units: 2, bogus: 1 } as never)],
    ['gruCell', () => lw.layers.gruCell({ units: 2, bogus: 1 } as never)],
    ['simpleRNNCell', () => lw.layers.simpleRNNCell({ units: 2, recurrentActivation: 'tanh' } as never)],
  ])('the cell factory %s refuses options it has not got', (_name, make) => {
    expect(make).toThrow(/BAD_ARGUMENT.*cell ".*": unknown option/);
  });

  it('unroll and implementation (Keras, TF.js) are accepted, checked, and change nothing', async () => {
    await lw.ready({ backend: 'js' });
    const x = lw.tensor(Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.sin(i)), [2, 3, 2]);
    const run = (extra: Record<string, unknown>) => {
      lw.setSeed(5);
      const m = lw.sequential([lw.layers.gru({ units: 3, inputShape: [3, 2], ...extra })]);
      return Array.from((m.predict(x) as lw.Tensor).dataSync());
    };
    const plain = run({});
    expect(run({ unroll: true, implementation: 1 })).toEqual(plain);
    expect(() => lw.layers.lstm({ units: 2, unroll: 'yes' } as never)).toThrow(/unroll must be true or false/);
    expect(() => lw.layers.lstm({ units: 2, implementation: 3 } as never)).toThrow(/implementation must be 1 or 2/);
  });
});

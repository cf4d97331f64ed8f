// Where an Embedding's ids are checked: a model input's once, before the first batch; ids made by
// another layer in the graph at every forward, since nothing checked them before.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import { checkLwError } from '../helpers/lw-error.js';

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('Embedding ids', () => {
  it('from a model input: ID_OUT_OF_RANGE before any batch, naming the sample', async () => {
    const m = lw.sequential([lw.layers.embedding({ inputDim: 5, outputDim: 2, inputShape: [3] }), lw.layers.flatten(), lw.layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    const err = await m.fit([[1, 2, 3], [4, 5, 0]], [[0], [1]], { epochs: 1, verbose: 0 }).catch((e: unknown) => e);
    checkLwError(err, 'ID_OUT_OF_RANGE', [/has 5 at \[1, 1\] \(sample 1\)/]);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  it('made by another layer: checked in the Embedding forward', () => {
    const x = lw.input({ shape: [3] });
    const ids = lw.layers.dense({ units: 3, kernelInitializer: 'ones', useBias: false }).apply(x) as lw.layers.SymbolicTensor;
    const e = lw.layers.embedding({ inputDim: 5, outputDim: 2, name: 'emb' }).apply(ids) as lw.layers.SymbolicTensor;
    const m = lw.model({ inputs: x, outputs: lw.layers.flatten().apply(e) as lw.layers.SymbolicTensor });
    // Sums 0 + 1 + 1 = 2: valid ids; 1 + 2 + 3 = 6: outside [0, 5).
    expect(m.predict([[0, 1, 1]]) as lw.Tensor).toBeInstanceOf(lw.Tensor);
    expect(() => m.predict([[1, 2, 3]])).toThrow(/ID_OUT_OF_RANGE.*layer "emb" \(Embedding\): id 6/);
  });
});

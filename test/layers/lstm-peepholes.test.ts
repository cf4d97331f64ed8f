// lw.layers.lstm({ usePeepholes }): the peephole_weights weight [3·units] (p_i, p_f, p_o), its effect,
// finite-difference gradients through a model (masks, goBackwards, Bidirectional), js vs simd,
// saving and loading (config use_peepholes), and bad values.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import { bidirectional } from '../../ts/layers/bidirectional.js';
import { masking } from '../../ts/layers/masking.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { LwError } from '../../ts/errors.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkModelGradients, predictOnBoth } from '../helpers/layer-checks.js';

const [B, T, F, U] = [3, 5, 2, 4];
const rand = (shape: number[], seed: number, scale = 1) => lw.tensor(randArray(shape.reduce((a, b) => a * b, 1), seed, scale), shape);

/** x [B, T, F] with sample 0 padded (all-zero steps) at times 3, 4 and sample 2 at time 4. */
function padded(): lw.Tensor {
  const d = randArray(B * T * F, 7);
  for (const [b, t] of [[0, 3], [0, 4], [2, 4]]) d.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
  return lw.tensor(d, [B, T, F]);
}

function model(opts: { usePeepholes?: boolean; goBackwards?: boolean; mask?: boolean; bi?: boolean } = {}): lw.LayersModel {
  const x = lw.input({ shape: [T, F] });
  const m = opts.mask ? (masking({ maskValue: 0 }).apply(x) as SymbolicTensor) : x;
  const rec = lw.layers.lstm({ units: U, returnSequences: true, usePeepholes: opts.usePeepholes ?? true, goBackwards: opts.goBackwards, name: 'rec' });
  const out = (opts.bi ? bidirectional({ layer: rec, name: 'bi' }) : rec).apply(m) as SymbolicTensor;
  return lw.model({ inputs: x, outputs: out });
}

/** Random peephole weights (they start at zeros) so the checks below see them act. */
function randomizePeepholes(m: lw.LayersModel, seed: number): void {
  const ws = m.getWeights();
  m.setWeights(m.weights.map((w, i) => (w.path.endsWith('peephole_weights') ? rand([3 * U], seed + i, 0.8) : ws[i])));
}

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('lstm usePeepholes', () => {
  it('adds peephole_weights [3·units] after kernel, recurrent_kernel, bias, starting at zeros; off, none', () => {
    const m = model();
    expect(m.weights.map((w) => [w.path, w.shape])).toEqual([
      ['rec/kernel', [F, 4 * U]], ['rec/recurrent_kernel', [U, 4 * U]], ['rec/bias', [4 * U]], ['rec/peephole_weights', [3 * U]],
    ]);
    expect(Array.from(m.getWeights()[3].dataSync())).toEqual(new Array(3 * U).fill(0));
    expect(model({ usePeepholes: false }).weights.map((w) => w.path)).toEqual(['rec/kernel', 'rec/recurrent_kernel', 'rec/bias']);
  });

  it('zero peepholes predict as the plain LSTM; random ones change the output, the same on js and simd', async () => {
    const withP = model();
    const plain = model({ usePeepholes: false });
    plain.setWeights(withP.getWeights().slice(0, 3));
    const x = rand([B, T, F], 3);
    expectClose((withP.predict(x) as lw.Tensor).dataSync(), (plain.predict(x) as lw.Tensor).dataSync(), 1e-12, 0, 'zero peepholes');
    randomizePeepholes(withP, 11);
    const moved = (withP.predict(x) as lw.Tensor).dataSync();
    const base = (plain.predict(x) as lw.Tensor).dataSync();
    expect(Math.max(...Array.from(moved, (v, i) => Math.abs(v - base[i])))).toBeGreaterThan(1e-2);
    const both = await predictOnBoth(withP, x);
    expectClose(both.simd[0].dataSync(), both.js[0].dataSync(), 2e-6, 1e-5, 'simd vs js');
  });

  type Opts = { mask?: boolean; goBackwards?: boolean; bi?: boolean };
  it.each<[string, Opts]>([
    ['no mask', {}],
    ['mask, goBackwards', { mask: true, goBackwards: true }],
    ['Bidirectional with a mask', { mask: true, bi: true }],
  ])('finite differences of every weight, peepholes included (%s)', (_label, opts) => {
    const m = model(opts);
    randomizePeepholes(m, 21);
    const out = opts.bi ? 2 * U : U;
    const compared = checkModelGradients(m, padded(), rand([B, T, out], 8));
    expect(compared).toBe((opts.bi ? 2 : 1) * (F * 4 * U + U * 4 * U + 4 * U + 3 * U));
  });

  it('Bidirectional: both directions get their own peephole_weights, named as Keras names the others', () => {
    const m = model({ bi: true });
    expect(m.weights.map((w) => w.path).filter((p) => p.endsWith('peephole_weights'))).toEqual([
      'bi/forward_rec/peephole_weights', 'bi/backward_rec/peephole_weights',
    ]);
  });

  it('saves use_peepholes and the weights, loads them back; off, the config does not name it', async () => {
    const m = model({ mask: true });
    randomizePeepholes(m, 31);
    expect(m.getLayer('rec').getConfig().use_peepholes).toBe(true);
    expect('use_peepholes' in model({ usePeepholes: false }).getLayer('rec').getConfig()).toBe(false);
    const art = m.toArtifacts();
    expect(JSON.stringify(art.weightSpecs)).toContain('rec/peephole_weights');
    const loaded = await lw.loadModel(art);
    expect(loaded.weights.map((w) => w.path)).toEqual(m.weights.map((w) => w.path));
    expect(Array.from((loaded.predict(padded()) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(padded()) as lw.Tensor).dataSync()));
  });

  it('usePeepholes that is not a boolean is BAD_ARGUMENT naming it', () => {
    const make = () => lw.layers.lstm({ units: 2, usePeepholes: 'yes' as unknown as boolean });
    expect(make).toThrow(LwError);
    expect(make).toThrow(/usePeepholes must be true or false/);
    // the GRU has no such option: refused, not ignored
    expect(() => lw.layers.gru({ units: 2, usePeepholes: true } as never)).toThrow(/usePeepholes/);
  });
});

// Saving models with lw.layers.rnn({ cell }): a cell's code cannot be saved, so a model with an
// unregistered cell refuses to save (UNSUPPORTED naming the layer); a cell with a className and
// getConfig, registered with lw.layers.registerCell, saves and loads with its weights.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { IndRNNCell, MGUCell, simpleCell } from '../helpers/cells.js';
import { expectClose, randArray } from '../helpers/kernels.js';
import { checkLwError, expectLwErrorSync } from '../helpers/lw-error.js';

const [B, T, F] = [2, 4, 3];
const x = lw.tensor(randArray(B * T * F, 1), [B, T, F]);

/** A cell that can be saved: a class name and the config its registered factory takes. */
class SavableMGU extends MGUCell {
  readonly className = 'TestMGU';
  getConfig() {
    return { units: this.units };
  }
}
/** Registered with a factory that ignores the saved name: the layer keeps the saved one. */
class SavableIndRNN extends IndRNNCell {
  readonly className = 'TestIndRNN';
  getConfig() {
    return { units: this.units };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lw-rnn-save-'));
beforeAll(async () => {
  await lw.ready({ backend: 'js' });
  lw.layers.registerCell('TestMGU', (c) => new SavableMGU(c.units as number, { name: c.name as string }));
  lw.layers.registerCell('TestIndRNN', (c) => new SavableIndRNN(c.units as number));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const predictions = (m: lw.LayersModel) => (Array.isArray(m.predict(x)) ? (m.predict(x) as lw.Tensor[]) : [m.predict(x) as lw.Tensor]).map((t) => Array.from(t.dataSync()));

describe('registered cells save and load', () => {
  it('a Sequential model round-trips through a folder, weights and predictions equal', async () => {
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell: new SavableMGU(5, { name: 'mgu' }), inputShape: [T, F], returnSequences: true, goBackwards: true, name: 'rec' })] });
    const json = m.toArtifacts().modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const layer = json.config.layers[0];
    expect(layer.class_name).toBe('RNN');
    expect(layer.config).toMatchObject({ cell: { class_name: 'TestMGU', config: { name: 'mgu', units: 5 } }, return_sequences: true, go_backwards: true, stateful: false });
    const url = pathToFileURL(join(dir, 'seq')).href;
    await m.save(url);
    const loaded = await lw.loadModel(`${url}/model.json`);
    expect(loaded.weights.map((w) => w.path)).toEqual(['rec/mgu/forget_kernel', 'rec/mgu/forget_bias', 'rec/mgu/kernel', 'rec/mgu/recurrent_kernel', 'rec/mgu/bias']);
    loaded.weights.forEach((w, i) => expect(Array.from(w.read())).toEqual(Array.from(m.weights[i].read())));
    expect(predictions(loaded)).toEqual(predictions(m));
  });

  it('stacked cells save as StackedRNNCells; a factory that drops the name keeps the saved one', async () => {
    const inp = lw.input({ shape: [T, F] });
    const rec = lw.layers.rnn({ cell: [new SavableIndRNN(4, { name: 'ind' }), new SavableMGU(3)], returnState: true, name: 'stack' });
    const m = lw.model({ inputs: inp, outputs: rec.apply(inp) as SymbolicTensor[] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await m.fit(x, [lw.tensor(randArray(B * 3, 2), [B, 3]), lw.tensor(randArray(B * 4, 3), [B, 4]), lw.tensor(randArray(B * 3, 4), [B, 3])], { epochs: 1, verbose: 0 });
    const art = m.toArtifacts({ includeOptimizer: true });
    const cell = (art.modelTopology as { config: { layers: { config: { cell?: unknown } }[] } }).config.layers[1].config.cell;
    expect(cell).toEqual({ class_name: 'StackedRNNCells', config: { cells: [
      { class_name: 'TestIndRNN', config: { name: 'ind', units: 4 } },
      { class_name: 'TestMGU', config: { name: 'savable_mgu', units: 3 } },
    ] } });
    const loaded = await lw.loadModel(art);
    expect(loaded.weights.map((w) => w.path)).toEqual(m.weights.map((w) => w.path));
    expect(loaded.weights[0].path).toBe('stack/ind/kernel');
    // Trained on the float64 backend, saved as float32.
    predictions(loaded).forEach((p, i) => expectClose(p, predictions(m)[i], 1e-6, 1e-6, `output ${i}`));
    expect(loaded.optimizer?.iterations).toBe(m.optimizer?.iterations);
  });
});

describe('cells that cannot be saved', () => {
  it('a cell without className / getConfig: UNSUPPORTED naming the layer and the cell', async () => {
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell: simpleCell(3), inputShape: [T, F], name: 'plain' })] });
    expectLwErrorSync(() => m.toArtifacts(), 'UNSUPPORTED', /layer "plain" \(RNN\): cell "simple_cell" is code, which a saved model cannot hold: .*lw\.layers\.registerCell/);
    let err: unknown;
    try {
      await m.save(pathToFileURL(join(dir, 'plain')).href);
    } catch (e) {
      err = e;
    }
    checkLwError(err, 'UNSUPPORTED', [/layer "plain" \(RNN\)/]);
  });

  it('a className nobody registered', () => {
    class Unregistered extends MGUCell {
      readonly className = 'NotRegistered';
      getConfig() {
        return {};
      }
    }
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell: new Unregistered(3), inputShape: [T, F], name: 'unreg' })] });
    expectLwErrorSync(() => m.toArtifacts(), 'UNSUPPORTED', /layer "unreg" \(RNN\): cell "unregistered" has className "NotRegistered", which is not registered/);
  });

  it('loading a cell class that is not registered: UNSUPPORTED naming the layer', async () => {
    const m = lw.sequential({ layers: [lw.layers.rnn({ cell: new SavableMGU(3), inputShape: [T, F], name: 'later' })] });
    const art = m.toArtifacts();
    const topo = JSON.parse(JSON.stringify(art.modelTopology).replace('"TestMGU"', '"Elsewhere"'));
    let err: unknown;
    try {
      await lw.loadModel({ ...art, modelTopology: topo });
    } catch (e) {
      err = e;
    }
    checkLwError(err, 'UNSUPPORTED', [/layer 0 "later" \(RNN\) cell: cell class "Elsewhere" is not registered: call lw\.layers\.registerCell\("Elsewhere", factory\)/, /registered: .*TestMGU/]);
  });

  it('registerCell checks its arguments', () => {
    expectLwErrorSync(() => lw.layers.registerCell('', () => new MGUCell(1)), 'BAD_ARGUMENT', /the class name must be a non-empty string/);
    expectLwErrorSync(() => lw.layers.registerCell('StackedRNNCells', () => new MGUCell(1)), 'BAD_ARGUMENT', /other than "StackedRNNCells"/);
    expectLwErrorSync(() => lw.layers.registerCell('X', 'no' as never), 'BAD_ARGUMENT', /registerCell\("X"\): the factory must be a function/);
  });
});

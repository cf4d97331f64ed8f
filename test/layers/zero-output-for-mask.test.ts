// zeroOutputForMask (Keras zero_output_for_mask): with returnSequences and a mask, masked steps output
// zeros instead of the carried output; the same weights otherwise give the same outputs; gradients
// by finite differences; saved and loaded.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import type { SymbolicTensor } from '../../ts/engine/layer.js';
import { masking } from '../../ts/layers/masking.js';
import { randArray } from '../helpers/kernels.js';
import { checkModelGradients } from '../helpers/layer-checks.js';

const [B, T, F, U] = [3, 5, 2, 4];

/** x [B, T, F] with sample 0 padded (all-zero steps) at times 3, 4 and sample 1 at time 0. */
function padded(): lw.Tensor {
  const d = randArray(B * T * F, 7);
  for (const [b, t] of [[0, 3], [0, 4], [1, 0]]) d.fill(0, (b * T + t) * F, (b * T + t + 1) * F);
  return lw.tensor(d, [B, T, F]);
}
const maskedSteps = [[0, 3], [0, 4], [1, 0]];

function model(zeroOutputForMask: boolean, goBackwards = false) {
  const x = lw.input({ shape: [T, F] });
  const m = masking({ maskValue: 0 }).apply(x) as SymbolicTensor;
  const out = lw.layers.gru({ units: U, returnSequences: true, goBackwards, zeroOutputForMask, name: 'rec' }).apply(m) as SymbolicTensor;
  return lw.model({ inputs: x, outputs: out });
}

beforeAll(async () => {
  await lw.ready({ backend: 'js' });
});

describe('zeroOutputForMask', () => {
  it.each([false, true])('masked steps are zero, the others as without it (goBackwards %s)', (goBackwards) => {
    const zeroed = model(true, goBackwards);
    const plain = model(false, goBackwards);
    plain.setWeights(zeroed.getWeights());
    const a = zeroed.predict(padded()) as lw.Tensor;
    const b = plain.predict(padded()) as lw.Tensor;
    const row = (t: lw.Tensor, bi: number, s: number) => Array.from(t.dataSync().slice((bi * T + s) * U, (bi * T + s + 1) * U));
    let carried = 0;
    for (let bi = 0; bi < B; bi++) {
      for (let s = 0; s < T; s++) {
        // Output step s is input time goBackwards ? T-1-s : s (Keras returns the sequence in processing order).
        const t = goBackwards ? T - 1 - s : s;
        const masked = maskedSteps.some(([mb, mt]) => mb === bi && mt === t);
        expect(row(a, bi, s), `${bi},${s}`).toEqual(masked ? [0, 0, 0, 0] : row(b, bi, s));
        if (masked && row(b, bi, s).some((v) => v !== 0)) carried++;
      }
    }
    // Without it, a masked step after an unmasked one outputs the carried (non-zero) h.
    expect(carried).toBeGreaterThan(0);
  });

  it('gradients match finite differences (float64)', () => {
    const m = model(true, true);
    expect(checkModelGradients(m, padded(), lw.tensor(randArray(B * T * U, 8), [B, T, U]))).toBeGreaterThan(0);
  });

  it('saves zero_output_for_mask and loads it back; off, the config does not name it', async () => {
    const m = model(true);
    expect(m.getLayer('rec').getConfig().zero_output_for_mask).toBe(true);
    expect('zero_output_for_mask' in model(false).getLayer('rec').getConfig()).toBe(false);
    const loaded = await lw.loadModel(m.toArtifacts());
    expect(Array.from((loaded.predict(padded()) as lw.Tensor).dataSync())).toEqual(Array.from((m.predict(padded()) as lw.Tensor).dataSync()));
  });
});

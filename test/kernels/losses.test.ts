import { describe, it, expect, beforeAll } from 'vitest';
import type { Backend } from '../../ts/backend/backend.js';
import { lossForward, type LossName as KernelLoss } from '../../ts/backend/kernels/index.js';
import { allBackends, run, randArray, expectClose, numericGrad, rng, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

const ALL = ['js', ...WASM_BACKENDS] as const;
const EPS = 1e-7;

type LossName = 'bce' | 'cce' | 'scce' | 'mse' | 'mae';
interface LossCase { loss: LossName; logits: boolean }
const CASES: LossCase[] = [
  { loss: 'bce', logits: false }, { loss: 'bce', logits: true },
  { loss: 'cce', logits: false }, { loss: 'cce', logits: true },
  { loss: 'scce', logits: false }, { loss: 'scce', logits: true },
  { loss: 'mse', logits: false }, { loss: 'mae', logits: false },
];
/** The kernels' names of the short ones used here. */
const FULL: Record<LossName, KernelLoss> = {
  bce: 'binaryCrossentropy', cce: 'categoricalCrossentropy', scce: 'sparseCategoricalCrossentropy', mse: 'meanSquaredError', mae: 'meanAbsoluteError',
};
const label = (c: LossCase) => `${c.loss}${c.logits ? ' (logits)' : ''}`;

/** Runs one loss kernel; returns [lossOut, grad] (grad empty when withGrad is false). */
function lossOn(b: Backend, c: LossCase, rows: number, cols: number, pred: ArrayLike<number>, target: ArrayLike<number>,
  scale: number, withGrad = true): [Float64Array, Float64Array] {
  const t = c.loss === 'scce' ? { i: target } : { f: target };
  const out = run(b, { pred: { f: pred }, target: t, loss: { out: rows }, grad: withGrad ? { out: rows * cols } : null }, (p, k) => {
    lossForward(k, { loss: FULL[c.loss], rows, cols, fromLogits: c.logits, pred: p.pred, target: p.target, scale, perRow: p.loss, grad: p.grad });
  });
  return [out.loss, out.grad ?? new Float64Array(0)];
}

/** Random inputs for a case: probabilities strictly inside (eps, 1-eps), logits of size `zScale`. */
function inputs(c: LossCase, rows: number, cols: number, seed: number, zScale = 3): { pred: number[]; target: number[] } {
  const r = rng(seed);
  const f = Math.fround;
  let pred: number[];
  if (c.logits || c.loss === 'mse' || c.loss === 'mae') pred = randArray(rows * cols, seed, zScale);
  else pred = Array.from({ length: rows * cols }, () => f(0.05 + 0.9 * r())); // cce rows are deliberately not normalised
  let target: number[];
  if (c.loss === 'scce') target = Array.from({ length: rows }, () => Math.floor(r() * cols));
  else if (c.loss === 'bce') target = Array.from({ length: rows * cols }, () => f(r() < 0.3 ? r() : r() < 0.5 ? 0 : 1)); // soft and hard labels
  else if (c.loss === 'cce') target = Array.from({ length: rows * cols }, () => f(r() < 0.5 ? r() : 0)); // mass != 1 too
  else target = randArray(rows * cols, seed + 1);
  if (c.loss === 'mae') target[0] = pred[0]; // sign(0) = 0
  return { pred, target };
}

describe('losses against the float64 oracle', () => {
  const shapes: [number, number][] = [[1, 1], [1, 2], [3, 5], [2, 7], [5, 13], [4, 4], [3, 17], [2, 31]];
  for (const name of WASM_BACKENDS) {
    it(`${name}: every loss, value and gradient, with and without a gradient buffer`, () => {
      for (const c of CASES) {
        for (const [s, [rows, cols]] of shapes.entries()) {
          if (c.loss === 'cce' && !c.logits && cols === 1) continue; // one class: q = 1 is always clipped
          for (const zScale of c.logits ? [3, 50] : [3]) {
            const { pred, target } = inputs(c, rows, cols, 100 + s, zScale);
            const what = `${label(c)} ${rows}x${cols} scale ${zScale}`;
            const [wl, wg] = lossOn(B.js, c, rows, cols, pred, target, 0.37);
            const [gl, gg] = lossOn(B[name], c, rows, cols, pred, target, 0.37);
            expectClose(gl, wl, 1e-6, 1e-5, `${what} loss`);
            expectClose(gg, wg, 1e-6, 1e-5, `${what} grad`);
            const [nl] = lossOn(B[name], c, rows, cols, pred, target, 0.37, false);
            expectClose(nl, wl, 1e-6, 1e-5, `${what} loss without grad`);
          }
        }
      }
    });
  }

  it('js gradients match central differences of scale·Σ lossOut', () => {
    for (const c of CASES) {
      for (const [s, [rows, cols]] of ([[1, 3], [3, 5], [2, 4]] as [number, number][]).entries()) {
        for (const zScale of c.logits ? [3, 30] : [3]) {
          const { pred, target } = inputs(c, rows, cols, 300 + s, zScale);
          const scale = 0.61;
          const f = (p: number[]) => scale * lossOn(B.js, c, rows, cols, p, target, 1, false)[0].reduce((a, v) => a + v, 0);
          const [loss, grad] = lossOn(B.js, c, rows, cols, pred, target, scale);
          expect(loss.every(Number.isFinite), `${label(c)} finite`).toBe(true);
          expectClose(grad, numericGrad(f, pred, 1e-6), 1e-7, 1e-5, `${label(c)} ${rows}x${cols} |z|<=${zScale} d/dpred`);
        }
      }
    }
  });
});

describe('loss values in closed form', () => {
  const one = (b: Backend, c: LossCase, pred: number[], target: number[], rows = 1) =>
    lossOn(b, c, rows, pred.length / rows, pred, target, 1);

  it('binary crossentropy: log 2 at p = 0.5, -log(eps) under clipping (gradient 0 there)', () => {
    for (const name of ALL) {
      const [l] = one(B[name], { loss: 'bce', logits: false }, [0.5, 0.5, 0.5], [1, 0, 0.3]);
      expectClose(l, [Math.log(2)], 0, 1e-6, `${name} p=0.5`);
      const [lc, gc] = one(B[name], { loss: 'bce', logits: false }, [0], [1]);
      expectClose(lc, [-Math.log(EPS)], 0, 1e-6, `${name} p=0 y=1`);
      expect(gc[0], `${name} clipped gradient`).toBe(0);
      const [lz] = one(B[name], { loss: 'bce', logits: true }, [0, 0], [1, 0]);
      expectClose(lz, [Math.log(2)], 0, 1e-6, `${name} logit 0`);
    }
    const [l1, g1] = one(B.js, { loss: 'bce', logits: false }, [1], [0]);
    expectClose(l1, [-Math.log(EPS)], 0, 1e-9, 'js p=1 y=0'); // 1 - (1 - eps) is eps to 1e-10
    expect(g1[0]).toBe(0);
  });

  it('binary crossentropy from logits stays exact for |z| where exp overflows', () => {
    for (const name of ALL) {
      const z = [30, -30, 100, -100, 200, -200];
      const y = [0, 1, 0, 1, 1, 0];
      const [l, g] = one(B[name], { loss: 'bce', logits: true }, z, y, 6);
      // wrong and confident: loss = |z| + log(1 + e^-|z|); right and confident: about e^-|z|
      const want = [30 + Math.log1p(Math.exp(-30)), 30 + Math.log1p(Math.exp(-30)), 100, 100, Math.exp(-200), Math.exp(-200)];
      expectClose(l, want, 1e-30, 1e-6, `${name} loss`);
      expectClose(g, z.map((v, i) => 1 / (1 + Math.exp(-v)) - y[i]), 1e-6, 1e-5, `${name} grad`);
      const [l2, g2] = one(B[name], { loss: 'bce', logits: true }, [200, -200], [1, 0]);
      expectClose(l2, [0], 1e-30, 0, `${name} confident and right`);
      expectClose(g2, [0, 0], 1e-30, 0, `${name} confident and right grad`);
    }
  });

  it('categorical crossentropy: -log of the normalised probability; from logits with huge scores', () => {
    for (const name of ALL) {
      const [l] = one(B[name], { loss: 'cce', logits: false }, [2, 3, 5], [0, 1, 0]);
      expectClose(l, [-Math.log(0.3)], 0, 1e-6, `${name} unnormalised`);
      const [ls] = one(B[name], { loss: 'scce', logits: false }, [0.2, 0.3, 0.5], [1]);
      expectClose(ls, [-Math.log(0.3)], 0, 1e-6, `${name} sparse`);
      const [lc, gc] = one(B[name], { loss: 'scce', logits: false }, [0, 0.4, 0.6], [0]);
      expectClose(lc, [-Math.log(EPS)], 0, 1e-6, `${name} sparse clipped`);
      expectClose(gc, [0, 0, 0], 0, 0, `${name} sparse clipped grad`);
      const [lz, gz] = one(B[name], { loss: 'cce', logits: true }, [100, -100, 0], [0, 1, 0]);
      expectClose(lz, [200 + Math.log1p(Math.exp(-100) + Math.exp(-200))], 0, 1e-6, `${name} logits`);
      expectClose(gz, [1, -1, 0], 1e-6, 0, `${name} logits grad`);
      const [lsz] = one(B[name], { loss: 'scce', logits: true }, [30, -30, 0, 30], [1]);
      expectClose(lsz, [60 + Math.log(2 + Math.exp(-30) + Math.exp(-60))], 0, 1e-6, `${name} sparse logits`);
    }
  });

  it('mean squared and mean absolute error (MAE slope 0 at equality)', () => {
    for (const name of ALL) {
      const [lm, gm] = one(B[name], { loss: 'mse', logits: false }, [1, 2, 0.5, -1], [0, 0, 0.5, 1], 2);
      expectClose(lm, [2.5, 2], 0, 1e-7, `${name} mse`);
      expectClose(gm, [1, 2, 0, -2], 0, 1e-7, `${name} mse grad`);
      const [la, ga] = one(B[name], { loss: 'mae', logits: false }, [1, 2, 0.5, -1], [0, 0, 0.5, 1], 2);
      expectClose(la, [1.5, 1], 0, 1e-7, `${name} mae`);
      expectClose(ga, [0.5, 0.5, 0, -0.5], 0, 1e-7, `${name} mae grad`);
    }
  });
});

import { describe, it, expect, beforeAll } from 'vitest';
import type { Backend } from '../../ts/backend/backend.js';
import type { Kernels } from '../../ts/backend/abi.js';
import { adamUpdate, clipInPlace, rmspropUpdate, scaleInPlace, sgdUpdate, sumSquares } from '../../ts/backend/kernels/index.js';
import { allBackends, run, randArray, expectClose, rng, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

const ALL = ['js', ...WASM_BACKENDS] as const;

/** One optimizer configuration: its state buffers and how to call one step. */
interface OptCase {
  name: string;
  state: string[];
  step: (k: Kernels, n: number, p: Record<string, number>, t: number) => void;
  /** The update written out for one scalar, state as a record (the reference formula). */
  scalar: (p: number, g: number, s: Record<string, number>, t: number) => number;
}

const CASES: OptCase[] = [
  {
    name: 'sgd',
    state: [],
    step: (k, n, p) => sgdUpdate(k, { n, lr: 0.1, momentum: 0, nesterov: false, params: p.p, grads: p.g }),
    scalar: (p, g) => p - 0.1 * g,
  },
  {
    name: 'sgd momentum',
    state: ['v'],
    step: (k, n, p) => sgdUpdate(k, { n, lr: 0.1, momentum: 0.9, nesterov: false, params: p.p, grads: p.g, velocity: p.v }),
    scalar: (p, g, s) => {
      s.v = 0.9 * s.v - 0.1 * g;
      return p + s.v;
    },
  },
  {
    name: 'sgd nesterov',
    state: ['v'],
    step: (k, n, p) => sgdUpdate(k, { n, lr: 0.1, momentum: 0.9, nesterov: true, params: p.p, grads: p.g, velocity: p.v }),
    scalar: (p, g, s) => {
      s.v = 0.9 * s.v - 0.1 * g;
      return p + 0.9 * s.v - 0.1 * g;
    },
  },
  {
    name: 'rmsprop',
    state: ['ms'],
    step: (k, n, p) => rmspropUpdate(k, { n, lr: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false, params: p.p, grads: p.g, meanSquare: p.ms }),
    scalar: (p, g, s) => {
      s.ms = 0.9 * s.ms + 0.1 * g * g;
      return p - (0.01 * g) / Math.sqrt(s.ms + 1e-7);
    },
  },
  {
    name: 'rmsprop centered with momentum',
    state: ['ms', 'mom', 'mg'],
    step: (k, n, p) => rmspropUpdate(k, {
      n, lr: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-3, centered: true, params: p.p, grads: p.g, meanSquare: p.ms, momentumSlot: p.mom, meanGrad: p.mg,
    }),
    scalar: (p, g, s) => {
      s.ms = 0.8 * s.ms + 0.2 * g * g;
      s.mg = 0.8 * s.mg + 0.2 * g;
      const inc = (0.01 * g) / Math.sqrt(s.ms - s.mg * s.mg + 1e-3);
      s.mom = 0.5 * s.mom + inc;
      return p - s.mom;
    },
  },
  {
    name: 'rmsprop centered',
    state: ['ms', 'mg'],
    step: (k, n, p) => rmspropUpdate(k, { n, lr: 0.01, rho: 0.8, momentum: 0, epsilon: 1e-3, centered: true, params: p.p, grads: p.g, meanSquare: p.ms, meanGrad: p.mg }),
    scalar: (p, g, s) => {
      s.ms = 0.8 * s.ms + 0.2 * g * g;
      s.mg = 0.8 * s.mg + 0.2 * g;
      return p - (0.01 * g) / Math.sqrt(s.ms - s.mg * s.mg + 1e-3);
    },
  },
  {
    name: 'adam',
    state: ['m', 'v'],
    step: (k, n, p, t) => adamUpdate(k, {
      n, lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, beta1Power: 0.9 ** t, beta2Power: 0.999 ** t, weightDecay: 0, params: p.p, grads: p.g, m: p.m, v: p.v,
    }),
    scalar: (p, g, s, t) => {
      s.m = 0.9 * s.m + 0.1 * g;
      s.v = 0.999 * s.v + 0.001 * g * g;
      const mHat = s.m / (1 - 0.9 ** t);
      const vHat = s.v / (1 - 0.999 ** t);
      // Keras folds the corrections into the step: lr·sqrt(1-b2^t)/(1-b1^t)·m/(sqrt(v)+eps)
      return p - ((0.01 * mHat) / (Math.sqrt(vHat) + 1e-7 / Math.sqrt(1 - 0.999 ** t)));
    },
  },
  {
    name: 'adamw',
    state: ['m', 'v'],
    step: (k, n, p, t) => adamUpdate(k, {
      n, lr: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, beta1Power: 0.8 ** t, beta2Power: 0.99 ** t, weightDecay: 0.1, params: p.p, grads: p.g, m: p.m, v: p.v,
    }),
    scalar: (p, g, s, t) => {
      p = p * (1 - 0.01 * 0.1);
      s.m = 0.8 * s.m + 0.2 * g;
      s.v = 0.99 * s.v + 0.01 * g * g;
      return p - ((0.01 * Math.sqrt(1 - 0.99 ** t)) / (1 - 0.8 ** t)) * (s.m / (Math.sqrt(s.v) + 1e-3));
    },
  },
];

/** Runs `steps` updates with fresh random gradients each step; returns params and state. */
function optimize(b: Backend, c: OptCase, n: number, steps: number, seed: number): Record<string, Float64Array> {
  const bufs: Record<string, { f: number[] }> = { p: { f: randArray(n, seed) }, g: { f: new Array(n).fill(0) } };
  for (const s of c.state) bufs[s] = { f: new Array(n).fill(0) };
  return run(b, bufs, (p, k) => {
    for (let t = 1; t <= steps; t++) {
      b.writeFloats(p.g, randArray(n, seed * 31 + t));
      c.step(k, n, p, t);
    }
  });
}

describe('optimizer updates', () => {
  it('the JS oracle follows the written-out formulas for 3 steps', () => {
    for (const c of CASES) {
      const n = 5;
      const got = optimize(B.js, c, n, 3, 3);
      const p0 = randArray(n, 3);
      for (let i = 0; i < n; i++) {
        const s: Record<string, number> = { v: 0, ms: 0, mom: 0, mg: 0, m: 0 };
        let p = p0[i];
        for (let t = 1; t <= 3; t++) p = c.scalar(p, randArray(n, 3 * 31 + t)[i], s, t);
        expect(got.p[i], `${c.name} p[${i}]`).toBeCloseTo(p, 12);
        for (const name of c.state) expect(got[name][i], `${c.name} ${name}[${i}]`).toBeCloseTo(s[name], 12);
      }
    }
  });

  for (const name of WASM_BACKENDS) {
    it(`${name} matches the oracle over 3 steps for n = 1..1000 (odd sizes)`, () => {
      for (const c of CASES) {
        for (const n of [1, 2, 3, 5, 7, 13, 31, 97, 255, 999]) {
          const want = optimize(B.js, c, n, 3, n);
          const got = optimize(B[name], c, n, 3, n);
          for (const buf of ['p', ...c.state]) expectClose(got[buf], want[buf], 1e-6, 1e-5, `${name} ${c.name} n=${n} ${buf}`);
        }
      }
    });
  }

  it('every optimizer minimises a quadratic in 200 steps on every backend', () => {
    const n = 11;
    const target = randArray(n, 77);
    const curv = randArray(n, 78).map((v) => 1 + Math.abs(v));
    const loss = (p: ArrayLike<number>) => target.reduce((s, t, i) => s + curv[i] * (p[i] - t) ** 2, 0);
    for (const name of ALL) {
      for (const c of CASES) {
        const b = B[name];
        const bufs: Record<string, { f: number[] }> = { p: { f: new Array(n).fill(0) }, g: { f: new Array(n).fill(0) } };
        for (const s of c.state) bufs[s] = { f: new Array(n).fill(0) };
        const out = run(b, bufs, (p, k) => {
          for (let t = 1; t <= 200; t++) {
            const cur = b.readFloats(p.p, n, true);
            b.writeFloats(p.g, target.map((tv, i) => 2 * curv[i] * (cur[i] - tv)));
            c.step(k, n, p, t);
          }
        });
        expect(loss(out.p), `${name} ${c.name}`).toBeLessThan(0.05 * loss(new Array(n).fill(0)));
      }
    }
  });

  it('sgd without momentum needs no velocity buffer: p -= lr·g exactly', () => {
    for (const name of ALL) {
      const p = randArray(9, 5);
      const g = randArray(9, 6);
      const got = run(B[name], { p: { f: p }, g: { f: g } }, (q, k) => sgdUpdate(k, { n: 9, lr: 0.25, momentum: 0, nesterov: false, params: q.p, grads: q.g })).p;
      // lr = 0.25 is a power of two: the f32 result is the rounded exact one
      expectClose(got, p.map((v, i) => (name === 'js' ? v - 0.25 * g[i] : Math.fround(v - 0.25 * g[i]))), 0, 0, name);
    }
  });
});

describe('gradient-norm helpers', () => {
  it('sum_squares matches the f64 sum to 1e-6 relative (sqrt) for n up to 1e6', () => {
    const r = rng(9);
    for (const n of [1, 3, 4, 7, 1001, 65537, 1_000_000]) {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = (r() * 2 - 1) * (i % 7 === 0 ? 1e3 : 1e-3);
      let want = 0;
      for (let i = 0; i < n; i++) want += x[i] * x[i];
      for (const name of ALL) {
        let got = NaN;
        run(B[name], { x: { f: x } }, (p, k) => {
          got = sumSquares(k, { n, x: p.x });
        });
        expect(Math.abs(Math.sqrt(got) - Math.sqrt(want)) / Math.sqrt(want), `${name} n=${n}`).toBeLessThan(1e-6);
      }
    }
  });

  it('sum_squares widens before squaring and propagates NaN / Inf', () => {
    const cases: [number[], number][] = [
      [[2 ** 100, -(2 ** 100), 3, -0, 0.5], 2 ** 201], // squares overflow f32, not f64
      [[-0, 0, -0], 0],
      [[1, NaN, 2, 3, 4], NaN],
      [[1, 2, 3, 4, -Infinity], Infinity],
      [new Array(5).fill(Math.fround(1e-30)), 5 * Math.fround(1e-30) ** 2], // squares underflow f32
    ];
    for (const name of ALL) {
      for (const [x, want] of cases) {
        let got = -1;
        run(B[name], { x: { f: x } }, (p, k) => {
          got = sumSquares(k, { n: x.length, x: p.x });
        });
        if (Number.isNaN(want)) expect(got, `${name} ${x}`).toBeNaN();
        else expect(got, `${name} ${x}`).toBeCloseTo(want, 70);
        if (want === 2 ** 201) expect(got).toBe(want);
      }
    }
  });

  it('scale_inplace and clip_inplace are exact on edge values (NaN, ±Inf, -0) for every size', () => {
    const edge = [NaN, Infinity, -Infinity, -0, 0, 0.5, -0.5, 3, -3, 1, -1, 1e-45];
    for (const name of ALL) {
      const f = name === 'js' ? (v: number) => v : Math.fround;
      for (const n of [1, 3, 5, 12, 13]) {
        const x = Array.from({ length: n }, (_, i) => edge[(i * 5 + n) % edge.length]);
        const out = run(B[name], { s: { f: x }, c: { f: x } }, (p, k) => {
          scaleInPlace(k, { n, scale: -2, x: p.s });
          clipInPlace(k, { n, lo: -1, hi: 1, x: p.c });
        });
        for (let i = 0; i < n; i++) {
          const v = f(x[i]); // what the backend stores
          expect(Object.is(out.s[i], f(v * -2)), `${name} scale ${v}: ${out.s[i]}`).toBe(true);
          const clipped = Number.isNaN(v) ? NaN : v < -1 ? -1 : v > 1 ? 1 : v;
          expect(Object.is(out.c[i], f(clipped)), `${name} clip ${v}: ${out.c[i]}`).toBe(true);
        }
      }
    }
  });
});

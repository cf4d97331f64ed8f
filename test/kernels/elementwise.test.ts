import { describe, it, expect, beforeAll } from 'vitest';
import { ActivationCode } from '../../ts/backend/abi.js';
import {
  activationBackward, activationForward, add, axpy, biasAdd, biasGrad, countNonFinite, fill, mul, type ActivationName,
} from '../../ts/backend/kernels/index.js';
import type { Backend } from '../../ts/backend/backend.js';
import {
  allBackends, run, randArray, expectClose, numericGrad, weightedSum, ODD_SIZES, WASM_BACKENDS, type NamedBackends,
} from '../helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

const ACTS = Object.keys(ActivationCode) as ActivationName[];
const SHAPES: [number, number][] = [[1, 1], [1, 7], [3, 5], [2, 13], [7, 4], [5, 17], [1, 31], [4, 9]];
const STREAM_SIZES = [...ODD_SIZES, 97, 257, 1000, 1009];

function actForward(b: Backend, rows: number, cols: number, act: ActivationName, x: number[], alias: boolean): Float64Array {
  if (alias) return run(b, { x: { f: x } }, (p, k) => activationForward(k, { rows, cols, activation: act, x: p.x, y: p.x })).x;
  return run(b, { x: { f: x }, y: { out: x.length } }, (p, k) => activationForward(k, { rows, cols, activation: act, x: p.x, y: p.y })).y;
}

function actBackward(b: Backend, rows: number, cols: number, act: ActivationName, y: ArrayLike<number>, dy: number[], alias: boolean): Float64Array {
  if (alias) return run(b, { y: { f: y }, dy: { f: dy } }, (p, k) => activationBackward(k, { rows, cols, activation: act, y: p.y, dy: p.dy, dx: p.dy })).dy;
  return run(b, { y: { f: y }, dy: { f: dy }, dx: { out: dy.length } }, (p, k) => activationBackward(k, { rows, cols, activation: act, y: p.y, dy: p.dy, dx: p.dx })).dx;
}

describe('activations against the float64 oracle', () => {
  for (const name of WASM_BACKENDS) {
    it(`${name}: forward and backward for every activation, separate and aliased buffers`, () => {
      for (const act of ACTS) {
        for (const [s, [rows, cols]] of SHAPES.entries()) {
          const x = randArray(rows * cols, 10 + s, 4);
          const what = `${act} ${rows}x${cols}`;
          const want = actForward(B.js, rows, cols, act, x, false);
          expectClose(actForward(B[name], rows, cols, act, x, false), want, 1e-6, 1e-5, `${what} forward`);
          expectClose(actForward(B[name], rows, cols, act, x, true), want, 1e-6, 1e-5, `${what} forward in place`);
          expectClose(actForward(B.js, rows, cols, act, x, true), want, 0, 0, `${what} js forward in place`);

          const y = Float64Array.from(want, Math.fround);
          const dy = randArray(rows * cols, 50 + s);
          const wantDx = actBackward(B.js, rows, cols, act, y, dy, false);
          expectClose(actBackward(B[name], rows, cols, act, y, dy, false), wantDx, 1e-6, 1e-5, `${what} backward`);
          expectClose(actBackward(B[name], rows, cols, act, y, dy, true), wantDx, 1e-6, 1e-5, `${what} backward dx = dy`);
          expectClose(actBackward(B.js, rows, cols, act, y, dy, true), wantDx, 0, 0, `${what} js backward dx = dy`);
        }
      }
    });
  }

  it('js backward matches central differences for every activation (away from kinks)', () => {
    const [rows, cols] = [3, 5];
    for (const act of ACTS) {
      // inputs kept away from relu's 0 and hard sigmoid's ±2.5
      const x = randArray(rows * cols, 7, 2).map((v) => (v >= 0 ? v + 0.1 : v - 0.1));
      const w = randArray(rows * cols, 8);
      const f = (xs: number[]) => weightedSum(actForward(B.js, rows, cols, act, xs, false), w);
      const y = actForward(B.js, rows, cols, act, x, false);
      const dx = actBackward(B.js, rows, cols, act, y, w, false);
      expectClose(dx, numericGrad(f, x), 1e-7, 1e-6, `${act} d/dx`);
    }
  });
});

describe('bias_add and bias_grad', () => {
  it('match the oracle on every backend; bias_grad accumulates', () => {
    for (const [s, [rows, cols]] of SHAPES.entries()) {
      const x = randArray(rows * cols, 200 + s);
      const b = randArray(cols, 300 + s);
      const db0 = randArray(cols, 400 + s);
      const ref = run(B.js, { x: { f: x }, b: { f: b }, db: { f: db0 } }, (p, k) => {
        biasAdd(k, { rows, cols, x: p.x, bias: p.b });
        biasGrad(k, { rows, cols, dy: p.x, dBias: p.db });
      });
      // independent check of the oracle: x + b per row, and db0 + column sums of (x + b)
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) expect(ref.x[r * cols + j]).toBeCloseTo(x[r * cols + j] + b[j], 12);
      for (let j = 0; j < cols; j++) {
        let sum = db0[j];
        for (let r = 0; r < rows; r++) sum += x[r * cols + j] + b[j];
        expect(ref.db[j]).toBeCloseTo(sum, 12);
      }
      for (const name of WASM_BACKENDS) {
        const got = run(B[name], { x: { f: x }, b: { f: b }, db: { f: db0 } }, (p, k) => {
          biasAdd(k, { rows, cols, x: p.x, bias: p.b });
          biasGrad(k, { rows, cols, dy: p.x, dBias: p.db });
        });
        expectClose(got.x, ref.x, 1e-6, 1e-6, `${name} bias_add ${rows}x${cols}`);
        expectClose(got.db, ref.db, 1e-5, 1e-5, `${name} bias_grad ${rows}x${cols}`);
      }
    }
  });
});

describe('streams over n floats', () => {
  it('mul, add (aliased out), axpy and fill match the oracle for every size', () => {
    for (const n of STREAM_SIZES) {
      const a = randArray(n, n);
      const b = randArray(n, n + 1);
      const want = {
        mul: a.map((v, i) => v * b[i]),
        add: a.map((v, i) => v + b[i]),
        axpy: a.map((v, i) => b[i] + -0.75 * v),
      };
      for (const name of ['js', ...WASM_BACKENDS] as const) {
        const tol = name === 'js' ? 0 : 1e-6;
        const got = run(B[name], { a: { f: a }, b: { f: b }, m: { out: n }, s: { f: a }, y: { f: b }, z: { out: n } }, (p, k) => {
          mul(k, { n, a: p.a, b: p.b, out: p.m });
          add(k, { n, a: p.s, b: p.b, out: p.s }); // out aliases a
          axpy(k, { n, alpha: -0.75, x: p.a, y: p.y });
          fill(k, { n, value: -2.5, x: p.z });
        });
        expectClose(got.m, want.mul, tol, tol, `${name} mul n=${n}`);
        expectClose(got.s, want.add, tol, tol, `${name} add in place n=${n}`);
        expectClose(got.y, want.axpy, tol, tol, `${name} axpy n=${n}`);
        expect([...got.z].every((v) => v === -2.5), `${name} fill n=${n}`).toBe(true);
      }
    }
  });

  it('mul with out aliasing b; fill writes exactly n floats', () => {
    for (const name of ['js', ...WASM_BACKENDS] as const) {
      const a = randArray(13, 1);
      const b = randArray(13, 2);
      const got = run(B[name], { a: { f: a }, b: { f: b }, z: { f: new Array(9).fill(7) } }, (p, k) => {
        mul(k, { n: 13, a: p.a, b: p.b, out: p.b });
        fill(k, { n: 5, value: 0, x: p.z + 2 * B[name].floatBytes });
      });
      expectClose(got.b, a.map((v, i) => v * b[i]), 1e-7, 1e-6, `${name} mul into b`);
      expect([...got.z]).toEqual([7, 7, 0, 0, 0, 0, 0, 7, 7]);
    }
  });

  it('count_non_finite counts NaN and ±Inf anywhere (body and tail), never -0, denormals or extremes', () => {
    const edge = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 1e-45, -1e-40];
    for (const n of [1, 3, 4, 5, 8, 13, 64, 1001]) {
      const x = randArray(n, n * 3);
      const r = randArray(n, n * 5);
      // about half the elements become edge values
      for (let i = 0; i < n; i++) {
        const pick = Math.floor(((r[i] + 1) / 2) * edge.length * 2);
        if (pick < edge.length) x[i] = edge[pick];
      }
      x[n - 1] = Infinity; // the last element is in the tail whenever n % 4 != 0
      const expected = x.filter((v) => !Number.isFinite(v)).length;
      for (const name of ['js', ...WASM_BACKENDS] as const) {
        let count = -1;
        run(B[name], { x: { f: x } }, (p, k) => {
          count = countNonFinite(k, { n, x: p.x });
        });
        expect(count, `${name} n=${n}`).toBe(expected);
      }
    }
    for (const name of ['js', ...WASM_BACKENDS] as const) {
      let count = -1;
      run(B[name], { x: { f: [-0, 0, 1e-45, 3.4e38, -3.4e38, 1, 2] } }, (p, k) => {
        count = countNonFinite(k, { n: 7, x: p.x });
      });
      expect(count, `${name} all finite`).toBe(0);
    }
  });
});

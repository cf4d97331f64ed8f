// The recurrent cells' op set (ts/autograd): every op's backward against central differences on
// the float64 backend, results against plain loops, the eager lw.ops versions, and the errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import type { Backend } from '../../ts/backend/backend.js';
import { stepOps, type StepOps } from '../../ts/autograd/ops.js';
import { selectRows } from '../../ts/autograd/rows.js';
import type { StepTensor } from '../../ts/autograd/step-tensor.js';
import { Tape } from '../../ts/autograd/tape.js';
import { allBackends, expectClose, randArray } from '../helpers/kernels.js';
import { expectLwErrorSync } from '../helpers/lw-error.js';

type Fn = (ops: StepOps, xs: StepTensor[], tape: Tape) => StepTensor;
interface Arg {
  shape: number[];
  values: number[];
}

let js: Backend;
beforeAll(async () => {
  js = (await allBackends()).js;
  await lw.ready({ backend: 'js' });
});

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const arg = (shape: number[], seed: number, scale = 1): Arg => ({ shape, values: randArray(size(shape), seed, scale) });

/** fn on leaves holding `args`; with `seed`, the backward of Σ seed·out gives each leaf's gradient. */
function runTape(backend: Backend, fn: Fn, args: Arg[], seed?: number[]): { out: number[]; shape: readonly number[]; grads: number[][] } {
  return backend.scoped((scope) => {
    const tape = new Tape({ backend, alloc: (n) => scope.floats(n) }, seed !== undefined);
    const leaves = args.map((a) => tape.leaf(scope.floats(a.values.length, a.values), a.shape, seed ? scope.zeros(a.values.length) : 0));
    const out = fn(stepOps(tape), leaves, tape);
    const grads: number[][] = [];
    if (seed) {
      tape.backward([[out, scope.floats(seed.length, seed)]]);
      leaves.forEach((l, i) => grads.push(Array.from(backend.readFloats(l.grad, args[i].values.length, true))));
    }
    return { out: Array.from(backend.readFloats(out.ptr, out.size, true)), shape: out.shape, grads };
  });
}

/** Compares the tape's gradients of Σ seed·fn(args) with central differences, for every input value. */
function checkGradients(fn: Fn, args: Arg[], eps = 1e-6): void {
  const { out } = runTape(js, fn, args);
  const seed = randArray(out.length, 99);
  const { grads } = runTape(js, fn, args, seed);
  const loss = (a: Arg[]) => runTape(js, fn, a).out.reduce((s, v, i) => s + v * seed[i], 0);
  args.forEach((a, k) => {
    const numeric = a.values.map((v, i) => {
      const at = (d: number) => args.map((b, j) => (j === k ? { ...b, values: b.values.map((w, n) => (n === i ? v + d : w)) } : b));
      return (loss(at(eps)) - loss(at(-eps))) / (2 * eps);
    });
    expectClose(grads[k], numeric, 1e-8, 1e-6, `input ${k}`);
    expect(grads[k].some((g) => g !== 0), `input ${k} gets a gradient`).toBe(true);
  });
}

describe('op gradients against central differences (float64)', () => {
  it.each([[false, false], [true, false], [false, true], [true, true]])('matMul transposeA %s transposeB %s', (tA, tB) => {
    const [M, K, N] = [3, 4, 5];
    checkGradients((o, [a, b]) => o.matMul(a, b, tA, tB), [arg(tA ? [K, M] : [M, K], 1), arg(tB ? [N, K] : [K, N], 2)]);
  });

  const shapes: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[3, 1], [1, 4]], [[2, 3, 4], [3, 1]], [[4], [2, 3, 4]], [[3, 4], []]];
  for (const op of ['add', 'sub', 'mul'] as const) {
    it.each(shapes)(`${op} %j with %j`, (sa, sb) => checkGradients((o, [a, b]) => o[op](a, b), [arg(sa, 3), arg(sb, 4)]));
    it(`${op} with scalars on either side and one tensor twice`, () => {
      checkGradients((o, [a]) => o[op](o[op](2.5, a), o[op](a, -1.5)), [arg([2, 3], 5)]);
      checkGradients((o, [a]) => o[op](o.mul(a, a), a), [arg([2, 3], 6)]);
    });
  }

  it.each(['sigmoid', 'tanh', 'relu', 'hardSigmoid'] as const)('%s', (act) => {
    // Away from the kinks of relu (0) and hardSigmoid (±2.5), where differences are not derivatives.
    const values = randArray(12, 7, 2).map((v) => (Math.abs(v) < 0.1 ? v + 0.3 : v));
    checkGradients((o, [x]) => o[act](x), [{ shape: [3, 4], values }]);
  });

  it.each([-1, 0, 1, 2])('concat along axis %i, one tensor twice', (axis) => {
    const shape = (d: number) => [2, 3, 4].map((n, i) => (i === (axis + 3) % 3 ? d : n));
    checkGradients((o, [a, b]) => o.concat([a, b, a], axis), [arg(shape(2), 8), arg(shape(1), 9)]);
  });

  it('split into equal parts and by sizes, slice, along several axes', () => {
    checkGradients((o, [x]) => o.concat(o.split(x, 4).reverse()), [arg([3, 8], 10)]);
    checkGradients((o, [x]) => o.concat(o.split(x, [1, 3, 2], 1).reverse(), 1), [arg([2, 6, 3], 11)]);
    checkGradients((o, [x]) => o.mul(o.slice(x, 1, 2, 0), o.slice(x, 0, 2, 0)), [arg([3, 4], 12)]);
  });

  it('a tensor used by several ops sums their gradients (an LSTM-like expression)', () => {
    checkGradients((o, [x, w, b]) => {
      const z = o.add(o.matMul(x, w), b);
      const [i, f] = o.split(z, 2);
      return o.add(o.mul(o.sigmoid(i), o.tanh(f)), o.mul(o.sub(1, o.sigmoid(f)), o.slice(z, 0, 3)));
    }, [arg([2, 5], 13), arg([5, 6], 14), arg([6], 15)]);
  });

  it('selectRows: the kept rows from one tensor, the others from the other', () => {
    const mask = [0, 1, 1, 0, 0, 1]; // column 1 of a [3, 2] mask: rows 0 and 2 keep
    const fn: Fn = (_o, [a, b], tape) => selectRows(tape, { ptr: tape.constant(mask, [3, 2]).ptr + js.floatBytes, stride: 2 }, a, b);
    const a = arg([3, 4], 16);
    const b = arg([3, 4], 17);
    checkGradients(fn, [a, b]);
    const { out } = runTape(js, fn, [a, b]);
    expect(out).toEqual([...a.values.slice(0, 4), ...b.values.slice(4, 8), ...a.values.slice(8)]);
  });
});

describe('results', () => {
  it('broadcasting follows NumPy: [2, 3, 1] + [4] is [2, 3, 4]', () => {
    const a = arg([2, 3, 1], 20);
    const b = arg([4], 21);
    const { out, shape } = runTape(js, (o, [x, y]) => o.add(x, y), [a, b]);
    expect(shape).toEqual([2, 3, 4]);
    expect(out).toEqual(Array.from({ length: 24 }, (_, i) => a.values[Math.floor(i / 4)] + b.values[i % 4]));
  });

  it('matMul on simd agrees with float64 loops; activations with Math', async () => {
    const { simd } = await allBackends();
    const a = arg([5, 7], 22);
    const b = arg([7, 3], 23);
    const want = Array.from({ length: 15 }, (_, i) => a.values.slice(Math.floor(i / 3) * 7, Math.floor(i / 3) * 7 + 7).reduce((s, v, k) => s + v * b.values[k * 3 + (i % 3)], 0));
    expectClose(runTape(simd, (o, [x, y]) => o.matMul(x, y), [a, b]).out, want, 1e-5, 1e-6, 'simd matMul');
    const x = arg([4, 4], 24, 3);
    expectClose(runTape(simd, (o, [t]) => o.tanh(t), [x]).out, x.values.map(Math.tanh), 1e-6, 1e-6, 'simd tanh');
    expectClose(runTape(js, (o, [t]) => o.sigmoid(t), [x]).out, x.values.map((v) => 1 / (1 + Math.exp(-v))), 1e-12, 1e-12, 'js sigmoid');
  });
});

describe('eager lw.ops on tensors', () => {
  it('run the same ops and return tensors', () => {
    const a = lw.tensor([[1, 2], [3, 4]]);
    expect(lw.ops.matMul(a, [[1], [1]]).arraySync()).toEqual([[3], [7]]);
    expect(lw.ops.matMul(a, a, true).arraySync()).toEqual([[10, 14], [14, 20]]);
    expect(lw.ops.add(a, [10, 20]).arraySync()).toEqual([[11, 22], [13, 24]]);
    expect(lw.ops.sub(1, a).arraySync()).toEqual([[0, -1], [-2, -3]]);
    expect(lw.ops.mul(a, 0.5).arraySync()).toEqual([[0.5, 1], [1.5, 2]]);
    expect(lw.ops.relu([-1, 2]).arraySync()).toEqual([0, 2]);
    expect(lw.ops.hardSigmoid([-3, 0, 1]).arraySync()).toEqual([0, 0.5, Math.fround(0.7)]);
    expect(lw.ops.concat([a, [[5], [6]]]).arraySync()).toEqual([[1, 2, 5], [3, 4, 6]]);
    expect(lw.ops.split(a, 2).map((t) => t.arraySync())).toEqual([[[1], [3]], [[2], [4]]]);
    expect(lw.ops.split(a, 2, 0).map((t) => t.arraySync())).toEqual([[[1, 2]], [[3, 4]]]);
    expect(lw.ops.slice([1, 2, 3, 4], 1, 2).arraySync()).toEqual([2, 3]);
    expectClose(lw.ops.tanh([0.5]).dataSync(), [Math.tanh(0.5)], 1e-7, 0, 'tanh (float32 results)');
    expectClose(lw.ops.sigmoid([0.5]).dataSync(), [1 / (1 + Math.exp(-0.5))], 1e-7, 0, 'sigmoid');
  });

  it('errors name the op and the shapes', () => {
    expectLwErrorSync(() => lw.ops.matMul([[1, 2]], [[1, 2]]), 'SHAPE_MISMATCH', /lw\.ops\.matMul: inner sizes differ: a \[1, 2\] has 2, b \[1, 2\] has 1/);
    expectLwErrorSync(() => lw.ops.matMul([1, 2], [[1], [2]]), 'SHAPE_MISMATCH', /lw\.ops\.matMul: a and b must have rank 2/);
    expectLwErrorSync(() => lw.ops.add([[1, 2, 3]], [1, 2]), 'SHAPE_MISMATCH', /lw\.ops\.add: shapes \[1, 3\] and \[2\] do not broadcast/);
    expectLwErrorSync(() => lw.ops.split([1, 2, 3], 2), 'SHAPE_MISMATCH', /lw\.ops\.split: axis 0 of \[3\] has 3 items, which 2 parts cannot share equally/);
    expectLwErrorSync(() => lw.ops.split([1, 2, 3], [1, 1]), 'SHAPE_MISMATCH', /sizes \[1, 1\] add up to 2/);
    expectLwErrorSync(() => lw.ops.slice([1, 2, 3], 2, 2), 'BAD_ARGUMENT', /lw\.ops\.slice: size must be a whole number in \[1, 1\], got number 2/);
    expectLwErrorSync(() => lw.ops.concat([[1, 2]], 1), 'BAD_ARGUMENT', /lw\.ops\.concat: axis must be a whole number in \[-1, 0\]/);
    expectLwErrorSync(() => lw.ops.concat([[[1, 2]], [[1, 2, 3], [4, 5, 6]]], 1), 'SHAPE_MISMATCH', /shapes \[1, 2\], \[2, 3\] differ outside axis 1/);
    expectLwErrorSync(() => lw.ops.matMul([[1]], [[1]], 'yes' as unknown as boolean), 'BAD_ARGUMENT', /transposeA must be true or false/);
  });
});

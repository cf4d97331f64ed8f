// lw.ops: tensor-level entry points over the kernels; validation errors name the argument.
import { describe, it, expect, beforeAll } from 'vitest';
import * as lw from '../../ts/index.js';
import { randArray, expectClose, numericGrad, weightedSum } from '../helpers/kernels.js';

const t = (n: number[], shape: number[], seed: number, scale = 0.5) => lw.tensor(randArray(n.reduce((a, b) => a * b, 1), seed, scale), shape);

async function onBackend<T>(name: lw.BackendName, f: () => T): Promise<T> {
  await lw.ready({ backend: name });
  return f();
}

beforeAll(async () => {
  await lw.ready();
});

describe('lw.ops', () => {
  it('gemm matches the oracle with transposes, alpha, beta and c', async () => {
    const a = t([5, 7], [7, 5], 1);
    const b = t([3, 7], [3, 7], 2);
    const c = t([5, 3], [5, 3], 3);
    const opts = { transposeA: true, transposeB: true, alpha: 0.5, beta: 2, c };
    const want = await onBackend('js', () => lw.ops.gemm(a, b, opts));
    const got = await onBackend('simd', () => lw.ops.gemm(a, b, opts));
    expect(got.shape).toEqual([5, 3]);
    expectClose(got.dataSync(), want.dataSync(), 1e-6, 1e-5, 'ops.gemm');
  });

  it('lstm forward/backward through ops agree with finite differences of ops.lstmForward', async () => {
    await lw.ready({ backend: 'js' });
    const [B, T, I, U] = [2, 3, 2, 3];
    const args = {
      x: t([B, T, I], [B, T, I], 4), kernel: t([I, 4 * U], [I, 4 * U], 5), recurrentKernel: t([U, 4 * U], [U, 4 * U], 6),
      bias: t([4 * U], [4 * U], 7), mask: lw.tensor([[1, 0, 1], [1, 1, 1]]),
    };
    const w = randArray(B * T * U, 8);
    const fwd = lw.ops.lstmForward(args);
    const g = lw.ops.lstmBackward(fwd, { dOutputs: lw.tensor(w, [B, T, U]) });
    const loss = (k: number[]) => weightedSum(lw.ops.lstmForward({ ...args, kernel: lw.tensor(k, [I, 4 * U]) }).outputs.dataSync(), w);
    // float32 tensors between ops calls limit this check's precision
    expectClose(g.dKernel.dataSync(), numericGrad(loss, Array.from(args.kernel.dataSync()), 1e-2), 2e-3, 2e-2, 'dKernel');
    await lw.ready({ backend: 'simd' });
    const fw = lw.ops.lstmForward(args);
    expectClose(fw.outputs.dataSync(), fwd.outputs.dataSync(), 1e-5, 1e-5, 'wasm outputs');
  });

  it('validation names the op, the argument and the shapes', () => {
    expect(() => lw.ops.gemm([[1, 2]], [[1, 2]])).toThrow(/gemm: inner sizes differ: op\(a\) is \[1, 2\], op\(b\) is \[1, 2\]/);
    expect(() => lw.ops.lstmForward({ x: lw.tensor(new Float32Array(6), [1, 2, 3]), kernel: lw.tensor(new Float32Array(8), [2, 4]), recurrentKernel: lw.tensor(new Float32Array(4), [1, 4]) }))
      .toThrow(/lstmForward: kernel has shape \[2, 4\], expected \[3, 4\]/);
    expect(() => lw.ops.embeddingLookup(lw.tensor(new Float32Array(6), [3, 2]), [0, 3])).toThrow(/ID_OUT_OF_RANGE.*ids\[1\] = 3 is outside \[0, 3\)/);
    expect(() => lw.ops.embeddingLookup(lw.tensor(new Float32Array(6), [3, 2]), [-1])).toThrow(/ID_OUT_OF_RANGE/);
    expect(() => lw.ops.loss('binaryCrossentropy', [[0.5]], [[1], [0]])).toThrow(/SHAPE_MISMATCH.*target/);
    expect(() => lw.ops.loss('nope' as never, [[0.5]], [[1]])).toThrow(/BAD_ARGUMENT.*unknown loss/);
  });

  it('embedding lookup, dense and losses run end to end', () => {
    const table = t([4, 3], [4, 3], 9);
    const e = lw.ops.embeddingLookup(table, [[3, 0]]);
    expect(e.shape).toEqual([1, 2, 3]);
    expect(Array.from(e.dataSync().subarray(0, 3))).toEqual(Array.from(table.dataSync().subarray(9, 12)));
    const y = lw.ops.denseForward({ x: e.reshape([2, 3]), kernel: t([3, 2], [3, 2], 10), activation: 'softmax' });
    const rows = y.arraySync() as number[][];
    for (const r of rows) expect(r[0] + r[1]).toBeCloseTo(1, 6);
    const l = lw.ops.loss('binaryCrossentropy', [[0.5]], [[1]]);
    expect(l.loss).toBeCloseTo(Math.log(2), 6);
  });

  it('activationForward: each activation over the last axis, softmax per row', () => {
    const x = [[-2, 0, 3], [1, 1, 1]];
    const relu = lw.ops.activationForward('relu', x).arraySync() as number[][];
    expect(relu).toEqual([[0, 0, 3], [1, 1, 1]]);
    const soft = lw.ops.activationForward('softmax', x).arraySync() as number[][];
    const e = x[0].map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    soft[0].forEach((v, j) => expect(v).toBeCloseTo(e[j] / z, 6));
    soft[1].forEach((v) => expect(v).toBeCloseTo(1 / 3, 6));
    expect(() => lw.ops.activationForward('gelu' as 'relu', x)).toThrow(/BAD_ARGUMENT/);
  });
});

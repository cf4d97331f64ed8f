import { describe, it, expect } from 'vitest';
import { tensor, Tensor } from '../../ts/tensor.js';
import { LwError } from '../../ts/errors.js';

describe('lw.tensor', () => {
  it('infers shapes from nested arrays and round-trips them', async () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
    expect(await t.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(t.reshape([3, -1]).arraySync()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(tensor(7).shape).toEqual([]);
    expect(tensor(7).arraySync()).toBe(7);
  });

  it('takes typed arrays with a shape, and int32', () => {
    const t = tensor(new Float32Array(6), [2, 1, 3]);
    expect(t.shape).toEqual([2, 1, 3]);
    const ids = tensor([[1, 2], [3, 4]], undefined, 'int32');
    expect(ids.dtype).toBe('int32');
    expect(ids.dataSync()).toBeInstanceOf(Int32Array);
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
  });

  it('names the problem in typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(LwError);
        return (e as LwError).code;
      }
      return 'no error';
    };
    expect(code(() => tensor([[1, 2], [3]]))).toBe('SHAPE_MISMATCH');
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged.*\[1\].*expected 2 items, got 1/);
    expect(code(() => tensor(new Float32Array(5), [2, 3]))).toBe('SHAPE_MISMATCH');
    expect(code(() => tensor([1.5], [1], 'int32'))).toBe('DTYPE');
    expect(code(() => tensor(new Uint8Array(3) as never))).toBe('DTYPE');
    expect(code(() => tensor([['a' as never]]))).toBe('DTYPE');
    expect(code(() => tensor([1, 2, 3]).reshape([2, -1]))).toBe('SHAPE_MISMATCH');
    expect(code(() => new Tensor(new Float32Array(2), [2.5]))).toBe('SHAPE_MISMATCH');
  });
});

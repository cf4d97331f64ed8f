import type { StepTensor } from './step-tensor.js';
import type { Tape } from './tape.js';

/** A shape seen around one axis: `outer` blocks of `len` items of `inner` floats each. */
function around(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return { outer: prod(shape.slice(0, axis)), len: shape[axis], inner: prod(shape.slice(axis + 1)) };
}

/**
 * Copies `outer` runs of `run` floats from src (stride `srcStride`) to dst (stride `dstStride`);
 * `accumulate` adds instead of copying.
 */
function copyRuns(tape: Tape, src: number, srcStride: number, dst: number, dstStride: number, outer: number, run: number, accumulate: boolean): void {
  const b = tape.backend;
  const f = b.floats();
  const s = b.fi(src);
  const d = b.fi(dst);
  for (let o = 0; o < outer; o++) {
    const so = s + o * srcStride;
    const dO = d + o * dstStride;
    if (!accumulate) f.copyWithin(dO, so, so + run);
    else for (let i = 0; i < run; i++) f[dO + i] += f[so + i];
  }
}

/** Items [start, start + size) of x along `axis` (checked by the caller); the gradient adds back into that part. */
export function slice(tape: Tape, x: StepTensor, axis: number, start: number, size: number): StepTensor {
  const shape = x.shape.map((d, i) => (i === axis ? size : d));
  const out = tape.result(shape, [x]);
  const { outer, len, inner } = around(x.shape, axis);
  const fb = tape.backend.floatBytes;
  const from = x.ptr + start * inner * fb;
  copyRuns(tape, from, len * inner, out.ptr, size * inner, outer, size * inner, false);
  tape.record(out, (dy) => {
    if (!x.requiresGrad) return;
    const g = tape.gradOf(x);
    copyRuns(tape, dy, size * inner, g + start * inner * fb, len * inner, outer, size * inner, true);
  });
  return out;
}

/** xs joined along `axis` (same shapes but for `axis`, checked by the caller). */
export function concat(tape: Tape, xs: readonly StepTensor[], axis: number): StepTensor {
  const total = xs.reduce((a, t) => a + t.shape[axis], 0);
  const shape = xs[0].shape.map((d, i) => (i === axis ? total : d));
  const out = tape.result(shape, xs);
  const { outer, inner } = around(shape, axis);
  const fb = tape.backend.floatBytes;
  let offset = 0;
  const offsets = xs.map((t) => {
    const o = offset;
    copyRuns(tape, t.ptr, t.shape[axis] * inner, out.ptr + o * inner * fb, total * inner, outer, t.shape[axis] * inner, false);
    offset += t.shape[axis];
    return o;
  });
  tape.record(out, (dy) => {
    xs.forEach((t, i) => {
      if (!t.requiresGrad) return;
      const run = t.shape[axis] * inner;
      const c = tape.alloc(t.size);
      copyRuns(tape, dy + offsets[i] * inner * fb, total * inner, c, run, outer, run, false);
      tape.addOwned(t, c);
    });
  });
  return out;
}

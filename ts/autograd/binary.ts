import { add, mul } from '../backend/kernels/index.js';
import { broadcastIndex } from './broadcast.js';
import type { StepTensor } from './step-tensor.js';
import type { Tape } from './tape.js';

export type BinaryKind = 'add' | 'sub' | 'mul';

/** Index maps of a broadcast: for each result element, the element of a and of b it reads. */
interface Maps {
  a: Int32Array;
  b: Int32Array;
}

/**
 * out = a ∘ b elementwise (∘ = +, -, ⊙) over `shape`, the broadcast of the two shapes (checked by
 * the caller). Equal shapes run the add / mul kernels; a broadcast reads through index maps.
 */
export function binary(tape: Tape, kind: BinaryKind, a: StepTensor, b: StepTensor, shape: readonly number[]): StepTensor {
  const out = tape.result(shape, [a, b]);
  const k = tape.backend.kernels;
  const same = a.size === out.size && b.size === out.size;
  const maps = same ? null : tape.memoize(`broadcast ${a.shape}|${b.shape}`, (): Maps => ({ a: broadcastIndex(a.shape, shape), b: broadcastIndex(b.shape, shape) }));
  if (same && kind === 'add') add(k, { n: out.size, a: a.ptr, b: b.ptr, out: out.ptr });
  else if (same && kind === 'mul') mul(k, { n: out.size, a: a.ptr, b: b.ptr, out: out.ptr });
  else forwardLoop(tape, kind, a, b, out, maps);
  tape.record(out, (dy) => {
    if (a.requiresGrad) operandGrad(tape, kind, a, b, dy, maps?.a ?? null, maps?.b ?? null, false);
    if (b.requiresGrad) operandGrad(tape, kind, b, a, dy, maps?.b ?? null, maps?.a ?? null, true);
  });
  return out;
}

function forwardLoop(tape: Tape, kind: BinaryKind, a: StepTensor, b: StepTensor, out: StepTensor, maps: Maps | null): void {
  const f = tape.backend.floats();
  const fi = (p: number) => tape.backend.fi(p);
  const [ai, bi, oi, n] = [fi(a.ptr), fi(b.ptr), fi(out.ptr), out.size];
  const ma = maps?.a;
  const mb = maps?.b;
  for (let i = 0; i < n; i++) {
    const x = f[ai + (ma ? ma[i] : i)];
    const y = f[bi + (mb ? mb[i] : i)];
    f[oi + i] = kind === 'add' ? x + y : kind === 'sub' ? x - y : x * y;
  }
}

/**
 * The gradient reaching `self` (a, or b when `second`) from dy: dy (add), ±dy (sub), dy ⊙ other
 * (mul), summed over the elements `self` was stretched across. `selfMap` / `otherMap`: their
 * index maps (null: same shape as the result).
 */
function operandGrad(tape: Tape, kind: BinaryKind, self: StepTensor, other: StepTensor, dy: number,
  selfMap: Int32Array | null, otherMap: Int32Array | null, second: boolean): void {
  const k = tape.backend.kernels;
  const n = selfMap ? selfMap.length : self.size;
  if (!selfMap && kind === 'add') return tape.addFrom(self, dy);
  if (!selfMap && !otherMap && kind === 'mul') {
    const c = tape.alloc(n);
    mul(k, { n, a: dy, b: other.ptr, out: c });
    return tape.addOwned(self, c);
  }
  const c = selfMap ? tape.zeros(self.size) : tape.alloc(n);
  const f = tape.backend.floats();
  const fi = (p: number) => tape.backend.fi(p);
  const [ci, di, oi] = [fi(c), fi(dy), fi(other.ptr)];
  const sign = kind === 'sub' && second ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const g = kind === 'mul' ? f[di + i] * f[oi + (otherMap ? otherMap[i] : i)] : sign * f[di + i];
    if (selfMap) f[ci + selfMap[i]] += g;
    else f[ci + i] = g;
  }
  tape.addOwned(self, c);
}

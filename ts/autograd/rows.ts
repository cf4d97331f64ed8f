// Row operations a recurrent layer runs around its cells' steps: a padding mask choosing between
// the new and the carried rows, and one step's rows written into the whole sequence.
import type { StepTensor } from './step-tensor.js';
import type { Tape } from './tape.js';

/** A column of a [B, T] mask: row b's value at float `ptr` + b·stride (byte pointer, floats). */
export interface MaskColumn {
  ptr: number;
  stride: number;
}

/** out [B, n] takes row b of `keep` where the mask is non-zero, else of `other` (same shapes, checked by the caller). */
export function selectRows(tape: Tape, mask: MaskColumn, keep: StepTensor, other: StepTensor): StepTensor {
  const out = tape.result(keep.shape, [keep, other]);
  const [B] = keep.shape;
  const n = keep.size / B;
  const b = tape.backend;
  const m = b.fi(mask.ptr);
  const kept = (f: ArrayLike<number>, row: number) => f[m + row * mask.stride] !== 0;
  const f = b.floats();
  for (let r = 0; r < B; r++) {
    const src = b.fi((kept(f, r) ? keep : other).ptr) + r * n;
    f.copyWithin(b.fi(out.ptr) + r * n, src, src + n);
  }
  tape.record(out, (dy) => {
    for (const [t, wantKept] of [[keep, true], [other, false]] as const) {
      if (!t.requiresGrad) continue;
      const c = tape.alloc(t.size);
      const g = b.floats();
      const [ci, di] = [b.fi(c), b.fi(dy)];
      for (let r = 0; r < B; r++) {
        if (kept(g, r) === wantKept) g.copyWithin(ci + r * n, di + r * n, di + (r + 1) * n);
        else g.fill(0, ci + r * n, ci + (r + 1) * n);
      }
      tape.addOwned(t, c);
    }
  });
  return out;
}

/** Writes x [B, n] into step s of seq [B, T, n]; the gradient of those rows of seq flows back into x. */
export function writeStep(tape: Tape, seq: StepTensor, s: number, x: StepTensor): void {
  const [B, T, n] = seq.shape;
  const b = tape.backend;
  const f = b.floats();
  const [si, xi] = [b.fi(seq.ptr), b.fi(x.ptr)];
  for (let r = 0; r < B; r++) f.copyWithin(si + (r * T + s) * n, xi + r * n, xi + (r + 1) * n);
  tape.record(seq, (dSeq) => {
    if (!x.requiresGrad) return;
    const c = tape.alloc(x.size);
    const g = b.floats();
    const [ci, di] = [b.fi(c), b.fi(dSeq)];
    for (let r = 0; r < B; r++) g.copyWithin(ci + r * n, di + (r * T + s) * n, di + (r * T + s + 1) * n);
    tape.addOwned(x, c);
  });
}

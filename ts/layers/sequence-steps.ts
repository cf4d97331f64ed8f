import type { BatchTensor, ExecCtx } from '../engine/exec.js';

/**
 * Copies a recurrent layer's sequence [B, T, U] (rows in its processing order, as the kernels write
 * hs) between that order and the output's, zeroing the rows of masked steps. Processing step s reads
 * input time `goBackwards ? T-1-s : s`, whose mask value decides; it sits at output step
 * `reverse ? T-1-s : s` (Bidirectional's backward copy is reversed, as Keras reverses it).
 * `toLayer` copies output → processing order (gradients), else processing → output order.
 */
export function copyMaskedSteps(ctx: ExecCtx, src: number, dst: number, x: BatchTensor, units: number,
  goBackwards: boolean, reverse: boolean, toLayer: boolean): void {
  const [B, T] = x.shape;
  const f = ctx.backend.floats();
  const si = ctx.fi(src);
  const di = ctx.fi(dst);
  const mi = x.mask ? ctx.fi(x.mask) : -1;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < T; s++) {
      const layerOff = (b * T + s) * units;
      const outOff = (b * T + (reverse ? T - 1 - s : s)) * units;
      const [from, to] = toLayer ? [si + outOff, di + layerOff] : [si + layerOff, di + outOff];
      const keep = mi < 0 || f[mi + b * T + (goBackwards ? T - 1 - s : s)] !== 0;
      if (keep) f.copyWithin(to, from, from + units);
      else f.fill(0, to, to + units);
    }
  }
}

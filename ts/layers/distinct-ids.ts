import type { ExecCtx } from '../engine/exec.js';

/** The distinct ids of a batch: uniq [count] (i32, first-seen order) and inverse [n] (i32) with ids[r] = uniq[inverse[r]]. */
export interface DistinctIds {
  uniq: number;
  inverse: number;
  count: number;
}

/**
 * Finds the distinct ids among n ids (an i32 buffer in backend memory, values in [0, rows)). The
 * slot table [rows] is kept between calls (all -1 between them), so a call costs O(n).
 */
export class DistinctIdFinder {
  private slots = new Int32Array(0);

  find(ctx: ExecCtx, ids: number, n: number, rows: number): DistinctIds {
    if (this.slots.length < rows) this.slots = new Int32Array(rows).fill(-1);
    const slots = this.slots;
    const uniq = ctx.scope.ints(n);
    const inverse = ctx.scope.ints(n);
    const I = ctx.backend.ints();
    const [src, u, inv] = [ids / 4, uniq / 4, inverse / 4];
    let count = 0;
    for (let r = 0; r < n; r++) {
      const id = I[src + r];
      let s = slots[id];
      if (s < 0) {
        s = slots[id] = count++;
        I[u + s] = id;
      }
      I[inv + r] = s;
    }
    for (let s = 0; s < count; s++) slots[I[u + s]] = -1;
    return { uniq, inverse, count };
  }
}

/**
 * NumPy broadcasting of two shapes (trailing dimensions aligned; a dimension of 1 or a missing
 * one stretches): the result's shape, or null when they do not broadcast.
 */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each element of a result of `out` shape, the index of the element of an operand of `shape` it reads. */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const rank = out.length;
  // The operand's strides per result dimension: 0 where it is stretched.
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    const d = shape[shape.length - rank + i] ?? 1;
    if (d !== 1) strides[i] = stride;
    stride *= d;
  }
  const size = out.reduce((x, y) => x * y, 1);
  const index = new Int32Array(size);
  const at = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    index[i] = src;
    // Odometer over the result's dimensions, last fastest.
    for (let d = rank - 1; d >= 0; d--) {
      at[d]++;
      src += strides[d];
      if (at[d] < out[d]) break;
      src -= strides[d] * at[d];
      at[d] = 0;
    }
  }
  return index;
}

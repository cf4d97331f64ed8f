// Row indices of batches (fit shuffles them; predict and evaluate walk them in order).

/** The row indices [start, end). */
export function range(start: number, end: number): Int32Array {
  const a = new Int32Array(end - start);
  for (let i = 0; i < a.length; i++) a[i] = start + i;
  return a;
}

import type { KernelsOf } from './family.js';

export const EMBEDDING_EXPORTS = ['embedding_forward', 'embedding_backward'] as const;
type Raw = KernelsOf<typeof EMBEDDING_EXPORTS>;

/** out [n, width] = table [V, width][ids [n]] (ids i32, checked in [0, V) before). */
export function embeddingForward(k: Raw, a: { n: number; width: number; ids: number; table: number; out: number }): void {
  k.embedding_forward(a.n, a.width, a.ids, a.table, a.out);
}

/** dTable [V, width] += dOut [n, width] scatter-added by ids [n]. */
export function embeddingBackward(k: Raw, a: { n: number; width: number; ids: number; dOut: number; dTable: number }): void {
  k.embedding_backward(a.n, a.width, a.ids, a.dOut, a.dTable);
}

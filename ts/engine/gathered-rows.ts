import { embeddingForward } from '../backend/kernels/index.js';
import type { BatchTensor, ExecCtx } from './exec.js';

/**
 * The rows of an Embedding's output [..., width], gathered into the batch scope on the first call
 * (later calls and other consumers reuse them); a tensor without `gather` is returned as is.
 * Returns `t.ptr`.
 */
export function gatherRows(ctx: ExecCtx, t: BatchTensor): number {
  if (t.ptr || !t.gather) return t.ptr;
  const width = t.shape[t.shape.length - 1];
  const n = t.shape.reduce((a, b) => a * b, 1) / width;
  t.ptr = ctx.alloc(n * width);
  embeddingForward(ctx.backend.kernels, { n, width, ids: t.gather.ids, table: t.gather.table, out: t.ptr });
  return t.ptr;
}

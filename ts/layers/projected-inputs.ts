import { embeddingBackward, embeddingForward, gemm, gemmWsFloats } from '../backend/kernels/index.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { DistinctIdFinder, type DistinctIds } from './distinct-ids.js';

/**
 * How x reaches a recurrent kernel: rows of x [B, T, I] multiplied by the kernel, or (`projected`)
 * rows of x·kernel [V, G] read through ids [B, T] (the kernel's pointer is then 0).
 */
export interface KernelInputs {
  x: number;
  ids: number;
  projected: boolean;
}

/** Training on the batch's distinct tokens: their ids and rows xu [count, I]. */
export interface DistinctRows extends DistinctIds {
  xu: number;
}

/** What the forward of the projection leaves for its backward. */
export interface ProjectedForward {
  inputs: KernelInputs;
  /** Set when training on the distinct tokens (inference reads the folded table). */
  distinct: DistinctRows | null;
}

/** The input kernel [I, G] and, when trained, its gradient (0: frozen). */
export interface InputKernel {
  kernel: number;
  dKernel: number;
  I: number;
  G: number;
}

/**
 * Training multiplies the distinct tokens' rows by the kernel instead of every token's when at
 * most this share of the batch's tokens are distinct: below it the saved products (forward
 * projection, dKernel, dx) outweigh gathering and scattering the gate rows.
 */
const DISTINCT_SHARE = 0.8;

/**
 * A recurrent layer fed by an Embedding multiplies rows of the table by its input kernel once per
 * row instead of once per token: the whole table at inference (kept until the weights change),
 * the batch's distinct tokens in training. The kernels read the projections through ids.
 */
export class EmbeddingProjection {
  private readonly distinctIds = new DistinctIdFinder();

  /** `key` names the layer's folded table among the model's derived buffers. */
  constructor(private readonly key: string) {}

  /**
   * Projected inputs for x when x is an Embedding's rows and projecting pays off; null: the
   * layer multiplies x's rows itself. `distinct` allows the training path (no input dropout).
   */
  forward(ctx: ExecCtx, x: BatchTensor, k: InputKernel, distinct: boolean): ProjectedForward | null {
    const g = x.gather;
    if (!g) return null;
    if (!ctx.training) {
      const table = this.foldedTable(ctx, x, k);
      return table ? { inputs: { x: table, ids: g.ids, projected: true }, distinct: null } : null;
    }
    if (!distinct) return null;
    const d = this.distinctRows(ctx, x);
    return d ? { inputs: { x: this.projectDistinct(ctx, d, k), ids: d.inverse, projected: true }, distinct: d } : null;
  }

  /**
   * From the projections' gradient dProj [B·T, G]: summed per token dTok [count, G], then
   * dKernel += xuᵀ·dTok and, when `wantRows`, the Embedding adds its rows' gradient dTok·kernelᵀ
   * [count, I] to its table (no dense [B, T, I] gradient is formed).
   */
  backward(ctx: ExecCtx, x: BatchTensor, d: DistinctRows, dProj: number, k: InputKernel, wantRows: boolean): void {
    const { I, G } = k;
    const raw = ctx.backend.kernels;
    const [B, T] = x.shape;
    const dTok = ctx.zeros(d.count * G);
    embeddingBackward(raw, { n: B * T, width: G, ids: d.inverse, dOut: dProj, dTable: dTok });
    const ws = ctx.alloc(Math.max(gemmWsFloats(raw, { M: I, N: G, K: d.count }), gemmWsFloats(raw, { M: d.count, N: I, K: G })));
    if (k.dKernel) gemm(raw, { M: I, N: G, K: d.count, transposeA: true, a: d.xu, b: dTok, beta: 1, c: k.dKernel, ws });
    const addRowGrads = x.gather?.addRowGrads;
    if (!wantRows || !addRowGrads) return;
    const dxu = ctx.alloc(d.count * I);
    gemm(raw, { M: d.count, N: I, K: G, transposeB: true, a: dTok, b: k.kernel, c: dxu, ws });
    addRowGrads(ctx, d.uniq, d.count, dxu);
  }

  /**
   * Inference: table·kernel [vocab, G], built once it pays off (then kept until the weights
   * change); 0 before.
   */
  private foldedTable(ctx: ExecCtx, x: BatchTensor, k: InputKernel): number {
    const g = x.gather!;
    const [B, T] = x.shape;
    const { I, G } = k;
    const raw = ctx.backend.kernels;
    return ctx.derived(`${this.key} kernel x ${g.table}`, {
      floats: g.vocab * G,
      buildFlops: 2 * g.vocab * I * G,
      savedFlops: 2 * B * T * I * G,
      build: (p) => gemm(raw, { M: g.vocab, N: G, K: I, a: g.table, b: k.kernel, c: p, ws: ctx.alloc(gemmWsFloats(raw, { M: g.vocab, N: G, K: I })) }),
    });
  }

  /** The batch's distinct tokens and their rows xu [count, I], when they repeat enough; else null. */
  private distinctRows(ctx: ExecCtx, x: BatchTensor): DistinctRows | null {
    const g = x.gather!;
    const [B, T, I] = x.shape;
    const d = this.distinctIds.find(ctx, g.ids, B * T, g.vocab);
    if (d.count > DISTINCT_SHARE * B * T) return null;
    const xu = ctx.alloc(d.count * I);
    embeddingForward(ctx.backend.kernels, { n: d.count, width: I, ids: d.uniq, table: g.table, out: xu });
    return { ...d, xu };
  }

  /** xu · kernel [count, G]: the projections the kernel reads through the inverse ids. */
  private projectDistinct(ctx: ExecCtx, d: DistinctRows, k: InputKernel): number {
    const { I, G } = k;
    const raw = ctx.backend.kernels;
    const p = ctx.alloc(d.count * G);
    gemm(raw, { M: d.count, N: G, K: I, a: d.xu, b: k.kernel, c: p, ws: ctx.alloc(gemmWsFloats(raw, { M: d.count, N: G, K: I })) });
    return p;
  }
}

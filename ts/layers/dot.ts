import type { OptionNames } from '../engine/options.js';
import { gemm, gemmWsFloats } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { fmt, type Shape } from '../engine/shape.js';
import { Layer, type ForwardResult, type LayerArgs } from '../engine/layer.js';
import { l2Normalize, l2NormalizeBackward, type VectorLayout } from './l2-normalize.js';

export interface DotArgs extends LayerArgs {
  /** The axis summed over, for both inputs or [first input's, second input's]; counts the batch as 0, negative from the end. */
  axes: number | [number, number];
  /** L2-normalise both inputs along their axes first, so the result is the cosine similarity (default false). */
  normalize?: boolean;
}

/**
 * One input's sample as the row-major matrix [rows, cols] a product reads (a [batch, F] input is
 * the row [1, F] on the left and the column [F, 1] on the right), summed along `axis` of it.
 */
type Operand = Omit<VectorLayout, 'samples'>;

/** Per sample: out [M, N] = op(x) [M, K] · op(y) [K, N], op = transpose where the summed axis needs it. */
interface Plan {
  x: Operand;
  y: Operand;
  transposeA: boolean;
  transposeB: boolean;
  M: number;
  N: number;
  K: number;
}

interface Saved {
  /** The (normalised) operands the products read, and the normalisation scales (normalize only). */
  xn: number;
  yn: number;
  xInv?: Float64Array;
  yInv?: Float64Array;
}

/**
 * The batched dot product of two inputs along one axis each (Keras Dot), for ranks 2 and 3:
 * [B, T, F]·[B, S, F] with axes 2 → [B, T, S] (attention scores), [B, T, S]·[B, S, F] with
 * axes [2, 1] → [B, T, F], [B, F]·[B, F] with axes 1 → [B, 1], [B, T, F]·[B, F] → [B, T]. The
 * output keeps the first input's remaining axis, then the second's. One GEMM per sample, forward
 * and backward. The output has no mask (Keras).
 */
export class Dot extends Layer {
  readonly className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(args: DotArgs) {
    super(args, 'dot', { axes: true, normalize: true } satisfies OptionNames<DotArgs, LayerArgs>);
    const a = args.axes;
    const ok = Number.isInteger(a) || (Array.isArray(a) && a.length === 2 && a.every((v) => Number.isInteger(v)));
    if (!ok) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": axes must be a whole number or a pair of them, got ${JSON.stringify(a)}`);
    if (args.normalize !== undefined && typeof args.normalize !== 'boolean') {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": normalize must be true or false, got ${JSON.stringify(args.normalize)}`);
    }
    this.axes = Array.isArray(a) ? [a[0], a[1]] : a;
    this.normalize = args.normalize ?? false;
  }

  /** Each input's summed axis as a non-negative index, checked against the ranks. */
  private axesFor(ranks: [number, number]): [number, number] {
    const given = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    return ranks.map((rank, i) => {
      if (rank !== 2 && rank !== 3) {
        throw new LwError('UNSUPPORTED', `layer "${this.name}" (Dot): input ${i} has rank ${rank}; lstm-wasm's Dot takes inputs of rank 2 or 3 (with the batch)`, { layer: this.name });
      }
      const a = given[i] < 0 ? given[i] + rank : given[i];
      if (a === 0) throw this.shapeError(`axes ${JSON.stringify(this.axes)}: the dot product cannot run over the batch axis`);
      if (a < 0 || a >= rank) throw this.shapeError(`axes ${JSON.stringify(this.axes)}: axis ${given[i]} is outside input ${i} of rank ${rank}`);
      return a;
    }) as [number, number];
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    if (inputShapes.length !== 2) throw this.shapeError(`takes exactly 2 inputs, got ${inputShapes.length}`);
    const [s1, s2] = inputShapes;
    const [a1, a2] = this.axesFor([s1.length, s2.length]);
    if (s1[a1] !== null && s2[a2] !== null && s1[a1] !== s2[a2]) {
      throw this.shapeError(`axis ${a1} of the first input (${s1[a1]}) and axis ${a2} of the second (${s2[a2]}) must match, got ${fmt(s1)} and ${fmt(s2)}`, { shapes: inputShapes });
    }
    if (s1[0] !== null && s2[0] !== null && s1[0] !== s2[0]) throw this.shapeError(`the batch sizes differ: ${fmt(s1)} and ${fmt(s2)}`);
    const rest = [...s1.slice(1).filter((_d, i) => i + 1 !== a1), ...s2.slice(1).filter((_d, i) => i + 1 !== a2)];
    return [[s1[0] ?? s2[0], ...(rest.length ? rest : [1])]];
  }

  private plan(x: BatchTensor, y: BatchTensor): Plan {
    const [a1, a2] = this.axesFor([x.shape.length, y.shape.length]);
    if (x.shape[0] !== y.shape[0] || x.shape[a1] !== y.shape[a2]) {
      throw this.shapeError(`inputs ${fmt(x.shape)} and ${fmt(y.shape)} do not match on the batch and on axes ${a1}, ${a2}`);
    }
    const xo: Operand = x.shape.length === 2 ? { rows: 1, cols: x.shape[1], axis: 1 } : { rows: x.shape[1], cols: x.shape[2], axis: (a1 - 1) as 0 | 1 };
    const yo: Operand = y.shape.length === 2 ? { rows: y.shape[1], cols: 1, axis: 0 } : { rows: y.shape[1], cols: y.shape[2], axis: (a2 - 1) as 0 | 1 };
    const transposeA = xo.axis === 0;
    const transposeB = yo.axis === 1;
    return {
      x: xo, y: yo, transposeA, transposeB,
      M: transposeA ? xo.cols : xo.rows, K: transposeA ? xo.rows : xo.cols, N: transposeB ? yo.rows : yo.cols,
    };
  }

  forward(ctx: ExecCtx, [x, y]: BatchTensor[]): ForwardResult {
    const p = this.plan(x, y);
    const B = x.shape[0];
    const saved: Saved = { xn: x.ptr, yn: y.ptr };
    if (this.normalize) {
      saved.xn = ctx.alloc(B * p.x.rows * p.x.cols);
      saved.yn = ctx.alloc(B * p.y.rows * p.y.cols);
      const f = ctx.backend.floats();
      saved.xInv = l2Normalize(f, ctx.fi(x.ptr), ctx.fi(saved.xn), { samples: B, ...p.x });
      saved.yInv = l2Normalize(f, ctx.fi(y.ptr), ctx.fi(saved.yn), { samples: B, ...p.y });
    }
    const out = ctx.alloc(B * p.M * p.N);
    const k = ctx.backend.kernels;
    const ws = ctx.alloc(gemmWsFloats(k, p));
    const fb = ctx.backend.floatBytes;
    const [xSize, ySize, outSize] = [p.x.rows * p.x.cols * fb, p.y.rows * p.y.cols * fb, p.M * p.N * fb];
    for (let b = 0; b < B; b++) {
      gemm(k, {
        M: p.M, N: p.N, K: p.K, transposeA: p.transposeA, transposeB: p.transposeB,
        a: saved.xn + b * xSize, lda: p.x.cols, b: saved.yn + b * ySize, ldb: p.y.cols, c: out + b * outSize, ldc: p.N, ws,
      });
    }
    const shape = this.computeOutputShape([x.shape, y.shape])[0] as number[];
    return { outputs: [{ ptr: out, shape }], saved };
  }

  backward(ctx: ExecCtx, savedAny: unknown, [x, y]: BatchTensor[], _o: BatchTensor[], [dOut]: number[], wanted?: readonly boolean[]): number[] {
    const saved = savedAny as Saved;
    const p = this.plan(x, y);
    const B = x.shape[0];
    const { M, N, K } = p;
    const k = ctx.backend.kernels;
    const ws = ctx.alloc(Math.max(gemmWsFloats(k, { M, N: K, K: N }), gemmWsFloats(k, { M: K, N: M, K: N }), gemmWsFloats(k, { M: K, N, K: M }), gemmWsFloats(k, { M: N, N: K, K: M })));
    const fb = ctx.backend.floatBytes;
    const [xSize, ySize, outSize] = [p.x.rows * p.x.cols, p.y.rows * p.y.cols, M * N];
    const [lx, ly] = [p.x.cols, p.y.cols];
    const at = (ptr: number, b: number, size: number) => ptr + b * size * fb;

    const dx = wanted?.[0] === false ? 0 : ctx.alloc(B * xSize);
    const dy = wanted?.[1] === false ? 0 : ctx.alloc(B * ySize);
    for (let b = 0; b < B; b++) {
      const [xb, yb, db] = [at(saved.xn, b, xSize), at(saved.yn, b, ySize), at(dOut, b, outSize)];
      if (dx) {
        const c = at(dx, b, xSize);
        // d op(x) = dOut · op(y)ᵀ; stored transposed, dx = op(y) · dOutᵀ.
        if (!p.transposeA) gemm(k, { M, N: K, K: N, a: db, lda: N, transposeB: !p.transposeB, b: yb, ldb: ly, c, ldc: lx, ws });
        else gemm(k, { M: K, N: M, K: N, transposeA: p.transposeB, a: yb, lda: ly, transposeB: true, b: db, ldb: N, c, ldc: lx, ws });
      }
      if (dy) {
        const c = at(dy, b, ySize);
        // d op(y) = op(x)ᵀ · dOut; stored transposed, dy = dOutᵀ · op(x).
        if (!p.transposeB) gemm(k, { M: K, N, K: M, transposeA: !p.transposeA, a: xb, lda: lx, b: db, ldb: N, c, ldc: ly, ws });
        else gemm(k, { M: N, N: K, K: M, transposeA: true, a: db, lda: N, transposeB: p.transposeA, b: xb, ldb: lx, c, ldc: ly, ws });
      }
    }
    if (this.normalize) {
      const f = ctx.backend.floats();
      if (dx) l2NormalizeBackward(f, ctx.fi(saved.xn), ctx.fi(dx), ctx.fi(dx), saved.xInv!, { samples: B, ...p.x });
      if (dy) l2NormalizeBackward(f, ctx.fi(saved.yn), ctx.fi(dy), ctx.fi(dy), saved.yInv!, { samples: B, ...p.y });
    }
    return [dx, dy];
  }

  override getConfig() {
    return { ...super.getConfig(), axes: Array.isArray(this.axes) ? [...this.axes] : this.axes, normalize: this.normalize };
  }
}

export const dot = (args: DotArgs) => new Dot(args);

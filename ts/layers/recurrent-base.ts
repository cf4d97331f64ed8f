import { RecurrentFlags, type ActivationName } from '../backend/abi.js';
import { LwError } from '../errors.js';
import type { InitializerName } from '../initializers.js';
import type { Act, ExecCtx } from '../model/exec.js';
import type { Shape } from '../model/shape.js';
import { activationCode, KERAS_ACTIVATION } from './activation-names.js';
import { initializerConfig } from './config.js';
import { DistinctIdFinder, type DistinctIds } from './distinct-ids.js';
import { Layer, type LayerArgs, type Weight } from './layer.js';

export interface RecurrentArgs extends LayerArgs {
  units: number;
  activation?: ActivationName | string;
  recurrentActivation?: ActivationName | string;
  useBias?: boolean;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  /** Carry the final states of a batch into the next batch (fixed batch size). */
  stateful?: boolean;
  /** Fraction of input units dropped (same mask at every step) while training. */
  dropout?: number;
  /** Fraction of recurrent units dropped (same mask at every step) while training. */
  recurrentDropout?: number;
  kernelInitializer?: InitializerName;
  recurrentInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

/** What a recurrent cell kind contributes: gate count, state count, the prefix of its kernels. */
export interface CellSpec {
  gates: number;
  states: number;
  kernels: 'lstm' | 'gru' | 'rnn';
}

/**
 * How x reaches a kernel: rows of inputs x [B,T,I] multiplied by the kernel, or (`projected`)
 * rows of x·kernel [V,G] read through ids [B,T] (kernel pointer 0).
 */
export interface KernelInputs {
  x: number;
  ids: number;
  projected: boolean;
}

/** Training on an Embedding's rows: the batch's distinct tokens, their rows xu [count, I]. */
interface DistinctRows extends DistinctIds {
  xu: number;
  /** The Embedding's table gradient (0: frozen). */
  tableGrad: number;
}

interface Saved {
  inputs: KernelInputs;
  distinct: DistinctRows | null;
  dropMask: Float32Array | null;
  recMask: number;
  states0: number[];
  hs: number;
  stateOut: number[];
  cache: number;
}

/**
 * Training multiplies the distinct tokens' rows by the kernel instead of every token's when at
 * most this share of the batch's tokens are distinct: below it the saved products (forward
 * projection, dKernel, dx) outweigh gathering and scattering the gate rows.
 */
const DISTINCT_SHARE = 0.8;

/**
 * Shared machinery of LSTM, GRU and SimpleRNN layers: shapes, weights, dropout masks, stateful
 * carry, masks, and the mapping of outputs (sequence / last / states) to one fused kernel call.
 */
export abstract class RecurrentLayer extends Layer {
  readonly units: number;
  readonly activation: { name: ActivationName; code: number };
  readonly recurrentActivation: { name: ActivationName; code: number };
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  protected kernel!: Weight;
  protected recurrentKernel!: Weight;
  protected bias: Weight | null = null;
  /** Final states of the previous batch (stateful layers), in JS memory. */
  private carried: Float32Array[] | null = null;
  private readonly distinctIds = new DistinctIdFinder();

  protected abstract readonly cell: CellSpec;

  constructor(protected readonly rargs: RecurrentArgs, defaultName: string) {
    super(rargs, defaultName);
    if (!Number.isInteger(rargs.units) || rargs.units < 1) throw this.shapeError(`units must be a whole number >= 1, got ${rargs.units}`);
    this.units = rargs.units;
    this.activation = activationCode(rargs.activation ?? 'tanh', `layer "${this.name}"`, false);
    this.recurrentActivation = activationCode(rargs.recurrentActivation ?? 'sigmoid', `layer "${this.name}"`, false);
    this.useBias = rargs.useBias ?? true;
    this.returnSequences = rargs.returnSequences ?? false;
    this.returnState = rargs.returnState ?? false;
    this.goBackwards = rargs.goBackwards ?? false;
    this.stateful = rargs.stateful ?? false;
    for (const k of ['dropout', 'recurrentDropout'] as const) {
      const v = rargs[k] ?? 0;
      if (!(v >= 0 && v < 1)) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": ${k} must be in [0, 1), got ${v}`);
    }
    this.dropout = rargs.dropout ?? 0;
    this.recurrentDropout = rargs.recurrentDropout ?? 0;
  }

  /** Extra flags of the cell (GRU resetAfter). */
  protected cellFlags(): number {
    return 0;
  }

  /** Bias shape of the cell. */
  protected biasShape(): number[] {
    return [this.cell.gates * this.units];
  }

  protected abstract biasInit(): InitializerName | ((shape: readonly number[], out: Float32Array) => void);

  protected abstract runForward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number,
    recMask: number, states0: number[], hs: number, stateOut: number[], cache: number, ws: number): void;

  /** With projected inputs, dx receives the projections' gradient [B, T, G] (and no dKernel is taken). */
  protected abstract runBackward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    states0: number[], hs: number, cache: number, dHs: number, dStates: number[], dx: number, dStates0: number[], ws: number): void;

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const s = this.expectRank(inputShapes, [3]);
    if (s[2] === null) throw this.shapeError('the feature (last) dimension of the input must be known');
    const out: Shape = this.returnSequences ? [s[0], s[1], this.units] : [s[0], this.units];
    const states: Shape[] = this.returnState ? Array.from({ length: this.cell.states }, () => [s[0], this.units]) : [];
    return [out, ...states];
  }

  override build(inputShapes: Shape[]): void {
    const I = inputShapes[0][2] as number;
    const G = this.cell.gates * this.units;
    this.kernel = this.addWeight('kernel', [I, G], this.rargs.kernelInitializer ?? 'glorotUniform');
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, G], this.rargs.recurrentInitializer ?? 'orthogonal');
    if (this.useBias) this.bias = this.addWeight('bias', this.biasShape(), this.biasInit());
  }

  /** A dropout mask of n values: 0 or 1/(1-rate). */
  private dropMask(ctx: ExecCtx, n: number, rate: number): Float32Array {
    const m = new Float32Array(n);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < n; i++) m[i] = ctx.rng.next() < rate ? 0 : keep;
    return m;
  }

  forward(ctx: ExecCtx, [x]: Act[]) {
    const [B, T, I] = x.shape;
    const U = this.units;
    const b = ctx.backend;
    if (T === 0) throw new LwError('EMPTY_DATA', `layer "${this.name}": sequences of length 0`);
    // Projected inputs (an Embedding's rows, multiplied once per table or per distinct token)
    // never read x.ptr, so the rows themselves are not gathered.
    const distinct = ctx.training && this.dropout === 0 ? this.distinctRows(ctx, x) : null;
    const folded = ctx.training ? 0 : this.foldedTable(ctx, x);
    const projected = distinct ? this.projectDistinct(ctx, distinct, I) : folded;
    let xPtr = projected ? 0 : x.ptr;
    let dropMask: Float32Array | null = null;
    if (ctx.training && this.dropout > 0) {
      // Keras: one input mask per sample, the same at every step.
      dropMask = this.dropMask(ctx, B * I, this.dropout);
      xPtr = ctx.alloc(B * T * I);
      const f = b.floats();
      const src = ctx.fi(x.ptr);
      const dst = ctx.fi(xPtr);
      for (let bi = 0; bi < B; bi++) {
        for (let t = 0; t < T; t++) {
          const o = (bi * T + t) * I;
          for (let i = 0; i < I; i++) f[dst + o + i] = f[src + o + i] * dropMask[bi * I + i];
        }
      }
    }
    let recMask = 0;
    if (ctx.training && this.recurrentDropout > 0) {
      recMask = ctx.alloc(B * U);
      b.writeFloats(recMask, this.dropMask(ctx, B * U, this.recurrentDropout));
    }
    const states0 = this.initialStates(ctx, B);
    const hs = ctx.alloc(B * T * U);
    const stateOut = Array.from({ length: this.cell.states }, () => ctx.alloc(B * U));
    const cache = ctx.alloc(ctx.backend.kernels[`${this.cell.kernels}_cache_floats`](B, T, I, U));
    const ws = ctx.alloc(this.wsFloats(ctx, B, T, I));
    const flags = (this.goBackwards ? RecurrentFlags.goBackwards : 0) | this.cellFlags();
    const inputs: KernelInputs = projected
      ? { x: projected, ids: distinct ? distinct.inverse : x.gather!.ids, projected: true }
      : { x: xPtr, ids: 0, projected: false };
    this.runForward(ctx, B, T, I, flags, inputs, x.mask ?? 0, recMask, states0, hs, stateOut, cache, ws);
    if (this.stateful) this.carried = stateOut.map((p) => b.readFloats(p, B * U) as Float32Array);
    const main: Act = this.returnSequences ? { ptr: hs, shape: [B, T, U], mask: x.mask } : { ptr: stateOut[0], shape: [B, U] };
    const outputs = [main, ...(this.returnState ? stateOut.map((p) => ({ ptr: p, shape: [B, U] })) : [])];
    const saved: Saved = { inputs, distinct, dropMask, recMask, states0, hs, stateOut, cache };
    return { outputs, saved };
  }

  /**
   * Inference on rows of an embedding table: table·kernel [rows, G] is multiplied once (kept until
   * the weights change) and read through the ids, instead of multiplying every token's row.
   * 0 when the input is not gathered or the product does not pay off yet.
   */
  private foldedTable(ctx: ExecCtx, x: Act): number {
    const g = x.gather;
    if (!g) return 0;
    const [B, T, I] = x.shape;
    const G = this.cell.gates * this.units;
    const k = ctx.backend.kernels;
    return ctx.derived(`${this.name} kernel x ${g.table}`, {
      floats: g.rows * G,
      buildFlops: 2 * g.rows * I * G,
      savedFlops: 2 * B * T * I * G,
      build: (p) => k.gemm(0, 0, g.rows, G, I, 1, g.table, I, ctx.paramPtr(this.kernel.offset), G, 0, p, G, ctx.alloc(k.gemm_ws_floats(g.rows, G, I))),
    });
  }

  /** Training on an Embedding's rows that repeat enough: the distinct tokens and their rows xu [count, I]. */
  private distinctRows(ctx: ExecCtx, x: Act): DistinctRows | null {
    const g = x.gather;
    if (!g) return null;
    const [B, T, I] = x.shape;
    const d = this.distinctIds.find(ctx, g.ids, B * T, g.rows);
    if (d.count > DISTINCT_SHARE * B * T) return null;
    const xu = ctx.alloc(d.count * I);
    ctx.backend.kernels.embedding_forward(d.count, I, d.uniq, g.table, xu);
    return { ...d, xu, tableGrad: g.grad };
  }

  /** xu · kernel [count, G]: the projections the kernel reads through the inverse ids. */
  private projectDistinct(ctx: ExecCtx, d: DistinctRows, I: number): number {
    const G = this.cell.gates * this.units;
    const k = ctx.backend.kernels;
    const p = ctx.alloc(d.count * G);
    k.gemm(0, 0, d.count, G, I, 1, d.xu, I, ctx.paramPtr(this.kernel.offset), G, 0, p, G, ctx.alloc(k.gemm_ws_floats(d.count, G, I)));
    return p;
  }

  /**
   * Backward of the distinct-token projection from the projections' gradient dProj [B*T, G]:
   * summed per token [count, G], then dKernel += xu^T · that, and the Embedding's table rows get
   * (that · kernel^T) directly (the layer returns no dense dx for them).
   */
  private distinctBackward(ctx: ExecCtx, d: DistinctRows, n: number, I: number, dProj: number, wantTable: boolean): void {
    const G = this.cell.gates * this.units;
    const k = ctx.backend.kernels;
    const dTok = ctx.zeros(d.count * G);
    k.embedding_backward(n, G, d.inverse, dProj, dTok);
    const ws = ctx.alloc(Math.max(k.gemm_ws_floats(I, G, d.count), k.gemm_ws_floats(d.count, I, G)));
    const { dk } = this.gradPtrs(ctx);
    if (dk) k.gemm(1, 0, I, G, d.count, 1, d.xu, I, dTok, G, 1, dk, G, ws);
    if (!wantTable || !d.tableGrad) return;
    const dxu = ctx.alloc(d.count * I);
    k.gemm(0, 1, d.count, I, G, 1, dTok, G, ctx.paramPtr(this.kernel.offset), G, 0, dxu, I, ws);
    k.embedding_backward(d.count, I, d.uniq, dxu, d.tableGrad);
  }

  private initialStates(ctx: ExecCtx, B: number): number[] {
    if (!this.stateful || !this.carried) return Array.from({ length: this.cell.states }, () => 0);
    if (this.carried[0].length !== B * this.units) {
      throw new LwError('SHAPE_MISMATCH', `stateful layer "${this.name}" carried states for batch ${this.carried[0].length / this.units}, got batch ${B}: use a fixed batch size or call resetStates()`);
    }
    return this.carried.map((s) => {
      const p = ctx.alloc(s.length);
      ctx.backend.writeFloats(p, s);
      return p;
    });
  }

  override resetStates(): void {
    this.carried = null;
  }

  backward(ctx: ExecCtx, savedAny: unknown, [x]: Act[], _outs: Act[], dOutputs: number[], wanted?: readonly boolean[]): number[] {
    const saved = savedAny as Saved;
    const [B, T, I] = x.shape;
    const U = this.units;
    const k = ctx.backend.kernels;
    const [dMain, ...dStateOuts] = dOutputs;
    let dHs = 0;
    const dStates = Array.from({ length: this.cell.states }, (_, i) => dStateOuts[i] ?? 0);
    if (this.returnSequences) dHs = dMain;
    else if (dMain) {
      // The last output is the h state: its gradient and the h state's add up.
      if (dStates[0]) {
        const sum = ctx.alloc(B * U);
        k.add(B * U, dMain, dStates[0], sum);
        dStates[0] = sum;
      } else dStates[0] = dMain;
    }
    const d = saved.distinct;
    const G = this.cell.gates * U;
    // With distinct tokens the kernel gives the projections' gradient, always needed for dKernel.
    const dx = d ? ctx.alloc(B * T * G) : wanted?.[0] === false ? 0 : ctx.alloc(B * T * I);
    const ws = ctx.alloc(this.wsFloats(ctx, B, T, I));
    const flags = (this.goBackwards ? RecurrentFlags.goBackwards : 0) | this.cellFlags();
    this.runBackward(ctx, B, T, I, flags, saved.inputs, x.mask ?? 0, saved.recMask, saved.states0, saved.hs, saved.cache,
      dHs, dStates, dx, saved.states0.map(() => 0), ws);
    if (d) {
      this.distinctBackward(ctx, d, B * T, I, dx, wanted?.[0] !== false);
      return [0];
    }
    if (dx && saved.dropMask) {
      const f = ctx.backend.floats();
      const d = ctx.fi(dx);
      const m = saved.dropMask;
      for (let bi = 0; bi < B; bi++) {
        for (let t = 0; t < T; t++) {
          const o = (bi * T + t) * I;
          for (let i = 0; i < I; i++) f[d + o + i] *= m[bi * I + i];
        }
      }
    }
    return [dx];
  }

  private wsFloats(ctx: ExecCtx, B: number, T: number, I: number): number {
    return ctx.backend.kernels[`${this.cell.kernels}_ws_floats`](B, T, I, this.units);
  }

  /** Pointers for the kernels' weight-gradient arguments (0 when frozen; dk 0 for projected inputs). */
  protected gradPtrs(ctx: ExecCtx, projected = false): { dk: number; drk: number; db: number } {
    if (!this.trainable) return { dk: 0, drk: 0, db: 0 };
    return {
      dk: projected ? 0 : ctx.gradPtr(this.kernel.offset),
      drk: ctx.gradPtr(this.recurrentKernel.offset),
      db: this.bias ? ctx.gradPtr(this.bias.offset) : 0,
    };
  }

  /** Weight pointers for the kernels; `projected`: the kernel is already applied to x (k 0). */
  protected weightPtrs(ctx: ExecCtx, projected = false): { k: number; rk: number; b: number } {
    return {
      k: projected ? 0 : ctx.paramPtr(this.kernel.offset),
      rk: ctx.paramPtr(this.recurrentKernel.offset),
      b: this.bias ? ctx.paramPtr(this.bias.offset) : 0,
    };
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: KERAS_ACTIVATION[this.activation.name],
      use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.rargs.kernelInitializer ?? 'glorotUniform'),
      recurrent_initializer: initializerConfig(this.rargs.recurrentInitializer ?? 'orthogonal'),
      bias_initializer: initializerConfig(this.rargs.biasInitializer ?? 'zeros'),
      kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
      dropout: this.dropout,
      recurrent_dropout: this.recurrentDropout,
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: this.stateful,
      unroll: false,
    };
  }

  // --- Cloning (used by the Bidirectional wrapper) ---

  /**
   * A new, unbuilt layer of the same kind made from this layer's constructor arguments with
   * `overrides` applied (Keras rebuilds the copies of a Bidirectional from the layer's config).
   */
  cloneWith(overrides: Partial<RecurrentArgs>): RecurrentLayer {
    const Kind = this.constructor as new (args: RecurrentArgs) => RecurrentLayer;
    return new Kind({ ...this.rargs, ...overrides });
  }
}

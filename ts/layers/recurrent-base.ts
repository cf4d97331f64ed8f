import { RecurrentFlags, type ActivationName } from '../backend/abi.js';
import { LwError } from '../errors.js';
import type { InitializerName } from '../initializers.js';
import type { Act, ExecCtx } from '../model/exec.js';
import type { Shape } from '../model/shape.js';
import { activationCode, KERAS_ACTIVATION } from './activation-names.js';
import { initializerConfig } from './config.js';
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

interface Saved {
  x: number;
  dropMask: Float32Array | null;
  recMask: number;
  states0: number[];
  hs: number;
  stateOut: number[];
  cache: number;
}

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

  /** `projected`: x holds the input projections [B, T, G] (pass kernel 0 to the kernel). */
  protected abstract runForward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, x: number, projected: boolean, mask: number,
    recMask: number, states0: number[], hs: number, stateOut: number[], cache: number, ws: number): void;

  protected abstract runBackward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, x: number, mask: number, recMask: number,
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
    // Folded inputs (inference on an Embedding's rows) never read x.ptr, so the rows are not gathered.
    const projected = ctx.training ? 0 : this.projectedInputs(ctx, x);
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
    this.runForward(ctx, B, T, I, flags, projected || xPtr, projected !== 0, x.mask ?? 0, recMask, states0, hs, stateOut, cache, ws);
    if (this.stateful) this.carried = stateOut.map((p) => b.readFloats(p, B * U) as Float32Array);
    const main: Act = this.returnSequences ? { ptr: hs, shape: [B, T, U], mask: x.mask } : { ptr: stateOut[0], shape: [B, U] };
    const outputs = [main, ...(this.returnState ? stateOut.map((p) => ({ ptr: p, shape: [B, U] })) : [])];
    const saved: Saved = { x: xPtr, dropMask, recMask, states0, hs, stateOut, cache };
    return { outputs, saved };
  }

  /**
   * Inference on rows of an embedding table: table·kernel [rows, G] is multiplied once (kept until
   * the weights change) and its rows gathered, [B, T, G], instead of multiplying every token's row.
   * 0 when the input is not gathered or the product does not pay off yet.
   */
  private projectedInputs(ctx: ExecCtx, x: Act): number {
    const g = x.gather;
    if (!g) return 0;
    const [B, T, I] = x.shape;
    const G = this.cell.gates * this.units;
    const k = ctx.backend.kernels;
    const table = ctx.derived(`${this.name} kernel x ${g.table}`, {
      floats: g.rows * G,
      buildFlops: 2 * g.rows * I * G,
      savedFlops: 2 * B * T * I * G,
      build: (p) => k.gemm(0, 0, g.rows, G, I, 1, g.table, I, ctx.paramPtr(this.kernel.offset), G, 0, p, G, ctx.alloc(k.gemm_ws_floats(g.rows, G, I))),
    });
    if (!table) return 0;
    const out = ctx.alloc(B * T * G);
    k.embedding_forward(B * T, G, g.ids, table, out);
    return out;
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
    const dx = wanted?.[0] === false ? 0 : ctx.alloc(B * T * I);
    const ws = ctx.alloc(this.wsFloats(ctx, B, T, I));
    const flags = (this.goBackwards ? RecurrentFlags.goBackwards : 0) | this.cellFlags();
    this.runBackward(ctx, B, T, I, flags, saved.x, x.mask ?? 0, saved.recMask, saved.states0, saved.hs, saved.cache,
      dHs, dStates, dx, saved.states0.map(() => 0), ws);
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

  /** Pointers for the kernels' weight-gradient arguments (0 when frozen). */
  protected gradPtrs(ctx: ExecCtx): { dk: number; drk: number; db: number } {
    if (!this.trainable) return { dk: 0, drk: 0, db: 0 };
    return {
      dk: ctx.gradPtr(this.kernel.offset),
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

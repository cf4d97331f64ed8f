import type { OptionNames } from '../engine/options.js';
import {
  add, CELLS, cellBackward, cellCacheFloats, cellForward, cellWsFloats, resolveActivation,
  type ActivationName, type Cell, type CellDims, type CellKind,
} from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import type { Initializer, InitializerName } from '../initializers.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { fmt, type Shape } from '../engine/shape.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { initializerConfig } from './config.js';
import { gatherRows } from '../engine/gathered-rows.js';
import { copyMaskedSteps } from './sequence-steps.js';
import { initialStateInputs, recurrentOutputShapes } from './initial-state.js';
import { Layer, type ApplyArgs, type LayerArgs, type SymbolicTensor } from '../engine/layer.js';
import { inputMask, type OutputMask } from '../engine/mask.js';
import type { Weight } from '../engine/weight.js';
import { EmbeddingProjection, type InputKernel, type KernelInputs, type ProjectedForward } from './projected-inputs.js';

export interface RecurrentArgs extends LayerArgs {
  units: number;
  activation?: ActivationName | string;
  recurrentActivation?: ActivationName | string;
  useBias?: boolean;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  /**
   * With returnSequences and a mask: zeros at masked steps instead of the carried output (Keras
   * `zero_output_for_mask`, default false).
   */
  zeroOutputForMask?: boolean;
  /** Carry the final states of a batch into the next batch (fixed batch size). */
  stateful?: boolean;
  /** Fraction of input units dropped (same mask at every step) while training. */
  dropout?: number;
  /** Fraction of recurrent units dropped (same mask at every step) while training. */
  recurrentDropout?: number;
  kernelInitializer?: InitializerName;
  recurrentInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  /**
   * Keras / TF.js: unroll the loop. Accepted for ported code; it never changes the result here,
   * the fused kernel runs the sequence either way.
   */
  unroll?: boolean;
  /** Keras / TF.js: 1 or 2, how the gate products are batched. Accepted; it never changes the result here. */
  implementation?: 1 | 2;
}

const RECURRENT_OPTIONS: OptionNames<RecurrentArgs, LayerArgs> = {
  units: true, activation: true, recurrentActivation: true, useBias: true, returnSequences: true, returnState: true,
  goBackwards: true, zeroOutputForMask: true, stateful: true, dropout: true, recurrentDropout: true, kernelInitializer: true,
  recurrentInitializer: true, biasInitializer: true, unroll: true, implementation: true,
};

interface Saved {
  inputs: KernelInputs;
  projection: ProjectedForward | null;
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
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly zeroOutputForMask: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  protected kernel!: Weight;
  protected recurrentKernel!: Weight;
  protected bias: Weight | null = null;
  /** LSTM with usePeepholes: [3·units], p_i | p_f | p_o. */
  protected peepholes: Weight | null = null;
  /** Final states of the previous batch (stateful layers), in JS memory. */
  private carried: Float32Array[] | null = null;
  private readonly projection: EmbeddingProjection;
  /** An Embedding's output is passed with its rows ungathered: the projection may not need them. */
  override readonly handlesGatheredInputs = true;

  protected abstract readonly cellKind: CellKind;

  /** `options`: the cell's own option names beyond RecurrentArgs. */
  constructor(protected readonly rargs: RecurrentArgs, defaultName: string, options: Readonly<Record<string, true>> = {}) {
    super(rargs, defaultName, { ...RECURRENT_OPTIONS, ...options });
    if (!Number.isInteger(rargs.units) || rargs.units < 1) throw this.shapeError(`units must be a whole number >= 1, got ${rargs.units}`);
    this.units = rargs.units;
    this.activation = resolveActivation(rargs.activation ?? 'tanh', `layer "${this.name}"`, 'recurrent');
    this.recurrentActivation = resolveActivation(rargs.recurrentActivation ?? 'sigmoid', `layer "${this.name}"`, 'recurrent');
    this.useBias = rargs.useBias ?? true;
    this.returnSequences = rargs.returnSequences ?? false;
    this.returnState = rargs.returnState ?? false;
    this.goBackwards = rargs.goBackwards ?? false;
    this.zeroOutputForMask = rargs.zeroOutputForMask ?? false;
    this.stateful = rargs.stateful ?? false;
    for (const k of ['dropout', 'recurrentDropout'] as const) {
      const v = rargs[k] ?? 0;
      if (!(v >= 0 && v < 1)) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": ${k} must be in [0, 1), got ${v}`);
    }
    this.dropout = rargs.dropout ?? 0;
    this.recurrentDropout = rargs.recurrentDropout ?? 0;
    if (rargs.unroll !== undefined && typeof rargs.unroll !== 'boolean') throw new LwError('BAD_ARGUMENT', `layer "${this.name}": unroll must be true or false, got ${String(rargs.unroll)}`);
    if (rargs.implementation !== undefined && rargs.implementation !== 1 && rargs.implementation !== 2) {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": implementation must be 1 or 2, got ${String(rargs.implementation)}`);
    }
    this.projection = new EmbeddingProjection(this.name);
  }

  protected get cell(): Cell {
    return CELLS[this.cellKind];
  }

  /** How many states the cell carries: 2 for LSTM ([h, c]), 1 for GRU and SimpleRNN. */
  get stateCount(): number {
    return this.cell.states;
  }

  /** GRU: the reset gate after the recurrent product. */
  protected get resetAfterFlag(): boolean {
    return false;
  }

  protected abstract biasInit(): InitializerName | Initializer;

  /**
   * `apply(x, { initialState })` (TF.js, Keras), or `apply([x, h0, (c0)])` as TF.js and saved graphs
   * give it: the states are further inputs of the node, [batch, units] each.
   */
  protected override callInputs(inputs: SymbolicTensor[], kwargs: ApplyArgs): SymbolicTensor[] {
    return initialStateInputs(this, inputs, kwargs);
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return recurrentOutputShapes(inputShapes, this, (sh, r) => this.expectRank(sh, r), (m, d) => this.shapeError(m, d));
  }

  /** One size per state: [units, units] for an LSTM's h and c, [units] otherwise. */
  get stateSizes(): number[] {
    return Array.from({ length: this.cell.states }, () => this.units);
  }

  get outputSize(): number {
    return this.units;
  }

  override build(inputShapes: Shape[]): void {
    const I = inputShapes[0][2] as number;
    const G = this.cell.gates * this.units;
    this.kernel = this.addWeight('kernel', [I, G], this.rargs.kernelInitializer ?? 'glorotUniform');
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, G], this.rargs.recurrentInitializer ?? 'orthogonal');
    if (this.useBias) this.bias = this.addWeight('bias', this.cell.biasShape(this.units, this.resetAfterFlag), this.biasInit());
  }

  /** A dropout mask of n values: 0 or 1/(1-rate). */
  private dropMask(ctx: ExecCtx, n: number, rate: number): Float32Array {
    const m = new Float32Array(n);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < n; i++) m[i] = ctx.rng.next() < rate ? 0 : keep;
    return m;
  }

  forward(ctx: ExecCtx, [x, ...given]: BatchTensor[]) {
    const [B, T, I] = x.shape;
    const U = this.units;
    const b = ctx.backend;
    if (T === 0) throw new LwError('EMPTY_DATA', `layer "${this.name}": sequences of length 0`);
    // Projected inputs (an Embedding's rows, multiplied once per table or per distinct token)
    // do not need the rows themselves: gathered only on the ordinary path.
    const projection = this.projection.forward(ctx, x, this.inputKernel(ctx, I), this.dropout === 0);
    let xPtr = projection ? 0 : gatherRows(ctx, x);
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
    const dims: CellDims = { B, T, I, U };
    const states0 = given.length ? given.map((st) => this.givenState(ctx, st, B)) : this.initialStates(ctx, B);
    const hs = ctx.alloc(B * T * U);
    const stateOut = Array.from({ length: this.cell.states }, () => ctx.alloc(B * U));
    const cache = ctx.alloc(cellCacheFloats(b.kernels, this.cellKind, dims));
    const ws = ctx.alloc(cellWsFloats(b.kernels, this.cellKind, dims));
    const inputs: KernelInputs = projection ? projection.inputs : { x: xPtr, ids: 0, projected: false };
    const w = this.weightPtrs(ctx, inputs.projected);
    const [h0, c0] = states0;
    const [hT, cT] = stateOut;
    // Argument objects are written out, not spread: a spread of this many fields makes a slow
    // dictionary object on every call (measured: 18% of a batch-1 predict).
    cellForward(b.kernels, this.cellKind, {
      B, T, I, U, goBackwards: this.goBackwards, resetAfter: this.resetAfterFlag,
      activation: this.activation, recurrentActivation: this.recurrentActivation, x: inputs.x, ids: inputs.ids, kernel: w.kernel, recurrentKernel: w.recurrentKernel, bias: w.bias,
      h0, c0, mask: x.mask, recurrentMask: recMask, hs, hT, cT, cache, ws, peepholes: w.peepholes,
    });
    if (this.stateful) this.carried = stateOut.map((p) => b.readFloats(p, B * U) as Float32Array);
    const seq = this.zeroesMasked(x) ? this.maskedSteps(ctx, hs, x) : hs;
    const main: BatchTensor = this.returnSequences ? { ptr: seq, shape: [B, T, U] } : { ptr: stateOut[0], shape: [B, U] };
    const outputs = [main, ...(this.returnState ? stateOut.map((p) => ({ ptr: p, shape: [B, U] })) : [])];
    const saved: Saved = { inputs, projection, dropMask, recMask, states0, hs, stateOut, cache };
    return { outputs, saved };
  }

  /** The sequence keeps the input's mask (Keras); the last output and the states have none. */
  override outputMasks(): readonly OutputMask[] {
    return this.returnSequences ? [inputMask(0)] : [];
  }

  private inputKernel(ctx: ExecCtx, I: number): InputKernel {
    return {
      kernel: ctx.paramPtr(this.kernel.offset),
      dKernel: this.trainable ? ctx.gradPtr(this.kernel.offset) : 0,
      I, G: this.cell.gates * this.units,
    };
  }

  /** The sequence output has zeros at masked steps (zeroOutputForMask, with a mask). */
  private zeroesMasked(x: BatchTensor): boolean {
    return this.returnSequences && this.zeroOutputForMask && !!x.mask;
  }

  /** A copy of seq [B, T, U] (or its gradient) with the rows of masked steps zeroed. */
  private maskedSteps(ctx: ExecCtx, seq: number, x: BatchTensor): number {
    const out = ctx.alloc(x.shape[0] * x.shape[1] * this.units);
    copyMaskedSteps(ctx, seq, out, x, this.units, this.goBackwards, false, false);
    return out;
  }

  /** An initial state given as an input: its [B, units] rows. */
  private givenState(ctx: ExecCtx, st: BatchTensor, B: number): number {
    if (st.shape.length !== 2 || st.shape[0] !== B || st.shape[1] !== this.units) {
      throw this.shapeError(`an initial state of shape ${fmt(st.shape)} for a batch of ${B}: it must be [${B}, ${this.units}]`, { shape: st.shape });
    }
    return gatherRows(ctx, st);
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

  backward(ctx: ExecCtx, savedAny: unknown, [x, ...given]: BatchTensor[], _outs: BatchTensor[], dOutputs: number[], wanted?: readonly boolean[]): number[] {
    const saved = savedAny as Saved;
    const [B, T, I] = x.shape;
    const U = this.units;
    const k = ctx.backend.kernels;
    const [dMain, ...dStateOuts] = dOutputs;
    let dHs = 0;
    const dStates = Array.from({ length: this.cell.states }, (_, i) => dStateOuts[i] ?? 0);
    if (this.returnSequences) dHs = dMain && this.zeroesMasked(x) ? this.maskedSteps(ctx, dMain, x) : dMain;
    else if (dMain) {
      // The last output is the h state: its gradient and the h state's add up.
      if (dStates[0]) {
        const sum = ctx.alloc(B * U);
        add(k, { n: B * U, a: dMain, b: dStates[0], out: sum });
        dStates[0] = sum;
      } else dStates[0] = dMain;
    }
    const d = saved.projection?.distinct;
    const G = this.cell.gates * U;
    // With distinct tokens the kernel gives the projections' gradient, always needed for dKernel.
    const dx = d ? ctx.alloc(B * T * G) : wanted?.[0] === false ? 0 : ctx.alloc(B * T * I);
    const dims: CellDims = { B, T, I, U };
    const ws = ctx.alloc(cellWsFloats(k, this.cellKind, dims));
    const w = this.weightPtrs(ctx, saved.inputs.projected);
    const g = this.gradPtrs(ctx, saved.inputs.projected);
    const [h0, c0] = saved.states0;
    const [dHT, dCT] = dStates;
    // The given initial states' gradients (0 where nothing uses them).
    const dStates0 = given.map((_, i) => (wanted?.[i + 1] === false ? 0 : ctx.alloc(B * U)));
    const [dH0, dC0] = dStates0;
    cellBackward(k, this.cellKind, {
      B, T, I, U, goBackwards: this.goBackwards, resetAfter: this.resetAfterFlag,
      activation: this.activation, recurrentActivation: this.recurrentActivation, x: saved.inputs.x, kernel: w.kernel, recurrentKernel: w.recurrentKernel,
      h0, c0, mask: x.mask, recurrentMask: saved.recMask, hs: saved.hs, cache: saved.cache, dHs, dHT, dCT,
      dx, dKernel: g.dKernel, dRecurrentKernel: g.dRecurrentKernel, dBias: g.dBias, dH0, dC0, ws,
      peepholes: w.peepholes, dPeepholes: g.dPeepholes,
    });
    if (d) {
      this.projection.backward(ctx, x, d, dx, this.inputKernel(ctx, I), wanted?.[0] !== false);
      return [0, ...dStates0];
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
    return [dx, ...dStates0];
  }

  /** Pointers for the kernels' weight-gradient arguments (0 when frozen; dKernel 0 for projected inputs). */
  private gradPtrs(ctx: ExecCtx, projected: boolean): { dKernel: number; dRecurrentKernel: number; dBias: number; dPeepholes: number } {
    if (!this.trainable) return { dKernel: 0, dRecurrentKernel: 0, dBias: 0, dPeepholes: 0 };
    return {
      dKernel: projected ? 0 : ctx.gradPtr(this.kernel.offset),
      dRecurrentKernel: ctx.gradPtr(this.recurrentKernel.offset),
      dBias: this.bias ? ctx.gradPtr(this.bias.offset) : 0,
      dPeepholes: this.peepholes ? ctx.gradPtr(this.peepholes.offset) : 0,
    };
  }

  /** Weight pointers for the kernels; `projected`: the kernel is already applied to x (kernel 0). */
  private weightPtrs(ctx: ExecCtx, projected: boolean): { kernel: number; recurrentKernel: number; bias: number; peepholes: number } {
    return {
      kernel: projected ? 0 : ctx.paramPtr(this.kernel.offset),
      recurrentKernel: ctx.paramPtr(this.recurrentKernel.offset),
      bias: this.bias ? ctx.paramPtr(this.bias.offset) : 0,
      peepholes: this.peepholes ? ctx.paramPtr(this.peepholes.offset) : 0,
    };
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: KERAS_ACTIVATION[this.activation],
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
      // Written only when set: TF.js' layers do not know the key.
      ...(this.zeroOutputForMask ? { zero_output_for_mask: true } : {}),
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

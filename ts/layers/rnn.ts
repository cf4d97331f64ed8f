import { stepOps, type StepOps } from '../autograd/ops.js';
import { selectRows, writeStep, type MaskColumn } from '../autograd/rows.js';
import { StepTensor } from '../autograd/step-tensor.js';
import { Tape } from '../autograd/tape.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { inputMask, type OutputMask } from '../engine/mask.js';
import { gatherRows } from '../engine/gathered-rows.js';
import { Layer, type ApplyArgs, type LayerArgs, type SymbolicTensor } from '../engine/layer.js';
import type { OptionNames } from '../engine/options.js';
import { fmt, type Shape } from '../engine/shape.js';
import type { WeightOwner } from '../engine/weight.js';
import { LwError, fmtShape } from '../errors.js';
import { cellToJson, STACKED_CELLS } from './cell-registry.js';
import { initialStateInputs, recurrentOutputShapes } from './initial-state.js';
import type { Cell, StepResult } from './rnn-cell.js';
import { bindCells, type BoundCell } from './rnn-cells.js';

export interface RNNArgs extends LayerArgs {
  /** The cell, or cells stacked (each one's output is the next one's input; Keras StackedRNNCells). */
  cell: Cell | Cell[];
  returnSequences?: boolean;
  /** Also output the final states (every cell's, in cell order). */
  returnState?: boolean;
  /** Process time reversed; the sequence output is in processing order (Keras). */
  goBackwards?: boolean;
  /** With returnSequences and a mask: zeros at masked steps instead of the carried output. */
  zeroOutputForMask?: boolean;
  /** Carry the final states of a batch into the next batch (fixed batch size). */
  stateful?: boolean;
}

const RNN_OPTIONS: OptionNames<RNNArgs, LayerArgs> = {
  cell: true, returnSequences: true, returnState: true, goBackwards: true, zeroOutputForMask: true, stateful: true,
};

interface Saved {
  tape: Tape;
  /** The step inputs by input time, [B, I] each: views of the time-major copy of x. */
  steps: StepTensor[];
  /** The initial states given as inputs of the node. */
  given: StepTensor[];
  main: StepTensor;
  states: StepTensor[];
}

/**
 * A recurrent layer over user-defined cells (Keras `RNN(cell)`, TF.js `tf.layers.rnn`): each time
 * step calls the cells' `call` with differentiable ops on the whole batch. The ops record a tape
 * across all steps, and backward replays it in reverse (backpropagation through time). Slower
 * than the fused LSTM / GRU / SimpleRNN kernels, for cells they do not have.
 *
 * x [batch, time, features] → [batch, outputSize] (or [batch, time, outputSize] with
 * returnSequences), then the final states with returnState. A mask carries the states and the
 * output through masked steps, as the fused layers do; the output before the first step is zeros
 * (Keras). Weights are named `<layer>/<cell>/<weight>`.
 */
export class RNN extends Layer {
  readonly className = 'RNN';
  readonly cells: readonly BoundCell[];
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly zeroOutputForMask: boolean;
  /** Final states of the previous batch (stateful layers), in JS memory. */
  private carried: Float32Array[] | null = null;
  /**
   * The tapes of this batch's forwards (a layer used twice in a graph runs twice). A new batch
   * closes those no backward closed (a step that failed between its forward and its backward).
   */
  private tapes: { scope: unknown; open: Tape[] } = { scope: null, open: [] };

  constructor(args: RNNArgs) {
    super(args, 'rnn', RNN_OPTIONS);
    this.cells = bindCells(args.cell, `layer "${this.name}" (RNN)`);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
    this.stateful = args.stateful ?? false;
  }

  /** Every cell's state sizes, in cell order (the order of initialState and of returned states). */
  get stateSizes(): number[] {
    return this.cells.flatMap((c) => c.stateSizes);
  }

  /** Features of the output: the last cell's. */
  get outputSize(): number {
    return this.cells[this.cells.length - 1].outputSize;
  }

  protected override callInputs(inputs: SymbolicTensor[], kwargs: ApplyArgs): SymbolicTensor[] {
    return initialStateInputs(this, inputs, kwargs);
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return recurrentOutputShapes(inputShapes, this, (sh, r) => this.expectRank(sh, r), (m, d) => this.shapeError(m, d));
  }

  override build(inputShapes: Shape[]): void {
    let features = inputShapes[0][2] as number;
    for (const c of this.cells) {
      this.weights.push(...c.build(features, this.weightOwner(c)));
      features = c.outputSize;
    }
  }

  /** The cell's weights belong to this layer (trainable with it), named under `<layer>/<cell>/`. */
  private weightOwner(c: BoundCell): WeightOwner {
    const layer = this;
    return {
      get name() { return layer.name; },
      get className() { return layer.className; },
      get trainable() { return layer.trainable; },
      weightPrefix: () => `${layer.weightPrefix()}${c.name}/`,
    };
  }

  forward(ctx: ExecCtx, [x, ...given]: BatchTensor[]) {
    const [B, T, I] = x.shape;
    if (T === 0) throw new LwError('EMPTY_DATA', `layer "${this.name}": sequences of length 0`);
    if (this.tapes.scope !== ctx.scope) {
      this.tapes.open.forEach((t) => t.close());
      this.tapes = { scope: ctx.scope, open: [] };
    }
    const tape = new Tape(ctx, ctx.training);
    this.tapes.open.push(tape);
    tape.where = `layer "${this.name}" (RNN)`;
    const fb = ctx.backend.floatBytes;
    const weights = this.cells.map((c) => c.weightTensors(tape, ctx, this.trainable));
    // Time-major, so that each step's input is one contiguous [B, I] block.
    const xt = timeMajor(ctx, x.ptr, B, T, I, true);
    const steps = Array.from({ length: T }, (_, t) => tape.input(xt + t * B * I * fb, [B, I]));
    const sizes = this.stateSizes;
    const givenStates = given.map((st, i) => tape.input(this.givenState(ctx, st, B, i), [B, sizes[i]]));
    let states = givenStates.length ? givenStates : this.initialStates(tape, B);
    const O = this.outputSize;
    const seq = this.returnSequences ? tape.input(ctx.alloc(B * T * O), [B, T, O]) : null;
    let carried = x.mask ? tape.zerosTensor([B, O]) : null;
    const zeros = x.mask && seq && this.zeroOutputForMask ? tape.zerosTensor([B, O]) : null;
    const ops = stepOps(tape);
    let last: StepTensor | null = null;
    for (let s = 0; s < T; s++) {
      const t = this.goBackwards ? T - 1 - s : s;
      const r = this.step(tape, ops, steps[t], states, weights, B);
      let out = r.output;
      let next = r.states;
      if (x.mask && carried) {
        const m: MaskColumn = { ptr: x.mask + t * fb, stride: T };
        next = next.map((st, i) => selectRows(tape, m, st, states[i]));
        out = carried = selectRows(tape, m, out, carried);
        if (seq) writeStep(tape, seq, s, zeros ? selectRows(tape, m, r.output, zeros) : out);
      } else if (seq) writeStep(tape, seq, s, out);
      states = next;
      last = out;
    }
    if (this.stateful) this.carried = states.map((st) => ctx.backend.readFloats(st.ptr, st.size) as Float32Array);
    const main = seq ?? (last as StepTensor);
    const outputs: BatchTensor[] = [
      seq ? { ptr: seq.ptr, shape: [B, T, O] } : { ptr: main.ptr, shape: [B, O] },
      ...(this.returnState ? states.map((st) => ({ ptr: st.ptr, shape: [B, st.shape[1]] })) : []),
    ];
    const saved: Saved = { tape, steps, given: givenStates, main, states };
    if (!tape.recording) tape.close();
    return { outputs, saved };
  }

  /** One time step through the cells in order: each cell's output is the next one's input. */
  private step(tape: Tape, ops: StepOps, input: StepTensor, states: StepTensor[], weights: Record<string, StepTensor>[], B: number): StepResult {
    let x = input;
    const next: StepTensor[] = [];
    let offset = 0;
    this.cells.forEach((c, i) => {
      const own = states.slice(offset, offset + c.stateSizes.length);
      offset += own.length;
      tape.where = c.where;
      const r = c.cell.call(ops, x, own, weights[i]);
      checkStep(tape, c, r, B);
      x = r.output;
      next.push(...r.states);
    });
    tape.where = `layer "${this.name}" (RNN)`;
    return { output: x, states: next };
  }

  /** An initial state given as an input: its [B, size] rows. */
  private givenState(ctx: ExecCtx, st: BatchTensor, B: number, i: number): number {
    const n = this.stateSizes[i];
    if (st.shape.length !== 2 || st.shape[0] !== B || st.shape[1] !== n) {
      throw this.shapeError(`initial state ${i} of shape ${fmt(st.shape)} for a batch of ${B}: it must be [${B}, ${n}]`, { shape: st.shape });
    }
    return gatherRows(ctx, st);
  }

  /** Zeros, or the previous batch's final states (stateful): constants of the tape. */
  private initialStates(tape: Tape, B: number): StepTensor[] {
    const sizes = this.stateSizes;
    if (!this.stateful || !this.carried) return sizes.map((n) => tape.zerosTensor([B, n]));
    if (this.carried[0].length !== B * sizes[0]) {
      throw new LwError('SHAPE_MISMATCH', `stateful layer "${this.name}" carried states for batch ${this.carried[0].length / sizes[0]}, got batch ${B}: use a fixed batch size or call resetStates()`);
    }
    return this.carried.map((v, i) => tape.constant(v, [B, sizes[i]]));
  }

  override resetStates(): void {
    this.carried = null;
  }

  backward(ctx: ExecCtx, savedAny: unknown, [x]: BatchTensor[], _outs: BatchTensor[], dOutputs: number[], wanted?: readonly boolean[]): number[] {
    const saved = savedAny as Saved;
    if (!saved.tape.recording) throw new LwError('NOT_READY', `layer "${this.name}": backward after a forward that did not train (nothing was recorded)`);
    const [B, T, I] = x.shape;
    const fb = ctx.backend.floatBytes;
    // Gradients of the inputs get their homes now, or are not wanted at all.
    const dxt = wanted?.[0] === false ? 0 : ctx.zeros(T * B * I);
    saved.steps.forEach((st, t) => {
      if (dxt) st.grad = dxt + t * B * I * fb;
      else st.requiresGrad = false;
    });
    const dGiven = saved.given.map((st, i) => {
      if (wanted?.[i + 1] === false) st.requiresGrad = false;
      else st.grad = ctx.zeros(st.size);
      return st.grad;
    });
    const [dMain, ...dStates] = dOutputs;
    saved.tape.backward([[saved.main, dMain], ...saved.states.map((st, i) => [st, dStates[i] ?? 0] as const)]);
    saved.tape.close();
    return [dxt ? timeMajor(ctx, dxt, B, T, I, false) : 0, ...dGiven];
  }

  /** The sequence keeps the input's mask (Keras); the last output and the states have none. */
  override outputMasks(): readonly OutputMask[] {
    return this.returnSequences ? [inputMask(0)] : [];
  }

  override getConfig() {
    const where = `layer "${this.name}" (RNN)`;
    const cells = this.cells.map((c) => cellToJson(where, c));
    return {
      ...super.getConfig(),
      cell: cells.length === 1 ? cells[0] : { class_name: STACKED_CELLS, config: { cells } },
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: this.stateful,
      unroll: false,
      // Written only when set, as the fused layers do.
      ...(this.zeroOutputForMask ? { zero_output_for_mask: true } : {}),
    };
  }
}

/** SHAPE_MISMATCH / BAD_ARGUMENT naming the cell when a step returns something else than { output, states } of its sizes. */
function checkStep(tape: Tape, c: BoundCell, r: unknown, B: number): asserts r is StepResult {
  const isTensor = (v: unknown): v is StepTensor => v instanceof StepTensor && v.owner === tape;
  const { output, states } = (typeof r === 'object' && r !== null ? r : {}) as Partial<StepResult>;
  if (!isTensor(output) || !Array.isArray(states) || !states.every(isTensor)) {
    throw new LwError('BAD_ARGUMENT', `${c.where}: call must return { output, states } with tensors made by its ops (or its inputs, states, weights)`, { cell: c.name });
  }
  const want = (n: number) => fmtShape([B, n]);
  const fits = (t: StepTensor, n: number) => t.rank === 2 && t.shape[0] === B && t.shape[1] === n;
  if (!fits(output, c.outputSize)) {
    const hint = c.cell.outputSize === undefined ? ", the first state's size: declare outputSize if it differs" : '';
    throw new LwError('SHAPE_MISMATCH', `${c.where}: call returned an output of shape ${fmtShape(output.shape)}, expected ${want(c.outputSize)} (outputSize ${c.outputSize}${hint})`, { cell: c.name });
  }
  const sizes = `stateSize [${c.stateSizes.join(', ')}]`;
  if (states.length !== c.stateSizes.length) {
    throw new LwError('SHAPE_MISMATCH', `${c.where}: call returned ${states.length} states, its ${sizes} has ${c.stateSizes.length}`, { cell: c.name });
  }
  states.forEach((st, i) => {
    if (!fits(st, c.stateSizes[i])) {
      throw new LwError('SHAPE_MISMATCH', `${c.where}: call returned state ${i} of shape ${fmtShape(st.shape)}, expected ${want(c.stateSizes[i])} (${sizes})`, { cell: c.name });
    }
  });
}

/**
 * Copies [B, T, I] at `src` to a new [T, B, I] (`toTime`), or [T, B, I] back to [B, T, I]:
 * rows of I floats reordered.
 */
function timeMajor(ctx: ExecCtx, src: number, B: number, T: number, I: number, toTime: boolean): number {
  const dst = ctx.alloc(B * T * I);
  const f = ctx.backend.floats();
  const [s, d] = [ctx.fi(src), ctx.fi(dst)];
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const [from, to] = toTime ? [s + (b * T + t) * I, d + (t * B + b) * I] : [s + (t * B + b) * I, d + (b * T + t) * I];
      f.copyWithin(to, from, from + I);
    }
  }
  return dst;
}

export const rnn = (args: RNNArgs) => new RNN(args);

import { copyMaskedSteps } from './sequence-steps.js';
import type { OptionNames } from '../engine/options.js';
import { add, axpy, fill, mul, scaleInPlace } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { fmt, type Shape } from '../engine/shape.js';
import { Layer, type ApplyArgs, type ForwardResult, type LayerArgs, type SymbolicTensor } from '../engine/layer.js';
import { inputMask, type OutputMask } from '../engine/mask.js';
import { RecurrentLayer } from './recurrent-base.js';
import { initialStateInputs } from './initial-state.js';
import { layerConfig, nestLayer } from './wrapper.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

export interface BidirectionalArgs extends LayerArgs {
  /** The LSTM / GRU / SimpleRNN to run in both directions (it is copied, not used itself). */
  layer: RecurrentLayer;
  /** How the two directions' outputs combine (default 'concat'); null: both, as two outputs (Keras, TF.js). */
  mergeMode?: MergeMode | null;
  /** A different recurrent layer for the backward direction (goBackwards opposite to `layer`'s). */
  backwardLayer?: RecurrentLayer;
}

interface Saved {
  fwd: ForwardResult;
  bwd: ForwardResult;
  /** Each direction's main output in merged order ([batch, time, units] in input time, or [batch, units]). */
  yf: number;
  yb: number;
}

/**
 * Runs a recurrent layer forward and backward in time and merges the two outputs (Keras
 * Bidirectional). Two copies are made from the layer's arguments: 'forward_<name>' and
 * 'backward_<name>' (goBackwards flipped); their weights are 'bidirectional/forward_lstm/kernel'...,
 * forward's first. With returnSequences the backward copy's output is reversed back to input
 * time before merging, and (Keras) masked steps output zeros in both directions so the merged
 * steps line up. returnState gives [merged, ...forward states, ...backward states].
 */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  /** The layer as given (its config is what model.json records). */
  readonly layer: RecurrentLayer;
  readonly forwardLayer: RecurrentLayer;
  readonly backwardLayer: RecurrentLayer;
  /** null: the two directions are two outputs [forward, backward, ...states]. */
  readonly mergeMode: MergeMode | null;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  private readonly customBackward: RecurrentLayer | null;
  /** Its recurrent layers read an Embedding's rows themselves. */
  override readonly handlesGatheredInputs = true;

  constructor(args: BidirectionalArgs) {
    const inner = args.layer;
    const inherited = args.batchInputShape ?? (args.inputShape ? undefined : inner?.batchInputShape ?? undefined);
    super({ ...args, batchInputShape: inherited, trainable: args.trainable ?? inner?.trainable }, 'bidirectional', { layer: true, mergeMode: true, backwardLayer: true } satisfies OptionNames<BidirectionalArgs, LayerArgs>);
    if (!(inner instanceof RecurrentLayer)) {
      throw new LwError('BAD_ARGUMENT', `bidirectional "${this.name}" wraps an LSTM, GRU or SimpleRNN layer: pass { layer: lw.layers.lstm({...}) }`);
    }
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (mode !== null && !MERGE_MODES.includes(mode)) {
      throw new LwError('BAD_ARGUMENT', `bidirectional "${this.name}": mergeMode must be one of ${MERGE_MODES.join(', ')} or null, got ${String(mode)}`);
    }
    this.mergeMode = mode;
    this.layer = inner;
    this.customBackward = args.backwardLayer ?? null;
    if (this.customBackward) this.checkBackwardLayer(inner, this.customBackward);
    const copy = { batchInputShape: undefined, inputShape: undefined, batchSize: undefined };
    this.forwardLayer = inner.cloneWith({ ...copy, name: `forward_${inner.name}` });
    this.backwardLayer = this.customBackward
      ? this.customBackward.cloneWith({ ...copy, name: `backward_${this.customBackward.name}` })
      : inner.cloneWith({ ...copy, name: `backward_${inner.name}`, goBackwards: !inner.goBackwards });
    for (const l of [this.forwardLayer, this.backwardLayer]) nestLayer(this, l, () => `${this.weightPrefix()}${l.name}/`);
    this.returnSequences = inner.returnSequences;
    this.returnState = inner.returnState;
    this.stateful = inner.stateful;
  }

  override get sublayers(): readonly Layer[] {
    return [this.forwardLayer, this.backwardLayer];
  }

  /**
   * `apply(x, { initialState })` (TF.js, Keras): the forward layer's states, then the backward
   * layer's ([hF, cF, hB, cB] for LSTMs). They become further inputs of the node.
   */
  protected override callInputs(inputs: SymbolicTensor[], kwargs: ApplyArgs): SymbolicTensor[] {
    return initialStateInputs(this, inputs, kwargs);
  }

  /** The initial states in `inputs` (after x) for the forward and the backward layer. */
  private splitStates<T>([, ...states]: readonly T[]): [T[], T[]] {
    const n = this.forwardLayer.stateCount;
    if (states.length && states.length !== 2 * n) {
      throw this.shapeError(`takes ${2 * n} initial states (${n} for each direction: the forward layer's, then the backward layer's), got ${states.length}`);
    }
    return [states.slice(0, states.length / 2), states.slice(states.length / 2)];
  }

  private checkBackwardLayer(fwd: RecurrentLayer, bwd: RecurrentLayer): void {
    const bad = (why: string) => new LwError('BAD_ARGUMENT', `bidirectional "${this.name}": backwardLayer "${bwd.name}" ${why}`);
    if (!(bwd instanceof RecurrentLayer)) throw bad('must be an LSTM, GRU or SimpleRNN layer');
    if (bwd.goBackwards === fwd.goBackwards) throw bad(`must have goBackwards ${!fwd.goBackwards} (the layer has ${fwd.goBackwards})`);
    for (const k of ['returnSequences', 'returnState', 'stateful'] as const) {
      if (bwd[k] !== fwd[k]) throw bad(`must have the same ${k} as layer "${fwd.name}" (${fwd[k]})`);
    }
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const s = this.expectRank(inputShapes.slice(0, 1), [3], 'input [batch, time, features]');
    if (s[2] === null) throw this.shapeError('the feature (last) dimension of the input must be known');
    const [givenF, givenB] = this.splitStates(inputShapes);
    const [of, ...statesF] = this.forwardLayer.computeOutputShape([s, ...givenF]);
    const [ob, ...statesB] = this.backwardLayer.computeOutputShape([s, ...givenB]);
    if (this.mergeMode === null) return [of, ob, ...statesF, ...statesB];
    const last = of.length - 1;
    let out: Shape;
    if (this.mergeMode === 'concat') out = [...of.slice(0, last), (of[last] as number) + (ob[last] as number)];
    else {
      if (of[last] !== ob[last]) {
        throw this.shapeError(`mergeMode '${this.mergeMode}' needs both directions to have the same units, got ${fmt(of)} and ${fmt(ob)}`);
      }
      out = of;
    }
    return [out, ...statesF, ...statesB];
  }

  override build(inputShapes: Shape[]): void {
    this.forwardLayer.ensureBuilt(inputShapes.slice(0, 1));
    this.backwardLayer.ensureBuilt(inputShapes.slice(0, 1));
    this.weights.push(...this.forwardLayer.weights, ...this.backwardLayer.weights);
  }

  forward(ctx: ExecCtx, inputs: BatchTensor[]) {
    const x = inputs[0];
    const [statesF, statesB] = this.splitStates(inputs);
    const fwd = this.forwardLayer.forward(ctx, [x, ...statesF]);
    const bwd = this.backwardLayer.forward(ctx, [x, ...statesB]);
    const of = fwd.outputs[0];
    const ob = bwd.outputs[0];
    let yf = of.ptr;
    let yb = ob.ptr;
    if (this.returnSequences) {
      yf = this.stepsToMerged(ctx, of.ptr, x, this.forwardLayer, false);
      yb = this.stepsToMerged(ctx, ob.ptr, x, this.backwardLayer, true);
    }
    const rows = of.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const [uf, ub] = [this.forwardLayer.units, this.backwardLayer.units];
    const k = ctx.backend.kernels;
    const saved: Saved = { fwd, bwd, yf, yb };
    if (this.mergeMode === null) {
      const both: BatchTensor[] = [{ ptr: yf, shape: [...of.shape.slice(0, -1), uf] }, { ptr: yb, shape: [...ob.shape.slice(0, -1), ub] }];
      return { outputs: [...both, ...fwd.outputs.slice(1), ...bwd.outputs.slice(1)], saved };
    }
    let y: number;
    if (this.mergeMode === 'concat') {
      y = ctx.alloc(rows * (uf + ub));
      this.interleave(ctx, rows, [yf, yb], [uf, ub], y, true);
    } else {
      const n = rows * uf;
      y = ctx.alloc(n);
      if (this.mergeMode === 'mul') mul(k, { n, a: yf, b: yb, out: y });
      else {
        add(k, { n, a: yf, b: yb, out: y });
        if (this.mergeMode === 'ave') scaleInPlace(k, { n, scale: 0.5, x: y });
      }
    }
    const merged: BatchTensor = { ptr: y, shape: [...of.shape.slice(0, -1), this.mergeMode === 'concat' ? uf + ub : uf] };
    return { outputs: [merged, ...fwd.outputs.slice(1), ...bwd.outputs.slice(1)], saved };
  }

  backward(ctx: ExecCtx, savedAny: unknown, inputs: BatchTensor[], _outputs: BatchTensor[], dOutputs: number[], wanted?: readonly boolean[]): number[] {
    const saved = savedAny as Saved;
    const x = inputs[0];
    const [givenF, givenB] = this.splitStates(inputs);
    const [wantedF, wantedB] = wanted ? this.splitStates(wanted) : [undefined, undefined];
    const nf = saved.fwd.outputs.length - 1;
    // Unmerged, the first two gradients are the directions' own.
    const separate = this.mergeMode === null;
    const [dy, ...dStates] = separate ? [0, ...dOutputs.slice(2)] : dOutputs;
    const dStatesF = dStates.slice(0, nf);
    const dStatesB = dStates.slice(nf);
    const [uf, ub] = [this.forwardLayer.units, this.backwardLayer.units];
    const rows = saved.fwd.outputs[0].shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const k = ctx.backend.kernels;
    let dyf = separate ? dOutputs[0] ?? 0 : 0;
    let dyb = separate ? dOutputs[1] ?? 0 : 0;
    if (separate && this.returnSequences) {
      if (dyf) dyf = this.mergedToSteps(ctx, dyf, x, this.forwardLayer, false);
      if (dyb) dyb = this.mergedToSteps(ctx, dyb, x, this.backwardLayer, true);
    }
    if (dy) {
      if (this.mergeMode === 'concat') {
        dyf = ctx.alloc(rows * uf);
        dyb = ctx.alloc(rows * ub);
        this.interleave(ctx, rows, [dyf, dyb], [uf, ub], dy, false);
      } else if (this.mergeMode === 'sum') {
        dyf = dyb = dy;
      } else if (this.mergeMode === 'ave') {
        dyf = dyb = ctx.alloc(rows * uf);
        fill(k, { n: rows * uf, value: 0, x: dyf });
        axpy(k, { n: rows * uf, alpha: 0.5, x: dy, y: dyf });
      } else {
        dyf = ctx.alloc(rows * uf);
        dyb = ctx.alloc(rows * uf);
        mul(k, { n: rows * uf, a: dy, b: saved.yb, out: dyf });
        mul(k, { n: rows * uf, a: dy, b: saved.yf, out: dyb });
      }
      if (this.returnSequences) {
        dyf = this.mergedToSteps(ctx, dyf, x, this.forwardLayer, false);
        dyb = this.mergedToSteps(ctx, dyb, x, this.backwardLayer, true);
      }
    }
    const wantedX = wanted?.[0];
    const [dxf, ...dsF] = this.directionBackward(ctx, this.forwardLayer, saved.fwd, [x, ...givenF], [dyf, ...dStatesF], wantedX, wantedF);
    const [dxb, ...dsB] = this.directionBackward(ctx, this.backwardLayer, saved.bwd, [x, ...givenB], [dyb, ...dStatesB], wantedX, wantedB);
    if (dxf && dxb) add(k, { n: x.shape.reduce((a, b) => a * b, 1), a: dxf, b: dxb, out: dxf });
    return [dxf || dxb, ...dsF, ...dsB];
  }

  /** One direction's backward: [dx, ...d initial states] (0 where none). */
  private directionBackward(ctx: ExecCtx, layer: RecurrentLayer, r: ForwardResult, inputs: BatchTensor[], d: number[], wantedX: boolean | undefined, wantedStates: boolean[] | undefined): number[] {
    if (d.every((p) => !p)) return inputs.map(() => 0);
    const wanted = wantedX === undefined && !wantedStates ? undefined : [wantedX ?? true, ...(wantedStates ?? inputs.slice(1).map(() => true))];
    const out = layer.backward(ctx, r.saved, inputs, r.outputs, d, wanted);
    return inputs.map((_, i) => out[i] ?? 0);
  }

  /**
   * A direction's sequence [batch, time, units] in its processing order → input-time order
   * (`reverse` for the backward copy, as Keras reverses it), zero at masked steps.
   */
  private stepsToMerged(ctx: ExecCtx, ptr: number, x: BatchTensor, layer: RecurrentLayer, reverse: boolean): number {
    if (!reverse && !x.mask) return ptr;
    const out = ctx.alloc(x.shape[0] * x.shape[1] * layer.units);
    copyMaskedSteps(ctx, ptr, out, x, layer.units, layer.goBackwards, reverse, false);
    return out;
  }

  /** The gradient of `stepsToMerged`: merged-order gradient → the direction's processing order. */
  private mergedToSteps(ctx: ExecCtx, ptr: number, x: BatchTensor, layer: RecurrentLayer, reverse: boolean): number {
    if (!reverse && !x.mask) return ptr;
    const out = ctx.alloc(x.shape[0] * x.shape[1] * layer.units);
    copyMaskedSteps(ctx, ptr, out, x, layer.units, layer.goBackwards, reverse, true);
    return out;
  }

  /** Concat merge: rows of [a | b] ↔ rows of a and rows of b (`join` builds `whole`, otherwise splits it). */
  private interleave(ctx: ExecCtx, rows: number, [a, b]: number[], [ua, ub]: number[], whole: number, join: boolean): void {
    const f = ctx.backend.floats();
    const ai = ctx.fi(a);
    const bi = ctx.fi(b);
    const wi = ctx.fi(whole);
    const w = ua + ub;
    for (let r = 0; r < rows; r++) {
      if (join) {
        f.copyWithin(wi + r * w, ai + r * ua, ai + r * ua + ua);
        f.copyWithin(wi + r * w + ua, bi + r * ub, bi + r * ub + ub);
      } else {
        f.copyWithin(ai + r * ua, wi + r * w, wi + r * w + ua);
        f.copyWithin(bi + r * ub, wi + r * w + ua, wi + r * w + w);
      }
    }
  }

  /** Sequences keep the input's mask (each direction's, when not merged); the last outputs and the states have none. */
  override outputMasks(): readonly OutputMask[] {
    if (!this.returnSequences) return [];
    return this.mergeMode === null ? [inputMask(0), inputMask(0)] : [inputMask(0)];
  }

  override resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  override getConfig() {
    const c: Record<string, unknown> = { ...super.getConfig(), merge_mode: this.mergeMode, layer: layerConfig(this.layer) };
    if (this.customBackward) c.backward_layer = layerConfig(this.customBackward);
    return c;
  }
}

export const bidirectional = (args: BidirectionalArgs) => new Bidirectional(args);

import type { OptionNames } from '../engine/options.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { fmt, type Shape } from '../engine/shape.js';
import { Layer, SymbolicTensor, type LayerArgs } from '../engine/layer.js';
import type { MaskInput, OutputMask } from '../engine/mask.js';

export interface ConcatenateArgs extends LayerArgs {
  /** Axis to join along, counting the batch as axis 0; negative counts from the end (default -1). */
  axis?: number;
}

/** [outer, width, ...] blocks: the concatenated axis splits the data into rows of `outer`. */
interface Layout {
  outer: number;
  /** Floats of each input per outer row (its axis length times the trailing size). */
  widths: number[];
  total: number;
}

/**
 * Joins several inputs along one axis (Keras Concatenate); every other dimension must match.
 * Backward splits the gradient back. Masks (Keras 3): along the time axis they are joined too;
 * along any other axis a step is kept where any input keeps it, an input without a mask keeping
 * every step (TF.js and Keras 2 keep it only where all do).
 */
export class Concatenate extends Layer {
  readonly className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args, 'concatenate', { axis: true } satisfies OptionNames<ConcatenateArgs, LayerArgs>);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new LwError('BAD_ARGUMENT', `layer "${this.name}": axis must be a whole number, got ${axis}`);
    this.axis = axis;
  }

  /** The axis as a non-negative index for inputs of `rank`. */
  private axisFor(rank: number): number {
    const a = this.axis < 0 ? rank + this.axis : this.axis;
    if (a <= 0 || a >= rank) throw this.shapeError(`axis ${this.axis} is outside the non-batch axes of rank-${rank} inputs`);
    return a;
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    if (inputShapes.length < 2) throw this.shapeError(`needs at least 2 inputs, got ${inputShapes.length}`);
    const rank = inputShapes[0].length;
    const a = this.axisFor(rank);
    const first = inputShapes[0];
    for (const s of inputShapes) {
      const same = s.length === rank && s.every((d, i) => i === 0 || i === a || d === first[i] || d === null || first[i] === null);
      if (!same) {
        throw this.shapeError(`inputs must match on every axis but ${this.axis}, got ${inputShapes.map(fmt).join(', ')}`, { shapes: inputShapes });
      }
    }
    const out = [...first];
    const dims = inputShapes.map((s) => s[a]);
    out[a] = dims.some((d) => d === null) ? null : (dims as number[]).reduce((x, y) => x + y, 0);
    for (let i = 1; i < rank; i++) if (i !== a && out[i] === null) out[i] = inputShapes.find((s) => s[i] !== null)?.[i] ?? null;
    return [out];
  }

  private layout(inputs: BatchTensor[]): Layout {
    const shape = inputs[0].shape;
    const a = this.axisFor(shape.length);
    const outer = shape.slice(0, a).reduce((x, y) => x * y, 1);
    const trailing = shape.slice(a + 1).reduce((x, y) => x * y, 1);
    const widths = inputs.map((x) => x.shape[a] * trailing);
    return { outer, widths, total: widths.reduce((x, y) => x + y, 0) };
  }

  forward(ctx: ExecCtx, inputs: BatchTensor[]) {
    const shape = inputs[0].shape;
    const a = this.axisFor(shape.length);
    for (const x of inputs) {
      if (x.shape.some((d, i) => i !== a && d !== shape[i])) {
        throw this.shapeError(`inputs must match on every axis but ${this.axis}, got ${inputs.map((t) => fmt(t.shape)).join(', ')}`);
      }
    }
    const { outer, widths, total } = this.layout(inputs);
    const y = ctx.alloc(outer * total);
    const f = ctx.backend.floats();
    const yi = ctx.fi(y);
    let col = 0;
    inputs.forEach((x, j) => {
      const w = widths[j];
      const xi = ctx.fi(x.ptr);
      for (let r = 0; r < outer; r++) f.copyWithin(yi + r * total + col, xi + r * w, xi + r * w + w);
      col += w;
    });
    const outShape = [...shape];
    outShape[a] = inputs.reduce((s, x) => s + x.shape[a], 0);
    return { outputs: [{ ptr: y, shape: outShape }] };
  }

  /** The output mask [batch, time] from the inputs' masks (an input without one keeps every step). */
  override outputMasks(inputs: readonly MaskInput[]): readonly OutputMask[] {
    if (!inputs.some((x) => x.hasMask) || inputs[0].shape.length < 3) return [];
    const keeps = (x: MaskInput) => x.maskValues() ?? new Float32Array(x.shape[0] * x.shape[1]).fill(1);
    const B = inputs[0].shape[0];
    if (this.axisFor(inputs[0].shape.length) === 1) {
      // Joined in time: the masks are joined in time too.
      const T = inputs.reduce((s, x) => s + x.shape[1], 0);
      const m = new Float32Array(B * T);
      let t0 = 0;
      for (const x of inputs) {
        const Tx = x.shape[1];
        const v = keeps(x);
        for (let b = 0; b < B; b++) for (let t = 0; t < Tx; t++) m[b * T + t0 + t] = v[b * Tx + t] ? 1 : 0;
        t0 += Tx;
      }
      return [m];
    }
    const m = new Float32Array(B * inputs[0].shape[1]);
    for (const x of inputs) {
      const v = keeps(x);
      for (let i = 0; i < m.length; i++) if (v[i]) m[i] = 1;
    }
    return [m];
  }

  backward(ctx: ExecCtx, _saved: unknown, inputs: BatchTensor[], _outputs: BatchTensor[], [dy]: number[]): number[] {
    const { outer, widths, total } = this.layout(inputs);
    const dyi = ctx.fi(dy);
    let col = 0;
    return inputs.map((_x, j) => {
      const w = widths[j];
      const dx = ctx.alloc(outer * w);
      const f = ctx.backend.floats();
      const dxi = ctx.fi(dx);
      for (let r = 0; r < outer; r++) f.copyWithin(dxi + r * w, dyi + r * total + col, dyi + r * total + col + w);
      col += w;
      return dx;
    });
  }

  override getConfig() {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/**
 * `lw.layers.concatenate({ axis })` makes the layer (apply it to a list of tensors);
 * `lw.layers.concatenate([a, b])` applies a new one at once and returns the joined tensor (TF.js).
 */
export function concatenate(inputs: SymbolicTensor[]): SymbolicTensor;
export function concatenate(args?: ConcatenateArgs): Concatenate;
export function concatenate(argsOrInputs?: ConcatenateArgs | SymbolicTensor[]): Concatenate | SymbolicTensor {
  if (Array.isArray(argsOrInputs)) return new Concatenate().apply(argsOrInputs) as SymbolicTensor;
  return new Concatenate(argsOrInputs);
}

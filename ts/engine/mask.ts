// Output masks ([batch, time], 1 keep / 0 masked) declared once per layer (Layer.outputMasks) and
// evaluated two ways: on a batch in backend memory after forward (the executor), and on eager
// tensors (Layer.computeMask), so what computeMask answers is what forward hands downstream.
import { LwError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { BatchTensor, ExecCtx } from './exec.js';
import { gatherRows } from './gathered-rows.js';
import { fmt } from './shape.js';

/** One input of a layer as its mask declaration sees it: a batch in backend memory or an eager tensor. */
export interface MaskInput {
  /** [batch, ...] */
  readonly shape: readonly number[];
  readonly hasMask: boolean;
  /** Its mask, [batch·time] values (any non-zero keeps); null when it has none. A copy, read on demand. */
  maskValues(): ArrayLike<number> | null;
  /** Its values, row-major: a copy, read on demand (only masks computed from values read them). */
  values(): ArrayLike<number>;
}

/**
 * The mask of one output: null (none), `{ input: i }` (the mask of input i as it is; none when it
 * has none), or new values [batch·time] for the output's first two dimensions (1 keep, 0 masked).
 */
export type OutputMask = null | { readonly input: number } | Float32Array;

/** computeMask's mask argument: one mask (a single input), or one mask or null per input. */
export type MaskArgument = Tensor | null | undefined | readonly (Tensor | null | undefined)[];

/** The mask of input `i`, unchanged: the declaration of layers that keep the time axis (Dense, Dropout...). */
export const inputMask = (i = 0): OutputMask => ({ input: i });

/** The declaration of a one-output layer that passes its (first) input's mask on. */
export const KEEP_INPUT_MASK: readonly OutputMask[] = Object.freeze([inputMask(0)]);

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A batch tensor as a mask declaration sees it (a class, not closures: this runs for every node of every batch). */
class BatchMaskInput implements MaskInput {
  constructor(private readonly ctx: ExecCtx, private readonly t: BatchTensor) {}
  get shape(): readonly number[] {
    return this.t.shape;
  }
  get hasMask(): boolean {
    return !!this.t.mask;
  }
  maskValues(): ArrayLike<number> | null {
    const t = this.t;
    return t.mask ? this.ctx.backend.readFloats(t.mask, t.shape[0] * t.shape[1], true) : null;
  }
  values(): ArrayLike<number> {
    return this.ctx.backend.readFloats(gatherRows(this.ctx, this.t), sizeOf(this.t.shape), true);
  }
}

/** A forward's inputs as its layer's mask declaration sees them. */
export function batchMaskInputs(ctx: ExecCtx, inputs: readonly BatchTensor[]): MaskInput[] {
  return inputs.map((t) => new BatchMaskInput(ctx, t));
}

/**
 * Sets each output's mask from `masks` (one per output; a missing entry: none) and returns the
 * outputs. An output that is one of the inputs (an identity) is copied, so the input keeps its mask.
 */
export function attachMasks(ctx: ExecCtx, masks: readonly OutputMask[], inputs: readonly BatchTensor[], outputs: BatchTensor[]): BatchTensor[] {
  for (let j = 0; j < outputs.length; j++) {
    const o = outputs[j];
    const m = masks[j] ?? null;
    let mask: number | undefined;
    if (m instanceof Float32Array) {
      checkLength(m, o.shape, `output ${j}`);
      mask = ctx.alloc(m.length);
      ctx.backend.writeFloats(mask, m);
    } else if (m) mask = inputs[m.input]?.mask;
    if (o.mask === mask) continue;
    if (inputs.includes(o)) outputs[j] = { ...o, mask };
    else o.mask = mask;
  }
  return outputs;
}

/** A declaration's new mask must cover the output's [batch, time]: anything else is a bug of the layer. */
function checkLength(m: Float32Array, shape: readonly number[], what: string): void {
  if (shape.length >= 2 && m.length === shape[0] * shape[1]) return;
  throw new Error(`mask declaration bug: ${what} of shape ${fmt([...shape])} got a mask of ${m.length} values`);
}

/**
 * computeMask's `mask` as one mask or null per input, checked: a float [batch, time] tensor for an
 * input [batch, time, ...]. `where` names the layer for messages.
 */
export function eagerMasks(inputs: readonly Tensor[], mask: MaskArgument, where: string): (Tensor | null)[] {
  let list: readonly (Tensor | null | undefined)[];
  if (mask === null || mask === undefined) list = inputs.map(() => null);
  else if (Array.isArray(mask)) list = mask;
  else if (inputs.length === 1) list = [mask as Tensor];
  else throw new LwError('BAD_ARGUMENT', `${where}: ${inputs.length} inputs take a list of masks (a mask or null each), got one mask`);
  if (list.length !== inputs.length) {
    throw new LwError('BAD_ARGUMENT', `${where}: ${inputs.length} input${inputs.length === 1 ? '' : 's'} take as many masks, got ${list.length}`);
  }
  return list.map((m, i) => {
    if (m === null || m === undefined) return null;
    if (!(m instanceof Tensor)) throw new LwError('BAD_ARGUMENT', `${where}: mask ${i} must be a tensor [batch, time] or null`);
    const x = inputs[i].shape;
    if (x.length < 2 || m.shape.length !== 2 || m.shape[0] !== x[0] || m.shape[1] !== x[1]) {
      const want = x.length < 2 ? 'none (the input has no time axis)' : fmt([x[0], x[1]]);
      throw new LwError('SHAPE_MISMATCH', `${where}: mask ${i} has shape ${fmt([...m.shape])} for input ${i} of shape ${fmt([...x])}; it must be ${want}`, { input: i });
    }
    return m;
  });
}

/** Eager inputs and their masks as a mask declaration sees them. */
export function eagerMaskInputs(inputs: readonly Tensor[], masks: readonly (Tensor | null)[]): MaskInput[] {
  return inputs.map((t, i) => ({
    shape: t.shape,
    hasMask: masks[i] !== null,
    maskValues: () => masks[i]?.dataSync() ?? null,
    values: () => t.dataSync(),
  }));
}

/** The outputs' masks as tensors (null: none) from a declaration, the given masks and the output shapes. */
export function eagerOutputMasks(declared: readonly OutputMask[], masks: readonly (Tensor | null)[], outShapes: readonly (number | null)[][]): (Tensor | null)[] {
  return outShapes.map((shape, j) => {
    const m = declared[j] ?? null;
    if (m === null) return null;
    if (!(m instanceof Float32Array)) return masks[m.input] ?? null;
    const dims = shape.map(Number);
    checkLength(m, dims, `output ${j}`);
    return new Tensor(m, [dims[0], dims[1]]);
  });
}

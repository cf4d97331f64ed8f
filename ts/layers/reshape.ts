import type { OptionNames } from '../engine/options.js';
import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import { fmt, type Shape } from '../engine/shape.js';
import { Layer, type ForwardResult, type LayerArgs } from '../engine/layer.js';

export interface ReshapeArgs extends LayerArgs {
  /** The per-sample output shape (without the batch); one entry may be -1, inferred from the size. */
  targetShape: number[];
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Gives each sample a new shape (Keras Reshape): x [batch, ...] → y [batch, ...targetShape], the
 * same floats in the same (row-major) order, so the data is not moved. Keras Reshape does not
 * support masking: the mask stops here.
 */
export class Reshape extends Layer {
  readonly className = 'Reshape';
  readonly targetShape: readonly number[];

  constructor(args: ReshapeArgs) {
    super(args, 'reshape', { targetShape: true } satisfies OptionNames<ReshapeArgs, LayerArgs>);
    const t = args.targetShape;
    const ok = Array.isArray(t) && t.length >= 1 && t.every((d) => d === -1 || (Number.isInteger(d) && d >= 1));
    if (!ok || t.filter((d) => d === -1).length > 1) {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": targetShape must be a list of whole numbers >= 1 with at most one -1, got ${JSON.stringify(t)}`);
    }
    this.targetShape = [...t];
  }

  /** The target with its -1 resolved for a sample of `size` floats; SHAPE_MISMATCH when it cannot hold them. */
  private resolve(size: number, inputShape: Shape): number[] {
    const known = product(this.targetShape.filter((d) => d !== -1));
    const free = this.targetShape.includes(-1);
    if (free ? size % known !== 0 : size !== known) {
      throw this.shapeError(`cannot reshape ${fmt(inputShape)} (${size} values per sample) to ${fmt([null, ...this.targetShape])}`, { shape: inputShape });
    }
    return this.targetShape.map((d) => (d === -1 ? size / known : d));
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    if (inputShapes.length !== 1) throw this.shapeError(`expects 1 input, got ${inputShapes.length}`);
    const s = inputShapes[0];
    const rest = s.slice(1);
    // An unknown input dimension leaves the -1 unknown (checked on each batch).
    if (rest.some((d) => d === null)) return [[s[0], ...this.targetShape.map((d) => (d === -1 ? null : d))]];
    return [[s[0], ...this.resolve(product(rest as number[]), s)]];
  }

  forward(_ctx: ExecCtx, [x]: BatchTensor[]): ForwardResult {
    const [B, ...rest] = x.shape;
    return { outputs: [{ ptr: x.ptr, shape: [B, ...this.resolve(product(rest), [null, ...rest])] }] };
  }

  backward(_ctx: ExecCtx, _s: unknown, _i: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    return [dy];
  }

  override getConfig() {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }
}

export const reshape = (args: ReshapeArgs) => new Reshape(args);

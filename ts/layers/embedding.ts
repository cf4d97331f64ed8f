import type { OptionNames } from '../engine/options.js';
import { LwError } from '../errors.js';
import type { InitializerName } from '../initializers.js';
import { embeddingBackward } from '../backend/kernels/index.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { MaskInput, OutputMask } from '../engine/mask.js';
import type { Shape } from '../engine/shape.js';
import { assertIds } from '../engine/value-checks.js';
import type { Tensor } from '../tensor.js';
import { initializerConfig } from './config.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import type { Weight } from '../engine/weight.js';

const EMBEDDING_OPTIONS: OptionNames<EmbeddingArgs, LayerArgs> = { inputDim: true, outputDim: true, inputLength: true, maskZero: true, embeddingsInitializer: true };

export interface EmbeddingArgs extends LayerArgs {
  inputDim: number;
  outputDim: number;
  inputLength?: number;
  /** Id 0 is padding: it produces a mask that recurrent layers skip. */
  maskZero?: boolean;
  embeddingsInitializer?: InitializerName;
}

/** ids [batch, ...] (whole numbers in [0, inputDim)) → vectors [batch, ..., outputDim]. embeddings [inputDim, outputDim]. */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  private table!: Weight;

  constructor(private readonly args: EmbeddingArgs) {
    super(args.inputLength && !args.inputShape && !args.batchInputShape ? { ...args, inputShape: [args.inputLength] } : args, 'embedding', EMBEDDING_OPTIONS);
    for (const k of ['inputDim', 'outputDim'] as const) {
      if (!Number.isInteger(args[k]) || args[k] < 1) throw this.shapeError(`${k} must be a whole number >= 1, got ${args[k]}`);
    }
    this.inputDim = args.inputDim;
    this.outputDim = args.outputDim;
    this.maskZero = args.maskZero ?? false;
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    if (inputShapes.length !== 1 || inputShapes[0].length < 2) throw this.shapeError('expects one input [batch, ...ids]');
    return [[...inputShapes[0], this.outputDim]];
  }

  override build(): void {
    this.table = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.args.embeddingsInitializer ?? 'randomUniform');
  }

  override checkInputValues(data: Tensor, what: string): void {
    assertIds(data, this.inputDim, `${what}, the ids of layer "${this.name}" (Embedding),`, 'raise inputDim or map rare tokens to an OOV id');
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    const ids = ctx.scope.ints(n);
    const f = ctx.backend.floats();
    const I = ctx.backend.ints();
    const src = ctx.fi(x.ptr);
    const dst = ids / 4;
    // Ids from a model input were checked once, before the first batch (checkInputValues).
    const check = !x.checked;
    for (let i = 0; i < n; i++) {
      const v = f[src + i];
      if (check && !(v >= 0 && v < this.inputDim && Number.isInteger(v))) {
        throw new LwError('ID_OUT_OF_RANGE', `layer "${this.name}" (Embedding): id ${v} at flat index ${i} is outside [0, ${this.inputDim}); raise inputDim or map rare tokens to an OOV id`, { layer: this.name, index: i, value: v, inputDim: this.inputDim });
      }
      I[dst + i] = v;
    }
    // The rows [n, outputDim] are not gathered here: a recurrent layer that multiplies the table
    // (inference) or the batch's distinct rows (training) by its kernel reads `gather` only, and
    // the executor gathers them (gatherRows) for any other consumer.
    const out: BatchTensor = {
      ptr: 0, shape: [...x.shape, this.outputDim],
      gather: { ids, table: ctx.paramPtr(this.table.offset), vocab: this.inputDim, addRowGrads: this.trainable ? this.addRowGrads : null },
    };
    return { outputs: [out], saved: ids };
  }

  /**
   * maskZero: id 0 is padding, for ids [batch, time] (Keras compute_mask: ids != 0). Masks here
   * are [batch, time], so other ranks get none.
   */
  override outputMasks([ids]: readonly MaskInput[]): readonly OutputMask[] {
    if (!this.maskZero || ids.shape.length !== 2) return [];
    return [Float32Array.from(ids.values(), (v) => (v === 0 ? 0 : 1))];
  }

  /** dOut [..., outputDim], the gradient of the gathered rows, scattered into the table's gradient. */
  backward(ctx: ExecCtx, ids: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dOut]: number[]): number[] {
    if (this.trainable) this.addRowGrads(ctx, ids as number, x.shape.reduce((a, b) => a * b, 1), dOut);
    return [0];
  }

  /** dTable[rowIds[j]] += dRows[j] for j < count (dRows [count, outputDim]). */
  private readonly addRowGrads = (ctx: ExecCtx, rowIds: number, count: number, dRows: number): void => {
    embeddingBackward(ctx.backend.kernels, { n: count, width: this.outputDim, ids: rowIds, dOut: dRows, dTable: ctx.gradPtr(this.table.offset) });
  };

  override getConfig() {
    const c = super.getConfig();
    return {
      ...c, input_dim: this.inputDim, output_dim: this.outputDim, mask_zero: this.maskZero,
      input_length: this.args.inputLength ?? null,
      embeddings_initializer: initializerConfig(this.args.embeddingsInitializer ?? 'randomUniform'),
      embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null,
    };
  }
}

export const embedding = (args: EmbeddingArgs) => new Embedding(args);

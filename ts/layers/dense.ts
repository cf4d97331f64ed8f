import type { OptionNames } from '../engine/options.js';
import { denseBackward, denseForward, denseWsFloats, resolveActivation, type ActivationName } from '../backend/kernels/index.js';
import type { InitializerName } from '../initializers.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../engine/mask.js';
import type { Weight } from '../engine/weight.js';
import { initializerConfig } from './config.js';

const DENSE_OPTIONS: OptionNames<DenseArgs, LayerArgs> = { units: true, activation: true, useBias: true, kernelInitializer: true, biasInitializer: true };

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationName | string;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
}

/**
 * y = act(x·kernel + bias) over the last axis: x [..., in] → y [..., units]. kernel [in, units],
 * bias [units]. Masks pass through (Keras).
 */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private kernel!: Weight;
  private bias: Weight | null = null;

  constructor(private readonly args: DenseArgs) {
    super(args, 'dense', DENSE_OPTIONS);
    if (!Number.isInteger(args.units) || args.units < 1) throw this.shapeError(`units must be a whole number >= 1, got ${args.units}`);
    this.units = args.units;
    this.activation = resolveActivation(args.activation, `layer "${this.name}"`);
    this.useBias = args.useBias ?? true;
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const s = inputShapes[0];
    if (inputShapes.length !== 1 || s.length < 2) throw this.shapeError(`expects one input of rank >= 2, got ${inputShapes.length} inputs`);
    if (s[s.length - 1] === null) throw this.shapeError('the last input dimension must be known');
    return [[...s.slice(0, -1), this.units]];
  }

  override build(inputShapes: Shape[]): void {
    const inDim = inputShapes[0][inputShapes[0].length - 1] as number;
    this.kernel = this.addWeight('kernel', [inDim, this.units], this.args.kernelInitializer ?? 'glorotUniform');
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], this.args.biasInitializer ?? 'zeros');
  }

  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const inDim = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((a, b) => a * b, 1) / inDim;
    const y = ctx.alloc(rows * this.units);
    const k = ctx.backend.kernels;
    const dims = { N: rows, In: inDim, Out: this.units };
    const ws = ctx.alloc(denseWsFloats(k, dims));
    denseForward(k, {
      N: rows, In: inDim, Out: this.units, activation: this.activation, x: x.ptr, kernel: ctx.paramPtr(this.kernel.offset),
      bias: this.bias ? ctx.paramPtr(this.bias.offset) : 0, y, ws,
    });
    return { outputs: [{ ptr: y, shape: [...x.shape.slice(0, -1), this.units] }] };
  }

  backward(ctx: ExecCtx, _saved: unknown, [x]: BatchTensor[], [y]: BatchTensor[], [dy]: number[], wanted?: readonly boolean[]): number[] {
    const inDim = x.shape[x.shape.length - 1];
    const rows = x.shape.reduce((a, b) => a * b, 1) / inDim;
    const k = ctx.backend.kernels;
    const dx = wanted?.[0] === false ? 0 : ctx.alloc(rows * inDim);
    const dims = { N: rows, In: inDim, Out: this.units };
    const ws = ctx.alloc(denseWsFloats(k, dims));
    const train = this.trainable;
    denseBackward(k, {
      N: rows, In: inDim, Out: this.units, activation: this.activation, x: x.ptr, kernel: ctx.paramPtr(this.kernel.offset), y: y.ptr, dy, dx,
      dKernel: train ? ctx.gradPtr(this.kernel.offset) : 0, dBias: train && this.bias ? ctx.gradPtr(this.bias.offset) : 0, ws,
    });
    return [dx];
  }

  /** Masks pass on (Keras). */
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }

  override getConfig() {
    return {
      ...super.getConfig(), units: this.units, activation: KERAS_ACTIVATION[this.activation], use_bias: this.useBias,
      kernel_initializer: initializerConfig(this.args.kernelInitializer ?? 'glorotUniform'),
      bias_initializer: initializerConfig(this.args.biasInitializer ?? 'zeros'),
      kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    };
  }
}

export const dense = (args: DenseArgs) => new Dense(args);

import type { ExecCtx } from '../model/exec.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { RecurrentLayer, type CellSpec, type KernelInputs, type RecurrentArgs } from './recurrent-base.js';

export interface LSTMArgs extends RecurrentArgs {
  /** Start the forget-gate bias at 1 (Keras default true). */
  unitForgetBias?: boolean;
}

const LSTM_CELL: CellSpec = { gates: 4, states: 2, kernels: 'lstm' };

/** LSTM (Keras): gates i, f, c, o; kernel [in, 4u], recurrent_kernel [u, 4u], bias [4u]; states [h, c]. */
export class LSTM extends RecurrentLayer {
  readonly className = 'LSTM';
  protected readonly cell = LSTM_CELL;
  readonly unitForgetBias: boolean;

  constructor(args: LSTMArgs) {
    super(args, 'lstm');
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  protected biasInit() {
    if (!this.unitForgetBias || this.rargs.biasInitializer) return this.rargs.biasInitializer ?? 'zeros';
    const u = this.units;
    return (_s: readonly number[], out: Float32Array) => {
      out.fill(0);
      out.fill(1, u, 2 * u);
    };
  }

  protected runForward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    [h0, c0]: number[], hs: number, [hT, cT]: number[], cache: number, ws: number): void {
    const w = this.weightPtrs(ctx, inputs.projected);
    ctx.backend.kernels.lstm_forward(B, T, I, this.units, flags, this.activation.code, this.recurrentActivation.code,
      inputs.x, w.k, w.rk, w.b, h0, c0, mask, recMask, hs, hT, cT, cache, ws, inputs.ids);
  }

  protected runBackward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    [h0, c0]: number[], hs: number, cache: number, dHs: number, [dHT, dCT]: number[], dx: number, [dH0, dC0]: number[], ws: number): void {
    const w = this.weightPtrs(ctx, inputs.projected);
    const g = this.gradPtrs(ctx, inputs.projected);
    ctx.backend.kernels.lstm_backward(B, T, I, this.units, flags, this.activation.code, this.recurrentActivation.code,
      inputs.x, w.k, w.rk, h0, c0, mask, recMask, hs, cache, dHs, dHT, dCT, dx, g.dk, g.drk, g.db, dH0, dC0, ws);
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      recurrent_activation: KERAS_ACTIVATION[this.recurrentActivation.name],
      unit_forget_bias: this.unitForgetBias,
      implementation: 2,
    };
  }
}

export const lstm = (args: LSTMArgs) => new LSTM(args);

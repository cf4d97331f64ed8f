import { RecurrentFlags } from '../backend/abi.js';
import type { ExecCtx } from '../model/exec.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { RecurrentLayer, type CellSpec, type KernelInputs, type RecurrentArgs } from './recurrent-base.js';

export interface GRUArgs extends RecurrentArgs {
  /** Apply the reset gate after the recurrent product (Keras 3 default true; TF.js only loads false). */
  resetAfter?: boolean;
}

const GRU_CELL: CellSpec = { gates: 3, states: 1, kernels: 'gru' };

/** GRU (Keras): gates z, r, h; kernel [in, 3u], recurrent_kernel [u, 3u], bias [2, 3u] (resetAfter) or [3u]. */
export class GRU extends RecurrentLayer {
  readonly className = 'GRU';
  protected readonly cell = GRU_CELL;
  readonly resetAfter: boolean;

  constructor(args: GRUArgs) {
    super(args, 'gru');
    this.resetAfter = args.resetAfter ?? true;
  }

  protected override cellFlags(): number {
    return this.resetAfter ? RecurrentFlags.resetAfter : 0;
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected biasInit() {
    return this.rargs.biasInitializer ?? 'zeros';
  }

  protected runForward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    [h0]: number[], hs: number, [hT]: number[], cache: number, ws: number): void {
    const w = this.weightPtrs(ctx, inputs.projected);
    ctx.backend.kernels.gru_forward(B, T, I, this.units, flags, this.activation.code, this.recurrentActivation.code,
      inputs.x, w.k, w.rk, w.b, h0, mask, recMask, hs, hT, cache, ws, inputs.ids);
  }

  protected runBackward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    [h0]: number[], hs: number, cache: number, dHs: number, [dHT]: number[], dx: number, [dH0]: number[], ws: number): void {
    const w = this.weightPtrs(ctx, inputs.projected);
    const g = this.gradPtrs(ctx, inputs.projected);
    ctx.backend.kernels.gru_backward(B, T, I, this.units, flags, this.activation.code, this.recurrentActivation.code,
      inputs.x, w.k, w.rk, h0, mask, recMask, hs, cache, dHs, dHT, dx, g.dk, g.drk, g.db, dH0, ws);
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      recurrent_activation: KERAS_ACTIVATION[this.recurrentActivation.name],
      reset_after: this.resetAfter,
      implementation: 2,
    };
  }
}

export const gru = (args: GRUArgs) => new GRU(args);

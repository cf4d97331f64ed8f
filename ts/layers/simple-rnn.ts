import type { ExecCtx } from '../model/exec.js';
import { RecurrentLayer, type CellSpec, type KernelInputs, type RecurrentArgs } from './recurrent-base.js';

const RNN_CELL: CellSpec = { gates: 1, states: 1, kernels: 'rnn' };

/** SimpleRNN (Keras): h = act(x·kernel + h·recurrent_kernel + bias); kernel [in, u], recurrent_kernel [u, u], bias [u]. */
export class SimpleRNN extends RecurrentLayer {
  readonly className = 'SimpleRNN';
  protected readonly cell = RNN_CELL;

  constructor(args: RecurrentArgs) {
    super(args, 'simple_rnn');
  }

  protected biasInit() {
    return this.rargs.biasInitializer ?? 'zeros';
  }

  protected runForward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    [h0]: number[], hs: number, [hT]: number[], cache: number, ws: number): void {
    const w = this.weightPtrs(ctx, inputs.projected);
    ctx.backend.kernels.rnn_forward(B, T, I, this.units, flags, this.activation.code, inputs.x, w.k, w.rk, w.b, h0, mask, recMask, hs, hT, cache, ws, inputs.ids);
  }

  protected runBackward(ctx: ExecCtx, B: number, T: number, I: number, flags: number, inputs: KernelInputs, mask: number, recMask: number,
    [h0]: number[], hs: number, cache: number, dHs: number, [dHT]: number[], dx: number, [dH0]: number[], ws: number): void {
    const w = this.weightPtrs(ctx, inputs.projected);
    const g = this.gradPtrs(ctx, inputs.projected);
    ctx.backend.kernels.rnn_backward(B, T, I, this.units, flags, this.activation.code, inputs.x, w.k, w.rk, h0, mask, recMask, hs, cache,
      dHs, dHT, dx, g.dk, g.drk, g.db, dH0, ws);
  }
}

export const simpleRNN = (args: RecurrentArgs) => new SimpleRNN(args);

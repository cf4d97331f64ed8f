import type { OptionNames } from '../engine/options.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { RecurrentLayer, type RecurrentArgs } from './recurrent-base.js';

export interface GRUArgs extends RecurrentArgs {
  /** Apply the reset gate after the recurrent product (Keras 3 default true; TF.js only loads false). */
  resetAfter?: boolean;
}

/** GRU (Keras): gates z, r, h; kernel [in, 3u], recurrent_kernel [u, 3u], bias [2, 3u] (resetAfter) or [3u]. */
export class GRU extends RecurrentLayer {
  readonly className = 'GRU';
  protected readonly cellKind = 'gru';
  readonly resetAfter: boolean;

  constructor(args: GRUArgs) {
    super(args, 'gru', { resetAfter: true } satisfies OptionNames<GRUArgs, RecurrentArgs>);
    this.resetAfter = args.resetAfter ?? true;
  }

  protected override get resetAfterFlag(): boolean {
    return this.resetAfter;
  }

  protected biasInit() {
    return this.rargs.biasInitializer ?? 'zeros';
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      recurrent_activation: KERAS_ACTIVATION[this.recurrentActivation],
      reset_after: this.resetAfter,
      implementation: 2,
    };
  }
}

export const gru = (args: GRUArgs) => new GRU(args);

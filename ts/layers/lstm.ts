import { KERAS_ACTIVATION } from './activation-names.js';
import { RecurrentLayer, type RecurrentArgs } from './recurrent-base.js';

export interface LSTMArgs extends RecurrentArgs {
  /** Start the forget-gate bias at 1 (Keras default true). */
  unitForgetBias?: boolean;
}

/** LSTM (Keras): gates i, f, c, o; kernel [in, 4u], recurrent_kernel [u, 4u], bias [4u]; states [h, c]. */
export class LSTM extends RecurrentLayer {
  readonly className = 'LSTM';
  protected readonly cellKind = 'lstm';
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

  override getConfig() {
    return {
      ...super.getConfig(),
      recurrent_activation: KERAS_ACTIVATION[this.recurrentActivation],
      unit_forget_bias: this.unitForgetBias,
      implementation: 2,
    };
  }
}

export const lstm = (args: LSTMArgs) => new LSTM(args);

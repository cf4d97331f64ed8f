import type { OptionNames } from '../engine/options.js';
import { getInitializer, type Initializer, type InitializerName } from '../initializers.js';
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
    super(args, 'lstm', { unitForgetBias: true } satisfies OptionNames<LSTMArgs, RecurrentArgs>);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  /**
   * With unitForgetBias (Keras, TF.js): the forget gate's slice [u, 2u) starts at 1 and the other
   * gates' slices from biasInitializer (default zeros), drawn as Keras draws them: [u] then [2u].
   */
  protected biasInit(): InitializerName | Initializer {
    const given = this.rargs.biasInitializer ?? 'zeros';
    if (!this.unitForgetBias) return given;
    const init = getInitializer(given);
    const u = this.units;
    return (_s, out, rng) => {
      init([u], out.subarray(0, u), rng);
      out.fill(1, u, 2 * u);
      init([2 * u], out.subarray(2 * u, 4 * u), rng);
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

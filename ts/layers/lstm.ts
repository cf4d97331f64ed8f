import type { OptionNames } from '../engine/options.js';
import type { Shape } from '../engine/shape.js';
import { LwError } from '../errors.js';
import { getInitializer, type Initializer, type InitializerName } from '../initializers.js';
import { KERAS_ACTIVATION } from './activation-names.js';
import { RecurrentLayer, type RecurrentArgs } from './recurrent-base.js';

export interface LSTMArgs extends RecurrentArgs {
  /** Start the forget-gate bias at 1 (Keras default true). */
  unitForgetBias?: boolean;
  /**
   * Peephole connections (ONNX LSTM's input P; default false): a weight `peephole_weights` [3·units]
   * holding p_i | p_f | p_o (this library's gate order i, f, o; ONNX's P is p_i | p_o | p_f), with
   * z_i += p_i·c(t-1), z_f += p_f·c(t-1), z_o += p_o·c(t). Starts at zeros (the plain LSTM).
   * Saved as config `use_peepholes`; TF.js and Keras 3 have no peepholes, so they cannot load such a model.
   */
  usePeepholes?: boolean;
}

/**
 * LSTM (Keras): gates i, f, c, o; kernel [in, 4u], recurrent_kernel [u, 4u], bias [4u]; states [h, c];
 * with usePeepholes also peephole_weights [3u] (p_i, p_f, p_o).
 */
export class LSTM extends RecurrentLayer {
  readonly className = 'LSTM';
  protected readonly cellKind = 'lstm';
  readonly unitForgetBias: boolean;
  readonly usePeepholes: boolean;

  constructor(args: LSTMArgs) {
    super(args, 'lstm', { unitForgetBias: true, usePeepholes: true } satisfies OptionNames<LSTMArgs, RecurrentArgs>);
    this.unitForgetBias = args.unitForgetBias ?? true;
    if (args.usePeepholes !== undefined && typeof args.usePeepholes !== 'boolean') {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": usePeepholes must be true or false, got ${String(args.usePeepholes)}`);
    }
    this.usePeepholes = args.usePeepholes ?? false;
  }

  override build(inputShapes: Shape[]): void {
    super.build(inputShapes);
    if (this.usePeepholes) this.peepholes = this.addWeight('peephole_weights', [3 * this.units], 'zeros');
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
      // Written only when set: TF.js and Keras know no peepholes.
      ...(this.usePeepholes ? { use_peepholes: true } : {}),
      implementation: 2,
    };
  }
}

export const lstm = (args: LSTMArgs) => new LSTM(args);

import { RecurrentLayer, type RecurrentArgs } from './recurrent-base.js';

/** SimpleRNN (Keras): h = act(x·kernel + h·recurrent_kernel + bias); kernel [in, u], recurrent_kernel [u, u], bias [u]. */
export class SimpleRNN extends RecurrentLayer {
  readonly className = 'SimpleRNN';
  protected readonly cellKind = 'simpleRNN';

  constructor(args: RecurrentArgs) {
    super(args, 'simple_rnn');
  }

  protected biasInit() {
    return this.rargs.biasInitializer ?? 'zeros';
  }
}

export const simpleRNN = (args: RecurrentArgs) => new SimpleRNN(args);

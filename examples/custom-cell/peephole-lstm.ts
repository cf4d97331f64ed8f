// A recurrent cell the fused kernels do not have, written by hand: an LSTM with peepholes (Gers &
// Schmidhuber 2000), whose gates also see the cell state. lw.layers.rnn({ cell }) runs its step
// once per time step and trains it by backpropagation through time over the ops it used.
import * as lw from 'lstm-wasm';

type Weights = Record<string, lw.layers.StepTensor>;

export class PeepholeLSTMCell extends lw.layers.RNNCell {
  /** Registered under this name (below), so models with this cell save and load. */
  readonly className = 'PeepholeLSTM';
  /** [h, c] */
  readonly stateSize: number[];

  constructor(readonly units: number, args: { name?: string } = {}) {
    super(args);
    this.stateSize = [units, units];
  }

  override build(inputShape: (number | null)[], addWeight: lw.layers.AddWeight) {
    const features = inputShape[inputShape.length - 1] as number;
    const u = this.units;
    addWeight('kernel', [features, 4 * u]); // gates i, f, c, o as Keras lays them out
    addWeight('recurrent_kernel', [u, 4 * u], 'orthogonal');
    addWeight('peephole', [3, u], 'zeros'); // rows for i, f and o: one weight per unit
    // Start the forget gate at 1, as Keras' unitForgetBias does.
    addWeight('bias', [4 * u], (_shape, out) => out.fill(1, u, 2 * u));
  }

  call(ops: lw.layers.StepOps, x: lw.layers.StepTensor, [h, c]: lw.layers.StepTensor[], w: Weights) {
    const z = ops.add(ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel)), w.bias);
    const [zi, zf, zc, zo] = ops.split(z, 4);
    const [pi, pf, po] = ops.split(w.peephole, 3, 0); // [1, u] each, broadcast over the batch
    const i = ops.sigmoid(ops.add(zi, ops.mul(pi, c)));
    const f = ops.sigmoid(ops.add(zf, ops.mul(pf, c)));
    const c2 = ops.add(ops.mul(f, c), ops.mul(i, ops.tanh(zc)));
    const o = ops.sigmoid(ops.add(zo, ops.mul(po, c2))); // the output gate sees the new state
    const h2 = ops.mul(o, ops.tanh(c2));
    return { output: h2, states: [h2, c2] };
  }

  getConfig() {
    return { units: this.units };
  }
}

lw.layers.registerCell('PeepholeLSTM', (config) => new PeepholeLSTMCell(config.units as number, { name: config.name as string }));

// Keras' and TF.js' own cells (LSTMCell, GRUCell, SimpleRNNCell) for `RNN(cell)` layers, written
// with the step ops so that files holding `RNN` over them load and train. The fused `lstm`, `gru`
// and `simpleRNN` layers compute the same faster; these exist for the files (and ports) that
// wrap a cell. Weights in Keras layout: kernel [I, G·U], recurrent_kernel [U, G·U], bias.
import type { StepOps } from '../autograd/ops.js';
import type { StepTensor } from '../autograd/step-tensor.js';
import type { Shape } from '../engine/shape.js';
import { LwError } from '../errors.js';
import { checkOptions } from '../engine/options.js';
import type { JsonObject } from '../io/json.js';
import { ConfigReader } from './config-reader.js';
import { RNNCell, type AddWeight, type CellContext, type CellFactory, type StepResult } from './rnn-cell.js';

type Activation = (ops: StepOps, x: StepTensor) => StepTensor;

/** The step ops of each activation a cell may use. Keras 3's hard_sigmoid, x/6 + 1/2, is TF.js' 0.2·(5x/6) + 1/2. */
const ACTIVATIONS: Record<string, Activation> = {
  linear: (_ops, x) => x,
  tanh: (ops, x) => ops.tanh(x),
  sigmoid: (ops, x) => ops.sigmoid(x),
  relu: (ops, x) => ops.relu(x),
  hardSigmoid: (ops, x) => ops.hardSigmoid(x),
  hardSigmoidKeras3: (ops, x) => ops.hardSigmoid(ops.mul(x, 5 / 6)),
};

interface CellArgs {
  units: number;
  activation?: string;
  recurrentActivation?: string;
  useBias?: boolean;
  name?: string;
}

function activationOf(name: string, cell: string): Activation {
  const f = ACTIVATIONS[name];
  if (!f) throw new LwError('UNSUPPORTED', `cell "${cell}": activation "${name}" is not one a cell can run (${Object.keys(ACTIVATIONS).join(', ')})`);
  return f;
}

/** What the three cells share: units, activations, bias, the Keras config. */
abstract class KerasCell extends RNNCell {
  abstract readonly className: string;
  readonly units: number;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly useBias: boolean;
  protected readonly act: Activation;
  protected readonly recAct: Activation;

  constructor(args: CellArgs, options: Readonly<Record<string, true>>) {
    super({ name: args.name });
    checkOptions(args, { units: true, activation: true, useBias: true, name: true, ...options }, `cell "${this.name}"`);
    if (!Number.isInteger(args.units) || args.units < 1) throw new LwError('BAD_ARGUMENT', `cell "${this.name}": units must be a whole number >= 1, got ${args.units}`);
    this.units = args.units;
    this.activation = args.activation ?? 'tanh';
    this.recurrentActivation = args.recurrentActivation ?? 'sigmoid';
    this.useBias = args.useBias ?? true;
    this.act = activationOf(this.activation, this.name);
    this.recAct = activationOf(this.recurrentActivation, this.name);
  }

  /** Declares kernel, recurrent_kernel and (with useBias) bias of `biasShape` for `gates` gates. */
  protected declare_(shape: Shape, addWeight: AddWeight, gates: number, biasShape: number[], biasInit: 'zeros' | 'unitForget' = 'zeros'): void {
    const I = shape[shape.length - 1] as number;
    addWeight('kernel', [I, gates * this.units], 'glorotUniform');
    addWeight('recurrent_kernel', [this.units, gates * this.units], 'orthogonal');
    if (!this.useBias) return;
    const U = this.units;
    // Keras' unit_forget_bias: the forget gate's bias starts at 1 (gates i, f, c, o).
    if (biasInit === 'unitForget') addWeight('bias', biasShape, (_shape, out) => out.fill(1, U, 2 * U));
    else addWeight('bias', biasShape, 'zeros');
  }

  getConfig(): Record<string, unknown> {
    const keras = (n: string) => n.replace(/([A-Z])/g, '_$1').toLowerCase();
    return { units: this.units, activation: keras(this.activation), recurrent_activation: keras(this.recurrentActivation), use_bias: this.useBias };
  }
}

/** Keras LSTMCell: gates i, f, c, o; states [h, c]. */
export class LSTMCell extends KerasCell {
  readonly className = 'LSTMCell';
  readonly stateSize: number[];
  readonly unitForgetBias: boolean;
  constructor(args: CellArgs & { unitForgetBias?: boolean }) {
    super(args, { recurrentActivation: true, unitForgetBias: true });
    this.stateSize = [this.units, this.units];
    this.unitForgetBias = args.unitForgetBias ?? true;
  }
  override build(shape: Shape, addWeight: AddWeight): void {
    this.declare_(shape, addWeight, 4, [4 * this.units], this.unitForgetBias ? 'unitForget' : 'zeros');
  }
  call(ops: StepOps, x: StepTensor, [h, c]: StepTensor[], w: Record<string, StepTensor>): StepResult {
    let z = ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel));
    if (w.bias) z = ops.add(z, w.bias);
    const [i, f, g, o] = ops.split(z, 4);
    const c2 = ops.add(ops.mul(this.recAct(ops, f), c), ops.mul(this.recAct(ops, i), this.act(ops, g)));
    const h2 = ops.mul(this.recAct(ops, o), this.act(ops, c2));
    return { output: h2, states: [h2, c2] };
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unit_forget_bias: this.unitForgetBias };
  }
}

/** Keras GRUCell: gates z, r, h; resetAfter (Keras 3's default) applies the reset gate after the recurrent product, bias [2, 3U]. */
export class GRUCell extends KerasCell {
  readonly className = 'GRUCell';
  readonly stateSize: number;
  readonly resetAfter: boolean;
  constructor(args: CellArgs & { resetAfter?: boolean }) {
    super(args, { recurrentActivation: true, resetAfter: true });
    this.stateSize = this.units;
    this.resetAfter = args.resetAfter ?? true;
  }
  override build(shape: Shape, addWeight: AddWeight): void {
    this.declare_(shape, addWeight, 3, this.resetAfter ? [2, 3 * this.units] : [3 * this.units]);
  }
  call(ops: StepOps, x: StepTensor, [h]: StepTensor[], w: Record<string, StepTensor>): StepResult {
    const U = this.units;
    const [bIn, bRec] = !w.bias ? [null, null] : this.resetAfter ? ops.split(w.bias, 2, 0) : [w.bias, null];
    let xw = ops.matMul(x, w.kernel);
    if (bIn) xw = ops.add(xw, bIn);
    const [xz, xr, xh] = ops.split(xw, 3);
    let z: StepTensor;
    let r: StepTensor;
    let hh: StepTensor;
    if (this.resetAfter) {
      let hw = ops.matMul(h, w.recurrent_kernel);
      if (bRec) hw = ops.add(hw, bRec);
      const [hz, hr, hn] = ops.split(hw, 3);
      z = this.recAct(ops, ops.add(xz, hz));
      r = this.recAct(ops, ops.add(xr, hr));
      hh = this.act(ops, ops.add(xh, ops.mul(r, hn)));
    } else {
      // The reset gate before the recurrent product: the candidate's part of the kernel multiplies r ⊙ h.
      const [rz, rr, rh] = ops.split(w.recurrent_kernel, 3);
      z = this.recAct(ops, ops.add(xz, ops.matMul(h, rz)));
      r = this.recAct(ops, ops.add(xr, ops.matMul(h, rr)));
      hh = this.act(ops, ops.add(xh, ops.matMul(ops.mul(r, h), rh)));
    }
    const h2 = ops.add(ops.mul(z, h), ops.mul(ops.sub(1, z), hh));
    return { output: h2, states: [h2] };
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), reset_after: this.resetAfter };
  }
}

/** Keras SimpleRNNCell: h' = activation(x·kernel + h·recurrent_kernel + bias). */
export class SimpleRNNCell extends KerasCell {
  readonly className = 'SimpleRNNCell';
  readonly stateSize: number;
  constructor(args: Omit<CellArgs, 'recurrentActivation'>) {
    super(args, {});
    this.stateSize = this.units;
  }
  override build(shape: Shape, addWeight: AddWeight): void {
    this.declare_(shape, addWeight, 1, [this.units]);
  }
  call(ops: StepOps, x: StepTensor, [h]: StepTensor[], w: Record<string, StepTensor>): StepResult {
    let z = ops.add(ops.matMul(x, w.kernel), ops.matMul(h, w.recurrent_kernel));
    if (w.bias) z = ops.add(z, w.bias);
    const h2 = this.act(ops, z);
    return { output: h2, states: [h2] };
  }
  override getConfig(): Record<string, unknown> {
    const { recurrent_activation: _, ...config } = super.getConfig();
    return config;
  }
}

/** A Keras cell config, read as the layers' configs are: unknown set options are UNSUPPORTED. */
function cellArgs(config: JsonObject, ctx: CellContext | undefined, recurrent: boolean): { c: ConfigReader; args: CellArgs } {
  const c = new ConfigReader(config, `cell "${String(config.name ?? '')}"`, ctx?.kerasMajor ?? 2);
  c.get('trainable');
  const dropout = (c.num('dropout') ?? 0) + (c.num('recurrent_dropout') ?? 0);
  if (dropout) throw new LwError('UNSUPPORTED', `${c.where}: dropout inside a cell is not supported (use the lstm, gru or simpleRNN layer)`);
  for (const k of ['kernel_initializer', 'recurrent_initializer', 'bias_initializer']) c.get(k); // the file's weights replace them
  const args: CellArgs = { name: c.str('name'), units: c.int('units', 1), activation: c.activation('activation'), useBias: c.bool('use_bias') };
  if (recurrent) args.recurrentActivation = c.activation('recurrent_activation');
  return { c, args };
}

/** Refuses what a cell config set that no reader took (a regularizer, a constraint). */
function checked<T>(c: ConfigReader, cell: T): T {
  const ignored = c.optionsNotRead();
  if (ignored.length) throw new LwError('UNSUPPORTED', `${c.where}: the cell has no option ${ignored.map((k) => `"${k}"`).join(', ')}`, { options: ignored });
  return cell;
}

/** Keras' built-in cell classes: how cell-registry.ts makes each from its config. */
export const KERAS_CELLS: Record<string, CellFactory> = {
  LSTMCell: (config, ctx) => {
    const { c, args } = cellArgs(config, ctx, true);
    return checked(c, new LSTMCell({ ...args, unitForgetBias: c.bool('unit_forget_bias') }));
  },
  GRUCell: (config, ctx) => {
    const { c, args } = cellArgs(config, ctx, true);
    // Keras 2 before 2.3 and TF.js have no reset_after: false.
    return checked(c, new GRUCell({ ...args, resetAfter: c.bool('reset_after') ?? false }));
  },
  SimpleRNNCell: (config, ctx) => {
    const { c, args } = cellArgs(config, ctx, false);
    return checked(c, new SimpleRNNCell(args));
  },
};

export const lstmCell = (args: CellArgs & { unitForgetBias?: boolean }) => new LSTMCell(args);
export const gruCell = (args: CellArgs & { resetAfter?: boolean }) => new GRUCell(args);
export const simpleRNNCell = (args: Omit<CellArgs, 'recurrentActivation'>) => new SimpleRNNCell(args);

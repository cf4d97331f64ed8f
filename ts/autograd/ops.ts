import { LwError, fmtShape } from '../errors.js';
import { concat as concatOp, slice as sliceOp } from './axis.js';
import { binary, type BinaryKind } from './binary.js';
import { broadcastShape } from './broadcast.js';
import { matMul as matMulOp } from './matmul.js';
import { StepTensor } from './step-tensor.js';
import type { Tape } from './tape.js';
import { activation, type ElementwiseActivation } from './unary.js';

/** A tensor, or a number used as a scalar (`ops.mul(x, 0.5)`, `ops.sub(1, z)`). */
export type Operand = StepTensor | number;

/**
 * The differentiable ops a recurrent cell's step is written with (`call(ops, input, states,
 * weights)`). Each runs at once on backend memory and records its backward on the tape, so the
 * layer's backward goes back through every op of every step. Step tensors are [batch, features];
 * weights have the shapes they were declared with.
 */
export interface StepOps {
  /** [M, K]·[K, N] → [M, N] (transposeA: a is [K, M]; transposeB: b is [N, K]). */
  matMul(a: StepTensor, b: StepTensor, transposeA?: boolean, transposeB?: boolean): StepTensor;
  /** a + b elementwise, NumPy broadcasting ([B, n] + [n] adds a bias to every row). */
  add(a: Operand, b: Operand): StepTensor;
  /** a - b elementwise, broadcasting (`sub(1, z)` is 1 - z). */
  sub(a: Operand, b: Operand): StepTensor;
  /** a ⊙ b elementwise, broadcasting (`mul(x, 2)`, `mul(c, peephole)` with peephole [n]). */
  mul(a: Operand, b: Operand): StepTensor;
  sigmoid(x: StepTensor): StepTensor;
  tanh(x: StepTensor): StepTensor;
  relu(x: StepTensor): StepTensor;
  /** clamp(0.2·x + 0.5, 0, 1), as TF.js (and the kernels) define it. */
  hardSigmoid(x: StepTensor): StepTensor;
  /** Tensors of one rank joined along `axis` (default -1, the features). */
  concat(xs: readonly StepTensor[], axis?: number): StepTensor;
  /**
   * Parts along `axis` (default -1, the features: unlike TF.js' axis 0, as steps are [batch,
   * features]): `split(gates, 4)` gives 4 equal parts, `split(x, [2, 3])` parts of 2 and 3.
   */
  split(x: StepTensor, numOrSizes: number | readonly number[], axis?: number): StepTensor[];
  /** Items [start, start + size) along `axis` (default -1). */
  slice(x: StepTensor, start: number, size: number, axis?: number): StepTensor;
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? (v as object).constructor?.name ?? 'an object' : `${typeof v} ${String(v)}`;

/** The op set over one tape: every argument checked, errors naming the tape's owner and the op. */
export function stepOps(tape: Tape): StepOps {
  const tensor = (op: string, name: string, v: unknown): StepTensor => {
    if (!(v instanceof StepTensor)) {
      throw new LwError('BAD_ARGUMENT', `${tape.opName(op)}: ${name} must be a tensor of the step (an input, a state, a weight or an op's result), got ${describe(v)}`, { op, argument: name });
    }
    if (v.owner !== tape) {
      throw new LwError('BAD_ARGUMENT', `${tape.opName(op)}: ${name} is a tensor of another batch or call: tensors live for one batch, do not keep them`, { op, argument: name });
    }
    return v;
  };
  const operand = (op: string, name: string, v: unknown): StepTensor => {
    if (typeof v !== 'number') return tensor(op, name, v);
    if (!Number.isFinite(v)) throw new LwError('BAD_ARGUMENT', `${tape.opName(op)}: ${name} is ${v}; a scalar must be a finite number`, { op, argument: name });
    return tape.constant([v], []);
  };
  const shapeError = (op: string, message: string, details: Record<string, unknown>) =>
    new LwError('SHAPE_MISMATCH', `${tape.opName(op)}: ${message}`, { op, ...details });
  const whole = (op: string, name: string, v: unknown, min: number, max: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new LwError('BAD_ARGUMENT', `${tape.opName(op)}: ${name} must be a whole number in [${min}, ${max}], got ${describe(v)}`, { op, argument: name });
    }
    return v;
  };
  const axisOf = (op: string, x: StepTensor, axis: unknown): number => {
    const a = whole(op, 'axis', axis ?? -1, -x.rank, x.rank - 1);
    return a < 0 ? a + x.rank : a;
  };
  const elementwise = (kind: BinaryKind) => (a: Operand, b: Operand): StepTensor => {
    const [x, y] = [operand(kind, 'a', a), operand(kind, 'b', b)];
    const shape = broadcastShape(x.shape, y.shape);
    if (!shape) throw shapeError(kind, `shapes ${fmtShape(x.shape)} and ${fmtShape(y.shape)} do not broadcast`, { shapes: [[...x.shape], [...y.shape]] });
    return binary(tape, kind, x, y, shape);
  };
  const unary = (name: string, act: ElementwiseActivation) => (x: StepTensor): StepTensor => activation(tape, act, tensor(name, 'x', x));
  const flag = (op: string, name: string, v: unknown): boolean => {
    if (v !== undefined && typeof v !== 'boolean') throw new LwError('BAD_ARGUMENT', `${tape.opName(op)}: ${name} must be true or false, got ${describe(v)}`, { op, argument: name });
    return v === true;
  };
  const slice = (x: StepTensor, start: number, size: number, axis?: number): StepTensor => {
    const t = tensor('slice', 'x', x);
    const ax = axisOf('slice', t, axis);
    const len = t.shape[ax];
    const s = whole('slice', 'start', start, 0, len - 1);
    return sliceOp(tape, t, ax, s, whole('slice', 'size', size, 1, len - s));
  };

  return {
    matMul(a, b, transposeA, transposeB) {
      const [x, y] = [tensor('matMul', 'a', a), tensor('matMul', 'b', b)];
      const [tA, tB] = [flag('matMul', 'transposeA', transposeA), flag('matMul', 'transposeB', transposeB)];
      if (x.rank !== 2 || y.rank !== 2) throw shapeError('matMul', `a and b must have rank 2, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`, { shapes: [[...x.shape], [...y.shape]] });
      const K = tA ? x.shape[0] : x.shape[1];
      const K2 = tB ? y.shape[1] : y.shape[0];
      if (K !== K2) {
        throw shapeError('matMul', `inner sizes differ: a ${fmtShape(x.shape)}${tA ? ' (transposed)' : ''} has ${K}, b ${fmtShape(y.shape)}${tB ? ' (transposed)' : ''} has ${K2}`, { shapes: [[...x.shape], [...y.shape]] });
      }
      return matMulOp(tape, x, y, tA, tB);
    },
    add: elementwise('add'),
    sub: elementwise('sub'),
    mul: elementwise('mul'),
    sigmoid: unary('sigmoid', 'sigmoid'),
    tanh: unary('tanh', 'tanh'),
    relu: unary('relu', 'relu'),
    hardSigmoid: unary('hardSigmoid', 'hardSigmoid'),
    concat(xs, axis) {
      if (!Array.isArray(xs) || xs.length === 0) throw new LwError('BAD_ARGUMENT', `${tape.opName('concat')}: xs must be a non-empty array of tensors, got ${describe(xs)}`, { op: 'concat' });
      const ts = xs.map((x, i) => tensor('concat', `xs[${i}]`, x));
      const ax = axisOf('concat', ts[0], axis);
      for (const t of ts) {
        if (t.rank !== ts[0].rank || t.shape.some((d, i) => i !== ax && d !== ts[0].shape[i])) {
          throw shapeError('concat', `shapes ${ts.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${ax}`, { shapes: ts.map((u) => [...u.shape]) });
        }
      }
      return concatOp(tape, ts, ax);
    },
    split(x, numOrSizes, axis) {
      const t = tensor('split', 'x', x);
      const ax = axisOf('split', t, axis);
      const len = t.shape[ax];
      let sizes: number[];
      if (typeof numOrSizes === 'number') {
        const n = whole('split', 'numOrSizes', numOrSizes, 1, len);
        if (len % n !== 0) throw shapeError('split', `axis ${ax} of ${fmtShape(t.shape)} has ${len} items, which ${n} parts cannot share equally`, { shape: [...t.shape] });
        sizes = new Array<number>(n).fill(len / n);
      } else {
        if (!Array.isArray(numOrSizes) || numOrSizes.length === 0) throw new LwError('BAD_ARGUMENT', `${tape.opName('split')}: numOrSizes must be a number or a non-empty array of sizes, got ${describe(numOrSizes)}`, { op: 'split' });
        sizes = numOrSizes.map((s, i) => whole('split', `numOrSizes[${i}]`, s, 1, len));
        const sum = sizes.reduce((a, b) => a + b, 0);
        if (sum !== len) throw shapeError('split', `sizes [${sizes.join(', ')}] add up to ${sum}, but axis ${ax} of ${fmtShape(t.shape)} has ${len}`, { shape: [...t.shape] });
      }
      let start = 0;
      return sizes.map((s) => {
        const part = sliceOp(tape, t, ax, start, s);
        start += s;
        return part;
      });
    },
    slice,
  };
}

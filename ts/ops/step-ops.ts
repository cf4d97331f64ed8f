// The recurrent cells' op set (autograd/ops.ts) run eagerly on tensors in JS memory: each call
// copies its tensors into the current backend, runs the one op, and copies the result out.
import { stepOps, type StepOps } from '../autograd/ops.js';
import type { StepTensor } from '../autograd/step-tensor.js';
import { Tape } from '../autograd/tape.js';
import { currentBackend } from '../runtime/ready.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asFloat } from './validate.js';

/** Runs `call` on a tape that records nothing; `t` copies a tensor argument in (a number is a scalar). */
function eager<R extends StepTensor | StepTensor[]>(call: (ops: StepOps, t: (name: string, v: TensorLike) => StepTensor) => R): R extends StepTensor[] ? Tensor[] : Tensor {
  const backend = currentBackend();
  return backend.scoped((scope) => {
    const tape = new Tape({ backend, alloc: (n) => scope.floats(n) }, false);
    const t = (name: string, v: TensorLike) => {
      const x = asFloat(name, v);
      return tape.constant(x.dataSync(), x.shape);
    };
    const read = (s: StepTensor) => new Tensor(backend.readFloats(s.ptr, s.size) as Float32Array, s.shape);
    try {
      const r = call(stepOps(tape), t);
      return (Array.isArray(r) ? r.map(read) : read(r as StepTensor)) as R extends StepTensor[] ? Tensor[] : Tensor;
    } finally {
      tape.close();
    }
  });
}

/** [M, K]·[K, N] → [M, N] (transposeA: a is [K, M]; transposeB: b is [N, K]). */
export const matMul = (a: TensorLike, b: TensorLike, transposeA?: boolean, transposeB?: boolean): Tensor =>
  eager((o, t) => o.matMul(t('a', a), t('b', b), transposeA, transposeB));
/** a + b elementwise with NumPy broadcasting (a number is a scalar). */
export const add = (a: TensorLike, b: TensorLike): Tensor => eager((o, t) => o.add(t('a', a), t('b', b)));
/** a - b elementwise with broadcasting (`sub(1, z)`). */
export const sub = (a: TensorLike, b: TensorLike): Tensor => eager((o, t) => o.sub(t('a', a), t('b', b)));
/** a ⊙ b elementwise with broadcasting (`mul(x, 2)`). */
export const mul = (a: TensorLike, b: TensorLike): Tensor => eager((o, t) => o.mul(t('a', a), t('b', b)));
export const sigmoid = (x: TensorLike): Tensor => eager((o, t) => o.sigmoid(t('x', x)));
export const tanh = (x: TensorLike): Tensor => eager((o, t) => o.tanh(t('x', x)));
export const relu = (x: TensorLike): Tensor => eager((o, t) => o.relu(t('x', x)));
/** clamp(0.2·x + 0.5, 0, 1) (TF.js). */
export const hardSigmoid = (x: TensorLike): Tensor => eager((o, t) => o.hardSigmoid(t('x', x)));
/** Joined along `axis` (default -1). */
export const concat = (xs: TensorLike[], axis?: number): Tensor =>
  eager((o, t) => o.concat(Array.isArray(xs) ? xs.map((x, i) => t(`xs[${i}]`, x)) : (xs as never), axis));
/** Parts along `axis` (default -1, the last; TF.js' default is 0). */
export const split = (x: TensorLike, numOrSizes: number | number[], axis?: number): Tensor[] =>
  eager((o, t) => o.split(t('x', x), numOrSizes, axis));
/** Items [start, start + size) along `axis` (default -1). */
export const slice = (x: TensorLike, start: number, size: number, axis?: number): Tensor =>
  eager((o, t) => o.slice(t('x', x), start, size, axis));

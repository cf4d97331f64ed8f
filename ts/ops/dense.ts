import { Act, type ActivationName } from '../backend/abi.js';
import { currentBackend } from '../runtime/ready.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { LwError } from '../errors.js';
import { callKernel, scratch } from './call.js';
import { asFloat, asFloatOpt, asIds, expectRank, expectShape } from './validate.js';

function code(name: ActivationName | undefined): number {
  const c = (Act as Record<string, number>)[name ?? 'linear'];
  if (c === undefined) throw new LwError('BAD_ARGUMENT', `unknown activation "${name}": use ${Object.keys(Act).join(', ')}`);
  return c;
}

export interface DenseArgs {
  /** [N, in] */
  x: TensorLike;
  /** [in, out] */
  kernel: TensorLike;
  /** [out] */
  bias?: TensorLike | null;
  activation?: ActivationName;
}

function prepareDense(op: string, args: DenseArgs) {
  const x = asFloat('x', args.x);
  expectRank(op, 'x', x, 2);
  const w = asFloat('kernel', args.kernel);
  expectShape(op, 'kernel', w, [x.shape[1], -1]);
  const b = asFloatOpt('bias', args.bias);
  if (b) expectShape(op, 'bias', b, [w.shape[1]]);
  return { x, w, b, N: x.shape[0], In: x.shape[1], Out: w.shape[1], act: code(args.activation) };
}

/** y [N, out] = activation(x·kernel + bias). */
export function denseForward(args: DenseArgs): Tensor {
  const a = prepareDense('denseForward', args);
  return callKernel(currentBackend(), { x: a.x, w: a.w, b: a.b }, { y: [a.N, a.Out] }, (p, k, s) =>
    k.dense_forward(a.N, a.In, a.Out, a.act, p.x, p.w, p.b, p.y, scratch(s, k.dense_ws_floats(a.N, a.In, a.Out))),
  ).y;
}

/** Gradients of a dense layer from its output `y` and `dy`. */
export function denseBackward(args: DenseArgs & { y: TensorLike; dy: TensorLike }): { dx: Tensor; dKernel: Tensor; dBias: Tensor | null } {
  const a = prepareDense('denseBackward', args);
  const y = asFloat('y', args.y);
  expectShape('denseBackward', 'y', y, [a.N, a.Out]);
  const dy = asFloat('dy', args.dy);
  expectShape('denseBackward', 'dy', dy, [a.N, a.Out]);
  const out = callKernel(
    currentBackend(),
    { x: a.x, w: a.w, y, dy },
    { dx: [a.N, a.In], dw: [a.In, a.Out], db: a.b ? [a.Out] : null },
    (p, k, s) => k.dense_backward(a.N, a.In, a.Out, a.act, p.x, p.w, p.y, p.dy, p.dx, p.dw, p.db, scratch(s, k.dense_ws_floats(a.N, a.In, a.Out))),
    ['dw', 'db'],
  );
  return { dx: out.dx, dKernel: out.dw, dBias: a.b ? out.db : null };
}

/** act(x) over the last axis of a 2-D tensor (softmax per row). */
export function activation(name: ActivationName, x: TensorLike): Tensor {
  const t = asFloat('x', x);
  const cols = t.shape[t.rank - 1] ?? 1;
  const rows = t.size / Math.max(cols, 1);
  return callKernel(currentBackend(), { x: t }, { y: t.shape }, (p, k) => k.activation_forward(rows, cols, code(name), p.x, p.y)).y;
}

/** Rows of `table` [V, D] picked by integer `ids` (any shape): result [...ids.shape, D]. */
export function embeddingLookup(table: TensorLike, ids: TensorLike): Tensor {
  const tb = asFloat('table', table);
  expectRank('embeddingLookup', 'table', tb, 2);
  const [V, D] = tb.shape;
  const id = asIds('embeddingLookup', 'ids', ids, V);
  return callKernel(currentBackend(), { ids: id, table: tb }, { out: [...id.shape, D] }, (p, k) =>
    k.embedding_forward(id.size, D, p.ids, p.table, p.out),
  ).out;
}

/** Gradient of the table [V, D] from `dOut` [...ids.shape, D]: rows scatter-added by id. */
export function embeddingBackward(vocabSize: number, ids: TensorLike, dOut: TensorLike): Tensor {
  const id = asIds('embeddingBackward', 'ids', ids, vocabSize);
  const d = asFloat('dOut', dOut);
  const D = d.shape[d.rank - 1];
  expectShape('embeddingBackward', 'dOut', d, [...id.shape, D]);
  return callKernel(currentBackend(), { ids: id, d }, { dt: [vocabSize, D] }, (p, k) =>
    k.embedding_backward(id.size, D, p.ids, p.d, p.dt), ['dt'],
  ).dt;
}

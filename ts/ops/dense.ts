import {
  activationForward as activationKernelForward, denseBackward as denseKernelBackward, denseForward as denseKernelForward, denseWsFloats,
  embeddingBackward as embeddingKernelBackward, embeddingForward, resolveActivation, type ActivationName,
} from '../backend/kernels/index.js';
import { currentBackend } from '../runtime/ready.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { callKernel, scratch } from './call.js';
import { asFloat, asFloatOpt, asIds, expectRank, expectShape } from './validate.js';

export interface DenseOpArgs {
  /** [N, in] */
  x: TensorLike;
  /** [in, out] */
  kernel: TensorLike;
  /** [out] */
  bias?: TensorLike | null;
  activation?: ActivationName;
}

function prepareDense(op: string, args: DenseOpArgs) {
  const x = asFloat('x', args.x);
  expectRank(op, 'x', x, 2);
  const w = asFloat('kernel', args.kernel);
  expectShape(op, 'kernel', w, [x.shape[1], -1]);
  const b = asFloatOpt('bias', args.bias);
  if (b) expectShape(op, 'bias', b, [w.shape[1]]);
  return { x, w, b, dims: { N: x.shape[0], In: x.shape[1], Out: w.shape[1] }, activation: resolveActivation(args.activation, op) };
}

/** y [N, out] = activation(x·kernel + bias). */
export function denseForward(args: DenseOpArgs): Tensor {
  const a = prepareDense('denseForward', args);
  const { N, Out } = a.dims;
  return callKernel(currentBackend(), { x: a.x, w: a.w, b: a.b }, { y: [N, Out] }, (p, k, s) =>
    denseKernelForward(k, { ...a.dims, activation: a.activation, x: p.x, kernel: p.w, bias: p.b, y: p.y, ws: scratch(s, denseWsFloats(k, a.dims)) }),
  ).y;
}

/** Gradients of a dense layer from its output `y` and `dy`. */
export function denseBackward(args: DenseOpArgs & { y: TensorLike; dy: TensorLike }): { dx: Tensor; dKernel: Tensor; dBias: Tensor | null } {
  const a = prepareDense('denseBackward', args);
  const { N, In, Out } = a.dims;
  const y = asFloat('y', args.y);
  expectShape('denseBackward', 'y', y, [N, Out]);
  const dy = asFloat('dy', args.dy);
  expectShape('denseBackward', 'dy', dy, [N, Out]);
  const out = callKernel(
    currentBackend(),
    { x: a.x, w: a.w, y, dy },
    { dx: [N, In], dw: [In, Out], db: a.b ? [Out] : null },
    (p, k, s) => denseKernelBackward(k, {
      ...a.dims, activation: a.activation, x: p.x, kernel: p.w, y: p.y, dy: p.dy, dx: p.dx, dKernel: p.dw, dBias: p.db,
      ws: scratch(s, denseWsFloats(k, a.dims)),
    }),
    ['dw', 'db'],
  );
  return { dx: out.dx, dKernel: out.dw, dBias: a.b ? out.db : null };
}

/** act(x) over the last axis of a 2-D tensor (softmax per row). */
export function activationForward(name: ActivationName, x: TensorLike): Tensor {
  const act = resolveActivation(name, 'activation');
  const t = asFloat('x', x);
  const cols = t.shape[t.rank - 1] ?? 1;
  const rows = t.size / Math.max(cols, 1);
  return callKernel(currentBackend(), { x: t }, { y: t.shape }, (p, k) => activationKernelForward(k, { rows, cols, activation: act, x: p.x, y: p.y })).y;
}

/** Rows of `table` [V, D] picked by integer `ids` (any shape): result [...ids.shape, D]. */
export function embeddingLookup(table: TensorLike, ids: TensorLike): Tensor {
  const tb = asFloat('table', table);
  expectRank('embeddingLookup', 'table', tb, 2);
  const [V, D] = tb.shape;
  const id = asIds('embeddingLookup', 'ids', ids, V);
  return callKernel(currentBackend(), { ids: id, table: tb }, { out: [...id.shape, D] }, (p, k) =>
    embeddingForward(k, { n: id.size, width: D, ids: p.ids, table: p.table, out: p.out }),
  ).out;
}

/** Gradient of the table [V, D] from `dOut` [...ids.shape, D]: rows scatter-added by id. */
export function embeddingBackward(vocabSize: number, ids: TensorLike, dOut: TensorLike): Tensor {
  const id = asIds('embeddingBackward', 'ids', ids, vocabSize);
  const d = asFloat('dOut', dOut);
  const D = d.shape[d.rank - 1];
  expectShape('embeddingBackward', 'dOut', d, [...id.shape, D]);
  return callKernel(currentBackend(), { ids: id, d }, { dt: [vocabSize, D] }, (p, k) =>
    embeddingKernelBackward(k, { n: id.size, width: D, ids: p.ids, dOut: p.d, dTable: p.dt }), ['dt'],
  ).dt;
}

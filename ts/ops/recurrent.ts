import type { Backend } from '../backend/backend.js';
import {
  CELLS, cellBackward, cellCacheFloats, cellForward, cellWsFloats, resolveActivation,
  type ActivationName, type CellDims, type CellKind,
} from '../backend/kernels/index.js';
import { currentBackend } from '../runtime/ready.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { LwError } from '../errors.js';
import { callKernel, scratch } from './call.js';
import { asFloat, asFloatOpt, expectRank, expectShape } from './validate.js';

export type { CellKind } from '../backend/kernels/index.js';

export interface RecurrentOpArgs {
  /** [batch, time, input] */
  x: TensorLike;
  /** [input, G*units] (LSTM G=4 gates i,f,c,o; GRU G=3 gates z,r,h; SimpleRNN G=1) */
  kernel: TensorLike;
  /** [units, G*units] */
  recurrentKernel: TensorLike;
  /** [G*units]; GRU with resetAfter: [2, 3*units] */
  bias?: TensorLike | null;
  /** [h0] or, for LSTM, [h0, c0], each [batch, units] */
  initialState?: TensorLike[];
  /** [batch, time], 1 keep / 0 masked (padding) */
  mask?: TensorLike | null;
  /** [batch, units] recurrent-dropout mask applied to h(t-1) in the recurrent product */
  recurrentMask?: TensorLike | null;
  goBackwards?: boolean;
  /** default tanh */
  activation?: ActivationName;
  /** default sigmoid (LSTM, GRU) */
  recurrentActivation?: ActivationName;
  /** GRU only; default true (Keras 3) */
  resetAfter?: boolean;
  /** LSTM only: peephole weights [3*units], p_i, p_f, p_o (ONNX's P is p_i, p_o, p_f); default none */
  peepholes?: TensorLike | null;
}

/** What a forward keeps for its backward (on the backend that ran it). */
interface Tape {
  backend: Backend;
  cell: CellKind;
  dims: CellDims;
  options: CellOptions;
  x: Tensor;
  kernel: Tensor;
  recurrentKernel: Tensor;
  initialState: (Tensor | null)[];
  mask: Tensor | null;
  recurrentMask: Tensor | null;
  peepholes: Tensor | null;
  hasBias: boolean;
  biasShape: readonly number[];
  outputs: Tensor;
  cache: Tensor;
}

export interface RecurrentForward {
  /** [batch, time, units]: h at every step, in processing order */
  outputs: Tensor;
  /** final states: [hT] or, for LSTM, [hT, cT] */
  states: Tensor[];
  /** @internal kept for the backward */
  readonly tape: Tape;
}

export interface RecurrentGrads {
  dx: Tensor;
  dKernel: Tensor;
  dRecurrentKernel: Tensor;
  dBias: Tensor | null;
  /** LSTM with peepholes: their gradient [3*units]; otherwise null */
  dPeepholes: Tensor | null;
  /** gradients of the initial states, same order as `initialState` */
  dInitialState: Tensor[];
}

/** The kernel options of a call, resolved once for its forward and backward. */
interface CellOptions {
  goBackwards: boolean;
  resetAfter: boolean;
  activation: ActivationName;
  recurrentActivation: ActivationName;
}

function prepare(cell: CellKind, args: RecurrentOpArgs) {
  const op = `${cell}Forward`;
  const x = asFloat('x', args.x);
  expectRank(op, 'x', x, 3);
  const [B, T, I] = x.shape;
  const { gates: G, states: nStates } = CELLS[cell];
  const kernel = asFloat('kernel', args.kernel);
  expectRank(op, 'kernel', kernel, 2);
  const U = kernel.shape[1] / G;
  if (!Number.isInteger(U) || U < 1) {
    throw new LwError('SHAPE_MISMATCH', `${op}: kernel has ${kernel.shape[1]} columns, expected ${G}*units`);
  }
  expectShape(op, 'kernel', kernel, [I, G * U]);
  const recurrentKernel = asFloat('recurrentKernel', args.recurrentKernel);
  expectShape(op, 'recurrentKernel', recurrentKernel, [U, G * U]);
  const resetAfter = cell === 'gru' && (args.resetAfter ?? true);
  const bias = asFloatOpt('bias', args.bias);
  const biasShape = CELLS[cell].biasShape(U, resetAfter);
  if (bias) expectShape(op, 'bias', bias, biasShape);
  const given = args.initialState ?? [];
  if (given.length > nStates) throw new LwError('SHAPE_MISMATCH', `${op}: ${given.length} initial states given, ${cell} has ${nStates}`);
  const initialState = Array.from({ length: nStates }, (_, i) => {
    const s = asFloatOpt(`initialState[${i}]`, given[i]);
    if (s) expectShape(op, `initialState[${i}]`, s, [B, U]);
    return s;
  });
  const mask = asFloatOpt('mask', args.mask);
  if (mask) expectShape(op, 'mask', mask, [B, T]);
  const recurrentMask = asFloatOpt('recurrentMask', args.recurrentMask);
  if (recurrentMask) expectShape(op, 'recurrentMask', recurrentMask, [B, U]);
  const peepholes = asFloatOpt('peepholes', args.peepholes);
  if (peepholes && cell !== 'lstm') throw new LwError('BAD_ARGUMENT', `${op}: peepholes are an LSTM option`);
  if (peepholes) expectShape(op, 'peepholes', peepholes, [3 * U]);
  const options: CellOptions = {
    goBackwards: args.goBackwards ?? false,
    resetAfter,
    activation: resolveActivation(args.activation ?? 'tanh', op, 'recurrent'),
    recurrentActivation: resolveActivation(args.recurrentActivation ?? 'sigmoid', `${op} recurrentActivation`, 'recurrent'),
  };
  return { dims: { B, T, I, U }, x, kernel, recurrentKernel, bias, biasShape, initialState, mask, recurrentMask, peepholes, options };
}

/** Runs a recurrent layer forward over the whole sequence on the current backend. */
export function recurrentForward(cell: CellKind, args: RecurrentOpArgs): RecurrentForward {
  const a = prepare(cell, args);
  const { B, T, U } = a.dims;
  const backend = currentBackend();
  const cacheSize = cellCacheFloats(backend.kernels, cell, a.dims);
  const [h0, c0] = a.initialState;
  const out = callKernel(
    backend,
    { x: a.x, kernel: a.kernel, rk: a.recurrentKernel, bias: a.bias, h0, c0, mask: a.mask, rm: a.recurrentMask, peep: a.peepholes },
    { hs: [B, T, U], hT: [B, U], cT: cell === 'lstm' ? [B, U] : null, cache: [cacheSize] },
    (p, k, s) => cellForward(k, cell, {
      ...a.dims, ...a.options, x: p.x, kernel: p.kernel, recurrentKernel: p.rk, bias: p.bias, h0: p.h0, c0: p.c0,
      mask: p.mask, recurrentMask: p.rm, hs: p.hs, hT: p.hT, cT: p.cT, cache: p.cache, ws: scratch(s, cellWsFloats(k, cell, a.dims)),
      peepholes: p.peep,
    }),
  );
  const tape: Tape = {
    backend, cell, dims: a.dims, options: a.options, x: a.x, kernel: a.kernel,
    recurrentKernel: a.recurrentKernel, initialState: a.initialState, mask: a.mask, recurrentMask: a.recurrentMask,
    peepholes: a.peepholes, hasBias: a.bias !== null, biasShape: a.biasShape, outputs: out.hs, cache: out.cache,
  };
  return { outputs: out.hs, states: cell === 'lstm' ? [out.hT, out.cT] : [out.hT], tape };
}

/**
 * Backward through a forward: `dOutputs` [batch, time, units] and/or `dStates` (gradients of the
 * final states) in, gradients of x, the weights and the initial states out.
 */
export function recurrentBackward(
  fwd: RecurrentForward,
  grads: { dOutputs?: TensorLike | null; dStates?: (TensorLike | null | undefined)[] },
): RecurrentGrads {
  const t = fwd.tape;
  const { B, T, I, U } = t.dims;
  const op = `${t.cell}Backward`;
  if (t.backend !== currentBackend()) {
    throw new LwError('UNSUPPORTED', `${op}: the forward ran on backend "${t.backend.name}", the current one is "${currentBackend().name}"`);
  }
  const dHs = asFloatOpt('dOutputs', grads.dOutputs);
  if (dHs) expectShape(op, 'dOutputs', dHs, [B, T, U]);
  const dStates = (grads.dStates ?? []).map((d, i) => {
    const s = asFloatOpt(`dStates[${i}]`, d);
    if (s) expectShape(op, `dStates[${i}]`, s, [B, U]);
    return s;
  });
  const G = CELLS[t.cell].gates;
  const [h0, c0] = t.initialState;
  const out = callKernel(
    t.backend,
    {
      x: t.x, kernel: t.kernel, rk: t.recurrentKernel, h0, c0, mask: t.mask, rm: t.recurrentMask,
      hs: t.outputs, cache: t.cache, dHs, dHT: dStates[0], dCT: dStates[1], peep: t.peepholes,
    },
    {
      dx: [B, T, I], dKernel: [I, G * U], dRk: [U, G * U], dBias: t.hasBias ? t.biasShape : null,
      dH0: [B, U], dC0: t.cell === 'lstm' ? [B, U] : null, dPeep: t.peepholes ? [3 * U] : null,
    },
    (p, k, s) => cellBackward(k, t.cell, {
      ...t.dims, ...t.options, x: p.x, kernel: p.kernel, recurrentKernel: p.rk, h0: p.h0, c0: p.c0, mask: p.mask, recurrentMask: p.rm,
      hs: p.hs, cache: p.cache, dHs: p.dHs, dHT: p.dHT, dCT: p.dCT, dx: p.dx, dKernel: p.dKernel, dRecurrentKernel: p.dRk,
      dBias: p.dBias, dH0: p.dH0, dC0: p.dC0, ws: scratch(s, cellWsFloats(k, t.cell, t.dims)),
      peepholes: p.peep, dPeepholes: p.dPeep,
    }),
    ['dKernel', 'dRk', 'dBias', 'dPeep'],
  );
  return {
    dx: out.dx,
    dKernel: out.dKernel,
    dRecurrentKernel: out.dRk,
    dBias: t.hasBias ? out.dBias : null,
    dPeepholes: t.peepholes ? out.dPeep : null,
    dInitialState: t.cell === 'lstm' ? [out.dH0, out.dC0] : [out.dH0],
  };
}

export const lstmForward = (args: RecurrentOpArgs) => recurrentForward('lstm', args);
export const gruForward = (args: RecurrentOpArgs) => recurrentForward('gru', args);
export const simpleRNNForward = (args: RecurrentOpArgs) => recurrentForward('simpleRNN', args);
/** Backward of any recurrent forward (the forward result knows its cell). */
export const lstmBackward = recurrentBackward;
export const gruBackward = recurrentBackward;
export const simpleRNNBackward = recurrentBackward;

import { LwError } from '../../errors.js';
import { RecurrentFlags } from '../abi.js';
import { activationCode, type ActivationName } from './activations.js';
import { ptr, type KernelsOf } from './family.js';

/** The recurrent cell kinds: LSTM (gates i, f, c, o), GRU (z, r, h), SimpleRNN. */
export type CellKind = 'lstm' | 'gru' | 'simpleRNN';

/**
 * Prefix of each cell's raw exports (`<prefix>_forward`, `_backward`, `_cache_floats`, `_ws_floats`):
 * the only place outside the ABI (abi.ts, the JS oracle) that names them.
 */
const PREFIX = { lstm: 'lstm', gru: 'gru', simpleRNN: 'simple_rnn' } as const;
const SUFFIXES = ['forward', 'backward', 'cache_floats', 'ws_floats'] as const;
type CellExport = `${(typeof PREFIX)[CellKind]}_${(typeof SUFFIXES)[number]}`;

/** What a cell kind is: G = gates·units columns in its kernels, the states it carries. */
export interface Cell {
  gates: number;
  /** [h, c] for LSTM, [h] otherwise */
  states: number;
  /** Bias shape for `units` (GRU resetAfter: an input row and a recurrent row). */
  biasShape(units: number, resetAfter: boolean): number[];
}

/** The one cell table, used by the layers and lw.ops. */
export const CELLS: Readonly<Record<CellKind, Cell>> = {
  lstm: { gates: 4, states: 2, biasShape: (u) => [4 * u] },
  gru: { gates: 3, states: 1, biasShape: (u, resetAfter) => (resetAfter ? [2, 3 * u] : [3 * u]) },
  simpleRNN: { gates: 1, states: 1, biasShape: (u) => [u] },
};

export const RECURRENT_EXPORTS: readonly CellExport[] = Object.values(PREFIX).flatMap((p) => SUFFIXES.map((s) => `${p}_${s}` as const));
type Raw = KernelsOf<typeof RECURRENT_EXPORTS>;

/** B batch rows, T time steps, I input features, U units. */
export interface CellDims {
  B: number;
  T: number;
  I: number;
  U: number;
}

/** What forward and backward share; G = gates·U. Pointers: 0 or undefined = absent. */
interface CellCall extends CellDims {
  /** Process time reversed; hs is in processing order (Keras). */
  goBackwards?: boolean;
  /** GRU: the reset gate after the recurrent product (bias [2, 3U]). */
  resetAfter?: boolean;
  /** default tanh */
  activation?: ActivationName;
  /** default sigmoid (LSTM, GRU) */
  recurrentActivation?: ActivationName;
  /**
   * [B, T, I]; with `kernel` 0, the projections x·kernel instead: rows [B, T, G] (no `ids`: then
   * scratch, and the cache is not valid for a backward) or a table [V, G] read through `ids`.
   */
  x: number;
  /** [I, G]; 0: x holds projections */
  kernel?: number;
  /** [U, G] */
  recurrentKernel: number;
  /** [B, U] each; absent: zeros (c0: LSTM only) */
  h0?: number;
  c0?: number;
  /** [B, T] by input time: 1 keep, 0 carry the state through */
  mask?: number;
  /** [B, U]: multiplies h(t-1) in the recurrent product (recurrent dropout) */
  recurrentMask?: number;
  /** `cellWsFloats` floats */
  ws: number;
}

export interface CellForwardArgs extends CellCall {
  /** [G] (GRU resetAfter: [2, 3U]) */
  bias?: number;
  /** Writes hs [B, T, U] (every step's h), hT [B, U], cT [B, U] (LSTM; absent: skip), cache. */
  hs: number;
  hT: number;
  cT?: number;
  /** `cellCacheFloats` floats, kept for the backward */
  cache: number;
  /** LSTM: peephole weights [3U], p_i | p_f | p_o (Keras gate order); absent: none */
  peepholes?: number;
  /** [B, T] i32: row of the projection table `x` each (b, t) takes (kernel 0) */
  ids?: number;
}

export interface CellBackwardArgs extends CellCall {
  /** The forward's outputs and cache. */
  hs: number;
  /** LSTM: the forward's peephole weights [3U] (absent: none) */
  peepholes?: number;
  /** Accumulated: the peephole weights' gradient [3U] (with `peepholes`; absent: skip) */
  dPeepholes?: number;
  cache: number;
  /** Gradients in: dHs [B, T, U], dHT, dCT [B, U] (absent: zero). */
  dHs?: number;
  dHT?: number;
  dCT?: number;
  /**
   * Overwritten: dx [B, T, I] (kernel 0: the projections' gradient [B, T, G]), dH0, dC0 [B, U]
   * (absent: skip). Accumulated: dKernel [I, G] (0 with kernel 0), dRecurrentKernel [U, G], dBias.
   */
  dx?: number;
  dKernel?: number;
  dRecurrentKernel?: number;
  dBias?: number;
  dH0?: number;
  dC0?: number;
}


function resolve(cell: CellKind, a: CellCall & { peepholes?: number; dPeepholes?: number }) {
  if (a.resetAfter && cell !== 'gru') throw new LwError('BAD_ARGUMENT', `resetAfter is a GRU option, not ${cell}'s`);
  if ((a.peepholes || a.dPeepholes) && cell !== 'lstm') throw new LwError('BAD_ARGUMENT', `peepholes are an LSTM option, not ${cell}'s`);
  if (a.dPeepholes && !a.peepholes) throw new LwError('BAD_ARGUMENT', 'dPeepholes without peepholes: a cell without peepholes has no peephole gradient');
  return {
    flags: (a.goBackwards ? RecurrentFlags.goBackwards : 0) | (a.resetAfter ? RecurrentFlags.resetAfter : 0),
    act: activationCode(a.activation ?? 'tanh', 'recurrent'),
    recAct: activationCode(a.recurrentActivation ?? 'sigmoid', 'recurrent'),
  };
}

/** A recurrent layer's forward over the whole sequence (one fused kernel). */
export function cellForward(k: Raw, cell: CellKind, a: CellForwardArgs): void {
  const { B, T, I, U } = a;
  const { flags, act, recAct } = resolve(cell, a);
  const [x, kr, rk, b, h0, m, rm] = [a.x, ptr(a.kernel), a.recurrentKernel, ptr(a.bias), ptr(a.h0), ptr(a.mask), ptr(a.recurrentMask)];
  const ids = ptr(a.ids);
  if (cell === 'lstm') k[`${PREFIX.lstm}_forward` as const](B, T, I, U, flags, act, recAct, x, kr, rk, b, h0, ptr(a.c0), m, rm, a.hs, a.hT, ptr(a.cT), a.cache, a.ws, ids, ptr(a.peepholes));
  else if (cell === 'gru') k[`${PREFIX.gru}_forward` as const](B, T, I, U, flags, act, recAct, x, kr, rk, b, h0, m, rm, a.hs, a.hT, a.cache, a.ws, ids);
  else k[`${PREFIX.simpleRNN}_forward` as const](B, T, I, U, flags, act, x, kr, rk, b, h0, m, rm, a.hs, a.hT, a.cache, a.ws, ids);
}

/** Backpropagation through time from the forward's hs and cache. */
export function cellBackward(k: Raw, cell: CellKind, a: CellBackwardArgs): void {
  const { B, T, I, U } = a;
  const { flags, act, recAct } = resolve(cell, a);
  const [x, kr, rk, h0, m, rm] = [a.x, ptr(a.kernel), a.recurrentKernel, ptr(a.h0), ptr(a.mask), ptr(a.recurrentMask)];
  const [dHs, dHT, dx, dk, drk, db, dH0] = [ptr(a.dHs), ptr(a.dHT), ptr(a.dx), ptr(a.dKernel), ptr(a.dRecurrentKernel), ptr(a.dBias), ptr(a.dH0)];
  if (cell === 'lstm') {
    k[`${PREFIX.lstm}_backward` as const](B, T, I, U, flags, act, recAct, x, kr, rk, h0, ptr(a.c0), m, rm, a.hs, a.cache, dHs, dHT, ptr(a.dCT),
      dx, dk, drk, db, dH0, ptr(a.dC0), a.ws, ptr(a.peepholes), ptr(a.dPeepholes));
  } else if (cell === 'gru') {
    k[`${PREFIX.gru}_backward` as const](B, T, I, U, flags, act, recAct, x, kr, rk, h0, m, rm, a.hs, a.cache, dHs, dHT, dx, dk, drk, db, dH0, a.ws);
  } else k[`${PREFIX.simpleRNN}_backward` as const](B, T, I, U, flags, act, x, kr, rk, h0, m, rm, a.hs, a.cache, dHs, dHT, dx, dk, drk, db, dH0, a.ws);
}

/** Floats of the cache a forward keeps for its backward. */
export function cellCacheFloats(k: Raw, cell: CellKind, { B, T, I, U }: CellDims): number {
  return k[`${PREFIX[cell]}_cache_floats` as const](B, T, I, U);
}

/** Floats of the workspace of a forward or backward. */
export function cellWsFloats(k: Raw, cell: CellKind, { B, T, I, U }: CellDims): number {
  return k[`${PREFIX[cell]}_ws_floats` as const](B, T, I, U);
}

import type { Backend, Scope } from '../backend/backend.js';
import type { Random } from '../random.js';
import type { DerivedSpec } from './derived.js';

/**
 * A tensor of the current batch in backend memory: floats at `ptr` with a concrete `shape`
 * ([batch, ...]), and an optional padding mask [batch, time] (floats, 1 keep / 0 masked).
 */
export interface BatchTensor {
  /**
   * Byte pointer of the floats. 0 while an Embedding's rows (`gather`) are not gathered: only a
   * layer with `handlesGatheredInputs` is given such a tensor, and it calls `gatherRows` if it
   * needs the rows; the executor gathers them for every other consumer.
   */
  ptr: number;
  shape: number[];
  mask?: number;
  /** Set when the values are rows of a weight table (an Embedding's output). */
  gather?: GatheredRows;
  /**
   * A model input's batch whose values were checked before the first batch (finite, and by every
   * consuming layer's checkInputValues): layers need not check them again.
   */
  checked?: boolean;
}

/**
 * An Embedding's output as rows of its table: row r is table[ids[r]]. A consumer may multiply the
 * table (or the batch's distinct rows) once instead of every row.
 */
export interface GatheredRows {
  /** ids [batch·time] (i32, byte pointer) */
  ids: number;
  /** table [vocab, width] (byte pointer into the parameter block) */
  table: number;
  vocab: number;
  /**
   * The Embedding's backward for a consumer that used rows of the table directly instead of the
   * gathered tensor: dTable[rowIds[j]] += dRows[j], dRows [count, width]. null: the table is frozen.
   */
  addRowGrads: ((ctx: ExecCtx, rowIds: number, count: number, dRows: number) => void) | null;
}

/** What a layer's forward/backward may use for one batch. Allocations end with the batch. */
export interface ExecCtx {
  backend: Backend;
  scope: Scope;
  training: boolean;
  /** Dropout masks and other per-step randomness (seeded by fit's seed). */
  rng: Random;
  /** Float index of byte pointer p in the backend's float view. */
  fi(p: number): number;
  /** Allocates n floats for this batch (uninitialised). */
  alloc(n: number): number;
  /** Allocates n zeroed floats for this batch. */
  zeros(n: number): number;
  /** Byte pointer of float `offset` of the parameter (or gradient) block. */
  paramPtr(offset: number): number;
  gradPtr(offset: number): number;
  /** A buffer derived from the weights (see DerivedBuffers): byte pointer, 0 while it does not pay off. */
  derived(key: string, spec: DerivedSpec): number;
}

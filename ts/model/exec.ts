import type { Backend, Scope } from '../backend/backend.js';
import type { Random } from '../random.js';
import type { DerivedSpec } from './derived.js';

/**
 * An activation in backend memory for one batch: floats at `ptr` with a concrete `shape`
 * ([batch, ...]), and an optional padding mask [batch, time] (floats, 1 keep / 0 masked).
 */
export interface Act {
  ptr: number;
  shape: number[];
  mask?: number;
  /**
   * Set when the values are rows of a weight table (an Embedding's output): ids [batch*time] (i32
   * byte pointer) into table [rows, width] (byte pointer of the weights), and the table's gradient
   * (0: frozen). Consumers may multiply the table (or the batch's distinct rows) once instead of
   * every gathered row; a consumer that does adds its input gradient to `grad` itself.
   */
  gather?: { ids: number; table: number; rows: number; grad: number };
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
  /** Float index of parameter `offset` in the parameter (or gradient) block. */
  paramPtr(offset: number): number;
  gradPtr(offset: number): number;
  /** A buffer derived from the weights (see DerivedBuffers): byte pointer, 0 while it does not pay off. */
  derived(key: string, spec: DerivedSpec): number;
}

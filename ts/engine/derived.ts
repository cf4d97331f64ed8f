// Buffers derived from the weights for inference (an embedding table times a recurrent kernel), built when
// they pay for themselves and dropped when a weight changes.
import type { Backend } from '../backend/backend.js';
import { LwError } from '../errors.js';

/** What a derived buffer costs and saves: built once for `buildFlops`, each use saves `savedFlops`. */
export interface DerivedSpec {
  floats: number;
  buildFlops: number;
  savedFlops: number;
  /** Fills the new buffer (byte pointer) from the current weights. */
  build(ptr: number): void;
}

/** Largest derived buffer (bytes): more than this is more memory than a user expects predict to take. */
const MAX_DERIVED_BYTES = 64 * 2 ** 20;

/**
 * Buffers computed from a model's weights for inference, such as an embedding table multiplied by
 * the next recurrent layer's kernel. One is built only once the uses since the weights last changed
 * would have saved more work than building it costs, so a lone small predict never pays for it;
 * every buffer is dropped when any weight changes.
 */
export class DerivedBuffers {
  private readonly entries = new Map<string, { ptr: number; credit: number }>();

  constructor(private readonly backend: Backend) {}

  /** Byte pointer of buffer `key`, or 0 while it does not pay off yet (or does not fit). */
  get(key: string, spec: DerivedSpec): number {
    let e = this.entries.get(key);
    if (!e) {
      e = { ptr: 0, credit: 0 };
      this.entries.set(key, e);
    }
    if (e.ptr) return e.ptr;
    if (spec.floats * this.backend.floatBytes > MAX_DERIVED_BYTES) return 0;
    e.credit += spec.savedFlops;
    if (e.credit < spec.buildFlops) return 0;
    try {
      e.ptr = this.backend.allocFloats(spec.floats);
    } catch (err) {
      // No room: the plain path still works, so stay on it until the weights change.
      if (!(err instanceof LwError && err.code === 'OUT_OF_MEMORY')) throw err;
      e.credit = -Infinity;
      return 0;
    }
    spec.build(e.ptr);
    return e.ptr;
  }

  /** Drops every buffer (the weights they came from changed). */
  invalidate(): void {
    for (const e of this.entries.values()) if (e.ptr) this.backend.free(e.ptr);
    this.entries.clear();
  }
}

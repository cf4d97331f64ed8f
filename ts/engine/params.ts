import type { Backend } from '../backend/backend.js';
import { fill } from '../backend/kernels/index.js';
import type { Weight } from './weight.js';
import { DerivedBuffers } from './derived.js';

const ALIGN_FLOATS = 4;

const updated = (w: Weight) => w.trainable && w.layer.trainable;

/**
 * All weights of a model in one contiguous block of backend memory, gradients in a second block
 * of the same layout. Trainable weights come first, so an optimizer updates [0, trainableFloats)
 * in one kernel pass. Weights hold offsets, never views.
 *
 * A weight lives in one store at a time: a model used inside another model shares its weights
 * with it, and the block of whichever model runs holds them (made with them moved in, see
 * `serves`). A store left without weights gives its blocks back.
 */
export class ParamStore {
  readonly params: number;
  readonly grads: number;
  readonly totalFloats: number;
  readonly trainableFloats: number;
  /** Inference buffers computed from the weights; dropped by every change of the weights. */
  readonly derived: DerivedBuffers;
  /** Whether each weight was placed as trainable (the layout the optimizer's slots follow). */
  private readonly placedTrainable: boolean[];
  private disposed = false;

  constructor(readonly backend: Backend, readonly weights: Weight[]) {
    this.placedTrainable = weights.map(updated);
    const ordered = [...weights.filter(updated), ...weights.filter((w) => !updated(w))];
    let offset = 0;
    let trainable = 0;
    ordered.forEach((w) => {
      w.offset = offset;
      offset += Math.ceil(w.size / ALIGN_FLOATS) * ALIGN_FLOATS;
      if (updated(w)) trainable = offset;
    });
    this.totalFloats = Math.max(offset, ALIGN_FLOATS);
    this.trainableFloats = trainable;
    this.params = backend.allocFloats(this.totalFloats);
    try {
      this.grads = backend.allocFloats(this.totalFloats);
    } catch (e) {
      backend.free(this.params); // out of memory for the gradients: give the parameter block back
      throw e;
    }
    this.derived = new DerivedBuffers(backend);
    const f = backend.floats();
    f.fill(0, backend.fi(this.params), backend.fi(this.params) + this.totalFloats);
    f.fill(0, backend.fi(this.grads), backend.fi(this.grads) + this.totalFloats);
    const previous = new Set<ParamStore>();
    for (const w of ordered) {
      // A weight moving from another block of this backend keeps every bit (the JS oracle's are float64).
      const from = w.store instanceof ParamStore && w.store.backend === backend ? w.store : null;
      const values = w.pending ?? (from ? backend.readFloats(from.paramPtr(w), w.size, true) : w.read());
      if (w.store instanceof ParamStore) previous.add(w.store);
      w.store = this;
      this.write(w, values);
      w.pending = null;
    }
    for (const p of previous) if (!p.weights.some((w) => w.store === p)) p.dispose();
  }

  /** `weights` are this store's, in its order, with the trainable flags they were placed with (the optimizer's slots fit). */
  sameLayout(weights: readonly Weight[]): boolean {
    return weights.length === this.weights.length && weights.every((w, i) => w === this.weights[i] && updated(w) === this.placedTrainable[i]);
  }

  /** The store can run a model with `weights`: same layout, and every one still lives here (none moved to another model's store). */
  serves(weights: readonly Weight[]): boolean {
    return !this.disposed && this.sameLayout(weights) && weights.every((w) => w.store === this);
  }

  /** Byte pointer of a weight's values. */
  paramPtr(w: Weight): number {
    return this.params + w.offset * this.backend.floatBytes;
  }

  /** Byte pointer of a weight's gradient. */
  gradPtr(w: Weight): number {
    return this.grads + w.offset * this.backend.floatBytes;
  }

  read(w: Weight): Float32Array {
    return this.backend.readFloats(this.paramPtr(w), w.size) as Float32Array;
  }

  write(w: Weight, values: ArrayLike<number>): void {
    this.backend.writeFloats(this.paramPtr(w), values);
    this.changed();
  }

  /** Every writer of the parameter block calls this (optimizer steps included). */
  changed(): void {
    this.derived.invalidate();
  }

  /** A copy of every parameter (for restoring best weights, determinism checks). */
  snapshot(): Float32Array {
    return this.backend.readFloats(this.params, this.totalFloats) as Float32Array;
  }

  restore(values: Float32Array): void {
    this.backend.writeFloats(this.params, values);
    this.changed();
  }

  /** A kernel rather than TypedArray.fill: on a shared (threads) memory the JS fill is 3x slower. */
  zeroGrads(): void {
    fill(this.backend.kernels, { n: this.totalFloats, value: 0, x: this.grads });
  }

  /** Gives the blocks back; the weights keep their last values in JS. */
  dispose(): void {
    if (this.disposed) return;
    for (const w of this.weights) {
      if (w.store === this) {
        w.pending = this.read(w);
        w.store = null;
        w.offset = -1;
      }
    }
    this.derived.invalidate();
    this.backend.free(this.params);
    this.backend.free(this.grads);
    this.disposed = true;
  }
}

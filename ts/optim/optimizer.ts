import { clipInPlace, fill, scaleInPlace, sumSquares } from '../backend/kernels/index.js';
import type { Backend } from '../backend/backend.js';
import { LwError } from '../errors.js';
import type { ParamStore } from '../engine/params.js';

export interface OptimizerArgs {
  learningRate?: number;
  /** Clip each weight's gradient to this L2 norm (Keras `clipnorm`). */
  clipNorm?: number;
  /** Clip every gradient element to [-clipValue, clipValue]. */
  clipValue?: number;
  /** Clip all gradients together to this global L2 norm (Keras `global_clipnorm`). */
  globalClipNorm?: number;
}

/**
 * Base optimizer: clipping, the step counter and state slots (each a block of the size of the
 * model's trainable region, in the same backend memory). Subclasses run one update kernel over
 * the whole trainable block.
 */
export abstract class Optimizer {
  abstract readonly className: string;
  learningRate: number;
  readonly clipNorm?: number;
  readonly clipValue?: number;
  readonly globalClipNorm?: number;
  /** Steps taken. */
  iterations = 0;
  private slots: number[] = [];
  private slotBackend: Backend | null = null;
  private slotFloats = 0;

  constructor(args: OptimizerArgs, defaultLr: number) {
    if (args === null || typeof args !== 'object') {
      throw new LwError('BAD_ARGUMENT', `an optimizer takes an object of options such as { learningRate: 0.01 }, got ${String(args)}`);
    }
    this.learningRate = args.learningRate ?? defaultLr;
    for (const [k, v] of Object.entries(args)) {
      if (typeof v === 'boolean' || v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new LwError('BAD_ARGUMENT', `optimizer ${k} must be a finite number >= 0, got ${String(v)}`);
      }
    }
    this.clipNorm = args.clipNorm;
    this.clipValue = args.clipValue;
    this.globalClipNorm = args.globalClipNorm;
  }

  /** Number of state slots (Adam: m and v). */
  protected abstract readonly slotCount: number;

  /** One update over n floats of params p with grads g and slot pointers. */
  protected abstract update(backend: Backend, n: number, p: number, g: number, slots: number[]): void;

  abstract getConfig(): Record<string, unknown>;

  /** Clips the gradients, then updates every trainable parameter. */
  apply(store: ParamStore): void {
    const b = store.backend;
    const n = store.trainableFloats;
    if (n === 0) return;
    this.ensureSlots(b, n);
    this.clip(store);
    this.iterations++;
    this.update(b, n, store.params, store.grads, this.slots);
    store.changed();
  }

  private clip(store: ParamStore): void {
    const k = store.backend.kernels;
    const n = store.trainableFloats;
    if (this.clipValue !== undefined) clipInPlace(k, { n, lo: -this.clipValue, hi: this.clipValue, x: store.grads });
    if (this.clipNorm !== undefined) {
      for (const w of store.weights) {
        if (!w.trainable || !w.layer.trainable) continue;
        const g = store.gradPtr(w);
        const norm = Math.sqrt(sumSquares(k, { n: w.size, x: g }));
        if (norm > this.clipNorm) scaleInPlace(k, { n: w.size, scale: this.clipNorm / norm, x: g });
      }
    }
    if (this.globalClipNorm !== undefined) {
      const norm = Math.sqrt(sumSquares(k, { n, x: store.grads }));
      if (norm > this.globalClipNorm) scaleInPlace(k, { n, scale: this.globalClipNorm / norm, x: store.grads });
    }
  }

  private ensureSlots(b: Backend, n: number): void {
    if (this.slotBackend === b && this.slotFloats === n) return;
    this.dispose();
    // Allocate every slot before taking any: out of memory half-way leaves no slot behind.
    const slots: number[] = [];
    try {
      for (let i = 0; i < this.slotCount; i++) {
        const p = b.allocFloats(n);
        slots.push(p);
        fill(b.kernels, { n, value: 0, x: p });
      }
    } catch (e) {
      for (const p of slots) b.free(p);
      throw e;
    }
    this.slotBackend = b;
    this.slotFloats = n;
    this.slots = slots;
  }

  /** State for saving: the step count and a copy of each slot. */
  getState(): { iterations: number; slots: Float32Array[] } {
    const b = this.slotBackend;
    return { iterations: this.iterations, slots: b ? this.slots.map((p) => b.readFloats(p, this.slotFloats) as Float32Array) : [] };
  }

  /** Restores saved state for a store of the same layout. */
  setState(store: ParamStore, state: { iterations: number; slots: Float32Array[] }): void {
    if (state.slots.length !== this.slotCount) {
      throw new LwError('BAD_MODEL_FILE', `${this.className} has ${this.slotCount} state slots, the file has ${state.slots.length}`);
    }
    this.ensureSlots(store.backend, store.trainableFloats);
    state.slots.forEach((s, i) => {
      if (s.length !== this.slotFloats) throw new LwError('BAD_MODEL_FILE', `optimizer slot ${i} has ${s.length} values, the model needs ${this.slotFloats}`);
      store.backend.writeFloats(this.slots[i], s);
    });
    this.iterations = state.iterations;
  }

  dispose(): void {
    if (this.slotBackend) for (const p of this.slots) this.slotBackend.free(p);
    this.slots = [];
    this.slotBackend = null;
    this.slotFloats = 0;
  }
}

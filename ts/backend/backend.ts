import type { Kernels } from './abi.js';
import { Heap, type GrowableMemory } from './heap.js';

export type BackendName = 'simd' | 'scalar' | 'js';

/** The largest memory a backend may have: a 32-bit wasm memory of 65535 pages (the JS oracle keeps to it too). */
export const MAX_MEMORY_BYTES = 65535 * 65536;
export type FloatArray = Float32Array | Float64Array;

/** The memory under a backend: a wasm memory or, for the JS oracle, a growable ArrayBuffer. */
export interface BackendMemory extends GrowableMemory {
  /** The current buffer; it changes (and old views detach) when the memory grows. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

/**
 * A backend: one memory, a heap over it, the kernels, and the only place views are made.
 * Views are renewed whenever the memory's buffer changed (after a grow), so callers must ask
 * for `floats()` / `ints()` after any allocation instead of keeping a view.
 */
export class Backend {
  readonly heap: Heap;
  private viewBuffer: ArrayBuffer | SharedArrayBuffer | null = null;
  private f!: FloatArray;
  private i!: Int32Array;
  private u8!: Uint8Array;

  constructor(
    readonly name: BackendName,
    /** Bytes per float element: 4 for wasm (f32), 8 for the JS oracle (float64). */
    readonly floatBytes: 4 | 8,
    readonly kernels: Kernels,
    readonly memory: BackendMemory,
    heapBase: number,
    /** True when the memory is a SharedArrayBuffer (the threads flavour). */
    readonly shared = false,
  ) {
    this.heap = new Heap(memory, heapBase);
  }

  private renew(): void {
    const buf = this.memory.buffer;
    if (buf === this.viewBuffer) return;
    this.viewBuffer = buf;
    this.f = this.floatBytes === 4 ? new Float32Array(buf) : new Float64Array(buf);
    this.i = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
  }

  /** A float view over the whole memory (index = byte pointer / floatBytes). */
  floats(): FloatArray {
    this.renew();
    return this.f;
  }

  /** An i32 view over the whole memory (index = byte pointer / 4). */
  ints(): Int32Array {
    this.renew();
    return this.i;
  }

  bytes(): Uint8Array {
    this.renew();
    return this.u8;
  }

  alloc(bytes: number): number {
    return this.heap.alloc(bytes);
  }

  allocFloats(n: number): number {
    return this.heap.alloc(n * this.floatBytes);
  }

  allocInts(n: number): number {
    return this.heap.alloc(n * 4);
  }

  free(ptr: number): void {
    if (ptr) this.heap.release(ptr);
  }

  /** Float index of a byte pointer. */
  fi(ptr: number): number {
    return ptr / this.floatBytes;
  }

  /** Copies `data` into floats at `ptr`. */
  writeFloats(ptr: number, data: ArrayLike<number>): void {
    this.floats().set(data, ptr / this.floatBytes);
  }

  /** Copies `n` floats at `ptr` out into a new Float32Array (or Float64Array for the JS oracle if asked). */
  readFloats(ptr: number, n: number, as64 = false): FloatArray {
    const idx = ptr / this.floatBytes;
    const src = this.floats().subarray(idx, idx + n);
    return as64 ? Float64Array.from(src) : Float32Array.from(src);
  }

  writeInts(ptr: number, data: ArrayLike<number>): void {
    this.ints().set(data, ptr / 4);
  }

  /** Allocates, runs `fn`, and frees everything allocated through the scope, even on error. */
  scoped<T>(fn: (s: Scope) => T): T {
    const scope = new Scope(this);
    try {
      return fn(scope);
    } finally {
      scope.release();
    }
  }
}

/** Allocations that end together (a call's scratch). */
export class Scope {
  private ptrs: number[] = [];
  constructor(readonly backend: Backend) {}

  floats(n: number, data?: ArrayLike<number>): number {
    const p = this.backend.allocFloats(Math.max(n, 1));
    this.ptrs.push(p);
    if (data) this.backend.writeFloats(p, data);
    return p;
  }

  /** Zero-filled floats. */
  zeros(n: number): number {
    const p = this.floats(n);
    const idx = p / this.backend.floatBytes;
    this.backend.floats().fill(0, idx, idx + n);
    return p;
  }

  ints(n: number, data?: ArrayLike<number>): number {
    const p = this.backend.allocInts(Math.max(n, 1));
    this.ptrs.push(p);
    if (data) this.backend.writeInts(p, data);
    return p;
  }

  release(): void {
    for (const p of this.ptrs) this.backend.free(p);
    this.ptrs = [];
  }
}

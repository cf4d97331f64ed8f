import type { BackendMemory } from '../backend.js';

/**
 * The JS oracle's memory: an ArrayBuffer that grows by copying into a larger one, so old views go
 * stale exactly as a wasm memory's do after `memory.grow`.
 */
export class JsMemory implements BackendMemory {
  private buf: ArrayBuffer;
  F: Float64Array;
  I: Int32Array;

  constructor(initialBytes: number, private readonly maxBytes = 2 ** 31) {
    this.buf = new ArrayBuffer(initialBytes);
    this.F = new Float64Array(this.buf);
    this.I = new Int32Array(this.buf);
  }

  get buffer(): ArrayBuffer {
    return this.buf;
  }

  get byteLength(): number {
    return this.buf.byteLength;
  }

  grow(bytes: number): boolean {
    const next = Math.ceil(Math.max(this.buf.byteLength * 1.5, this.buf.byteLength + bytes) / 65536) * 65536;
    if (next > this.maxBytes) return false;
    const nb = new ArrayBuffer(next);
    new Uint8Array(nb).set(new Uint8Array(this.buf));
    this.buf = nb;
    this.F = new Float64Array(nb);
    this.I = new Int32Array(nb);
    return true;
  }
}

/** Float index of a byte pointer in the JS oracle (8-byte floats). */
export const fx = (p: number): number => p / 8;
/** Int32 index of a byte pointer. */
export const ix = (p: number): number => p / 4;

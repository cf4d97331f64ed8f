import { LwError } from '../errors.js';

/** Every allocation is aligned to 16 bytes (one v128; also 8-byte aligned for float64). */
const ALIGN = 16;

/** Memory a heap allocates from: it can grow, and growing may replace `buffer`. */
export interface GrowableMemory {
  readonly byteLength: number;
  /** Grows by at least `bytes`; false when the limit is reached. */
  grow(bytes: number): boolean;
}

interface Block {
  ptr: number;
  size: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * First-fit allocator over [base, memory end) with coalescing free list. Grows the memory when
 * nothing fits; when the memory cannot grow it throws OUT_OF_MEMORY with the bytes asked and
 * stays usable (nothing was changed).
 */
export class Heap {
  private free: Block[] = [];
  private sizes = new Map<number, number>();
  private top: number;
  private used = 0;

  constructor(private readonly memory: GrowableMemory, base: number) {
    this.top = alignUp(Math.max(base, ALIGN), ALIGN);
  }

  alloc(bytes: number): number {
    if (!Number.isFinite(bytes) || bytes < 0) {
      throw new LwError('BAD_ARGUMENT', `cannot allocate ${bytes} bytes`);
    }
    const size = alignUp(Math.max(bytes, 1), ALIGN);
    const ptr = this.takeFree(size) ?? this.takeTop(size, bytes);
    this.sizes.set(ptr, size);
    this.used += size;
    return ptr;
  }

  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    this.used -= size;
    if (ptr + size === this.top) {
      this.top = ptr;
      this.absorbTop();
      return;
    }
    this.insertFree({ ptr, size });
  }

  /** Bytes handed out and not yet released. */
  get usedBytes(): number {
    return this.used;
  }

  /** One past the highest byte ever handed out (the heap's high-water mark). */
  get topBytes(): number {
    return this.top;
  }

  private takeFree(size: number): number | undefined {
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size < size) continue;
      const ptr = b.ptr;
      if (b.size === size) this.free.splice(i, 1);
      else {
        b.ptr += size;
        b.size -= size;
      }
      return ptr;
    }
    return undefined;
  }

  private takeTop(size: number, asked: number): number {
    const need = this.top + size - this.memory.byteLength;
    if (need > 0 && !this.memory.grow(need)) {
      throw new LwError(
        'OUT_OF_MEMORY',
        `out of memory: asked for ${asked} bytes with ${this.used} in use and ${this.memory.byteLength} reserved; ` +
          `use a smaller batch size, shorter sequences or a smaller model`,
        { bytesAsked: asked, bytesInUse: this.used, bytesReserved: this.memory.byteLength },
      );
    }
    const ptr = this.top;
    this.top += size;
    return ptr;
  }

  private insertFree(block: Block): void {
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < block.ptr) i++;
    this.free.splice(i, 0, block);
    const next = this.free[i + 1];
    if (next && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.size === block.ptr) {
      prev.size += block.size;
      this.free.splice(i, 1);
    }
  }

  /** A free block that ends at the top is given back to the top. */
  private absorbTop(): void {
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }
}

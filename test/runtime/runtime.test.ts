import { describe, it, expect, vi } from 'vitest';
import { Heap } from '../../ts/backend/heap.js';
import { createBackend, ready, getBackend, bestBackendName } from '../../ts/runtime/ready.js';
import { createWasmBackend } from '../../ts/backend/wasm/backend.js';
import { hasSimd, hasSharedMemory } from '../../ts/runtime/features.js';
import { LwError } from '../../ts/errors.js';
import { gemm, gemmWsFloats, KERNEL_EXPORTS } from '../../ts/backend/kernels/index.js';
import { randArray, run, expectClose, ws } from '../helpers/kernels.js';
import { readFileSync } from 'node:fs';

/** A fake memory that grows in 64 KiB steps up to a limit. */
function fakeMemory(limit: number) {
  return {
    byteLength: 65536,
    grow(bytes: number) {
      const next = this.byteLength + Math.ceil(bytes / 65536) * 65536;
      if (next > limit) return false;
      this.byteLength = next;
      return true;
    },
  };
}

describe('Heap', () => {
  it('aligns to 16 bytes, reuses freed blocks and coalesces neighbours', () => {
    const heap = new Heap(fakeMemory(1 << 20), 100);
    const a = heap.alloc(10);
    const b = heap.alloc(40);
    const c = heap.alloc(24);
    for (const p of [a, b, c]) expect(p % 16).toBe(0);
    expect(a).toBeGreaterThanOrEqual(100);
    expect(b).toBe(a + 16);
    heap.release(a);
    heap.release(b);
    // a and b coalesced: a 64-byte request fits in their 16 + 48 bytes
    expect(heap.alloc(64)).toBe(a);
    expect(heap.usedBytes).toBe(64 + 32);
  });

  it('gives a freed top block back to the top, so alloc/free cycles do not creep upward', () => {
    const heap = new Heap(fakeMemory(1 << 20), 64);
    const base = heap.alloc(1000);
    for (let i = 0; i < 100; i++) heap.release(heap.alloc(5000 + i));
    const top = heap.topBytes;
    for (let i = 0; i < 100; i++) heap.release(heap.alloc(5000 + i));
    expect(heap.topBytes).toBe(top);
    heap.release(base);
    expect(heap.usedBytes).toBe(0);
  });

  it('grows the memory when nothing fits, and reports OUT_OF_MEMORY with the bytes asked', () => {
    const mem = fakeMemory(1 << 20);
    const heap = new Heap(mem, 64);
    heap.alloc(200_000);
    expect(mem.byteLength).toBeGreaterThan(200_000);
    let err: unknown;
    try {
      heap.alloc(5_000_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LwError);
    expect((err as LwError).code).toBe('OUT_OF_MEMORY');
    expect((err as LwError).details.bytesAsked).toBe(5_000_000);
    // still usable
    expect(heap.alloc(1000) % 16).toBe(0);
  });
});

describe('wasm backends', () => {
  it('every flavour exports every kernel of the ABI', () => {
    for (const f of ['simd', 'scalar', 'simd-threads']) {
      const m = new WebAssembly.Module(readFileSync(new URL(`../../wasm/kernels-${f}.wasm`, import.meta.url)));
      const names = new Set(WebAssembly.Module.exports(m).map((e) => e.name));
      expect(KERNEL_EXPORTS.filter((n) => !names.has(n)), `${f} is missing`).toEqual([]);
    }
  });

  it('a module missing a kernel the bindings call does not load (WASM_LOAD naming it)', async () => {
    const instantiate = WebAssembly.instantiate;
    const spy = vi.spyOn(WebAssembly, 'instantiate').mockImplementation((async (...args: Parameters<typeof instantiate>) => {
      const { gemm: _gemm, ...exports } = (await instantiate(...args) as unknown as WebAssembly.Instance).exports;
      return { exports };
    }) as typeof instantiate);
    try {
      await expect(createWasmBackend('simd')).rejects.toMatchObject({ code: 'WASM_LOAD', details: { missing: ['gemm'] } });
    } finally {
      spy.mockRestore();
    }
  });

  it('renews views after memory.grow: old views detach, data survives', async () => {
    const b = await createBackend('simd');
    const p = b.allocFloats(4);
    b.writeFloats(p, [1, 2, 3, 4]);
    const before = b.floats();
    const oldBytes = b.memory.byteLength;
    const big = b.allocFloats(16 << 20); // 64 MiB forces a grow
    expect(b.memory.byteLength).toBeGreaterThan(oldBytes);
    expect(before.length).toBe(0); // detached
    expect(Array.from(b.readFloats(p, 4))).toEqual([1, 2, 3, 4]);
    b.free(big);
    b.free(p);
  });

  it('OUT_OF_MEMORY names the bytes asked, and the backend keeps working', async () => {
    for (const name of ['simd', 'js'] as const) {
      const b = await createBackend(name);
      expect(() => b.alloc(2 ** 33)).toThrow(/OUT_OF_MEMORY.*8589934592 bytes/);
      const got = run(b, { a: { f: [1, 2, 3, 4] }, b: { f: [5, 6, 7, 8] }, c: { zeros: 4 }, ws: ws(gemmWsFloats(b.kernels, { M: 2, N: 2, K: 2 })) }, (p, k) =>
        gemm(k, { M: 2, N: 2, K: 2, a: p.a, b: p.b, c: p.c, ws: p.ws })).c;
      expect(Array.from(got)).toEqual([19, 22, 43, 50]);
    }
  });

  it('the simd-threads flavour loads on a shared memory and computes the same GEMM', async () => {
    expect(hasSharedMemory()).toBe(true);
    const t = await createWasmBackend('simd-threads');
    const js = await createBackend('js');
    expect(t.shared).toBe(true);
    expect(t.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const [M, N, K] = [19, 37, 23];
    const inputs = (b: typeof t) => ({ a: { f: randArray(M * K, 7) }, b: { f: randArray(K * N, 8) }, c: { zeros: M * N }, ws: ws(gemmWsFloats(b.kernels, { M, N, K })) });
    const product = (b: typeof t) => run(b, inputs(b), (p, k) => gemm(k, { M, N, K, a: p.a, b: p.b, c: p.c, ws: p.ws })).c;
    expectClose(product(t), product(js), 1e-5, 1e-5, 'threads-flavour gemm');
  });

  it('reports which flavour it is', async () => {
    const m = await createBackend('scalar');
    const s = await createBackend('simd');
    expect(m.name).toBe('scalar');
    expect(s.name).toBe('simd');
  });
});

describe('ready / getBackend', () => {
  it('picks simd where SIMD is supported and can switch backends', async () => {
    expect(hasSimd()).toBe(true);
    expect(bestBackendName()).toBe('simd');
    expect(await ready()).toBe('simd');
    expect(getBackend()).toBe('simd');
    expect(await ready({ backend: 'js' })).toBe('js');
    expect(getBackend()).toBe('js');
    expect(await ready({ backend: 'scalar' })).toBe('scalar');
    await ready({ backend: 'simd' });
  });

  it('rejects an unknown backend and unloadable bytes with typed errors', async () => {
    await expect(ready({ backend: 'gpu' as never })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(createBackend('scalar', { wasm: { scalar: new Uint8Array([0, 97, 115, 109, 9]) } })).rejects.toMatchObject({ code: 'WASM_LOAD' });
  });

  it('loads from bytes and from a file URL passed by the user', async () => {
    const url = new URL('../../wasm/kernels-scalar.wasm', import.meta.url);
    const fromUrl = await createBackend('scalar', { wasm: { scalar: url } });
    const fromBytes = await createBackend('scalar', { wasm: { scalar: readFileSync(url) } });
    for (const b of [fromUrl, fromBytes]) {
      const c = run(b, { a: { f: [2] }, b: { f: [3] }, c: { zeros: 1 }, ws: ws(8) }, (p, k) => gemm(k, { M: 1, N: 1, K: 1, a: p.a, b: p.b, c: p.c, ws: p.ws })).c;
      expect(c[0]).toBe(6);
    }
  });
});

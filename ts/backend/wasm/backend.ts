import { KERNELS_ABI_VERSION, type Kernels } from '../abi.js';
import { KERNEL_EXPORTS } from '../kernels/index.js';
import { Backend, type BackendMemory, type BackendName } from '../backend.js';
import { LwError } from '../../errors.js';
import { compileKernels, type WasmFlavour, type WasmSource } from './load-wasm.js';
import { INITIAL_PAGES, MAX_PAGES, MAX_PAGES_SHARED, PAGE_BYTES } from './memory-layout.js';
import { NO_POOL_HOOKS, ThreadPool, registerPool, type ThreadExports, type ThreadHooks } from './threads.js';

interface KernelExports {
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
  kernels_abi_version(): number;
  kernels_simd(): number;
}

/** A wasm memory seen through the `BackendMemory` interface. */
class WasmMemory implements BackendMemory {
  constructor(readonly memory: WebAssembly.Memory, private readonly maxPages: number) {}
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.memory.buffer;
  }
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
  grow(bytes: number): boolean {
    const pages = this.byteLength / PAGE_BYTES;
    // Grow by at least a quarter so that a growing batch does not grow page by page.
    const delta = Math.max(Math.ceil(bytes / PAGE_BYTES), Math.ceil(pages / 4));
    const target = Math.min(pages + delta, this.maxPages);
    if (target * PAGE_BYTES - this.byteLength < bytes) return false;
    try {
      this.memory.grow(target - pages);
      return true;
    } catch {
      return false;
    }
  }
}

export interface WasmBackendOptions {
  /** simd-threads flavour only: threads for the kernels, the calling one included (default 1). */
  threads?: number;
}

/**
 * Instantiates a kernels module into a fresh memory and wraps it as a Backend. The simd-threads
 * flavour with `threads > 1` also starts its worker pool; when the workers cannot start, the
 * backend runs on one thread and says why (console.warn).
 */
export async function createWasmBackend(flavour: WasmFlavour, source?: WasmSource, opts: WasmBackendOptions = {}): Promise<Backend> {
  const module = await compileKernels(flavour, source);
  const shared = flavour === 'simd-threads';
  const maxPages = shared ? MAX_PAGES_SHARED : MAX_PAGES;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maxPages, shared } as WebAssembly.MemoryDescriptor);
  // The threads flavour imports the pool's wake/join; they stay no-ops until a pool starts.
  let hooks: ThreadHooks = NO_POOL_HOOKS;
  const env: Record<string, unknown> = { memory };
  if (shared) {
    env.lw_wake = () => hooks.wake();
    env.lw_join = (parts: number) => hooks.join(parts);
  }
  const instance = await WebAssembly.instantiate(module, { env } as WebAssembly.Imports);
  const exports = instance.exports as unknown as KernelExports & Record<string, unknown>;
  const version = exports.kernels_abi_version();
  if (version !== KERNELS_ABI_VERSION) {
    throw new LwError('WASM_LOAD', `the ${flavour} kernels have ABI version ${version}, this runtime needs ${KERNELS_ABI_VERSION}: rebuild with \`npm run build:wasm\``);
  }
  const missing = KERNEL_EXPORTS.filter((n) => typeof exports[n] !== 'function');
  if (missing.length) {
    throw new LwError('WASM_LOAD', `the ${flavour} kernels lack ${missing.join(', ')}: rebuild with \`npm run build:wasm\``, { missing });
  }
  const kernels = Object.fromEntries(KERNEL_EXPORTS.map((n) => [n, exports[n]])) as unknown as Kernels;
  const name: BackendName = flavour === 'simd-threads' ? 'simd' : flavour;
  const heapBase = Number(exports.__heap_base.value);
  const backend = new Backend(name, 4, kernels, new WasmMemory(memory, maxPages), heapBase, shared);
  const threads = opts.threads ?? 1;
  if (shared && threads > 1) {
    const stacks: number[] = [];
    try {
      const pool = await ThreadPool.start(threads, module, memory, exports as unknown as ThreadExports, (bytes) => {
        const p = backend.alloc(bytes);
        stacks.push(p);
        return p;
      });
      hooks = pool.hooks();
      guardKernels(kernels, pool);
      registerPool(backend, pool);
    } catch (e) {
      for (const p of stacks) backend.free(p);
      if (e instanceof LwError) throw e;
      console.warn(`lstm-wasm: could not start ${threads - 1} worker threads (${(e as Error).message}); running on one thread`);
    }
  }
  return backend;
}

/**
 * Every kernel of a pooled backend checks the pool after the call (and before, once broken): a
 * worker that died during or before it turns into an LwError, never a wrong result or a hang.
 */
function guardKernels(kernels: Kernels, pool: ThreadPool): void {
  const table = kernels as unknown as Record<string, (...args: number[]) => number | void>;
  for (const n of KERNEL_EXPORTS) {
    const f = table[n];
    table[n] = (...args: number[]) => {
      if (pool.failed) throw pool.error();
      const r = f(...args);
      if (pool.failed) throw pool.error();
      return r;
    };
  }
}

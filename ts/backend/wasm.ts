import { KERNEL_NAMES, KERNELS_ABI_VERSION, type Kernels } from './abi.js';
import { Backend, type BackendMemory } from './backend.js';
import { LwError } from '../errors.js';
import { compileKernels, type WasmFlavour, type WasmSource } from '../runtime/load-wasm.js';
import { INITIAL_PAGES, MAX_PAGES, MAX_PAGES_SHARED, PAGE_BYTES } from '../runtime/memory-layout.js';

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

/** Instantiates a kernels module into a fresh memory and wraps it as a Backend. */
export async function createWasmBackend(flavour: WasmFlavour, source?: WasmSource): Promise<Backend> {
  const module = await compileKernels(flavour, source);
  const shared = flavour === 'simd-threads';
  const maxPages = shared ? MAX_PAGES_SHARED : MAX_PAGES;
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maxPages, shared } as WebAssembly.MemoryDescriptor);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports & Record<string, unknown>;
  const version = exports.kernels_abi_version();
  if (version !== KERNELS_ABI_VERSION) {
    throw new LwError('WASM_LOAD', `the ${flavour} kernels have ABI version ${version}, this runtime needs ${KERNELS_ABI_VERSION}: rebuild with \`npm run build:wasm\``);
  }
  // TODO(kernel core): make a missing kernel a load error once every family is in.
  const missingKernel = (n: string) => () => {
    throw new LwError('WASM_LOAD', `the ${flavour} kernels lack ${n}: rebuild with \`npm run build:wasm\``);
  };
  const kernels = Object.fromEntries(
    KERNEL_NAMES.map((n) => [n, typeof exports[n] === 'function' ? exports[n] : missingKernel(n)]),
  ) as unknown as Kernels;
  const name = flavour === 'scalar' ? 'wasm' : 'wasm-simd';
  const heapBase = Number(exports.__heap_base.value);
  return new Backend(name, 4, kernels, new WasmMemory(memory, maxPages), heapBase, shared);
}

import { Backend, type BackendName } from '../backend/backend.js';
import { createJsBackend } from '../backend/js/index.js';
import { createWasmBackend } from '../backend/wasm.js';
import { LwError } from '../errors.js';
import { hasSimd, hasWebAssembly } from './features.js';
import type { WasmSource } from './load-wasm.js';

export interface ReadyOptions {
  /** Force a backend; by default the best supported one: wasm-simd, then wasm, then js. */
  backend?: BackendName;
  /** Where to load the kernels from when the default URL beside the package does not fit (bundlers, CDNs). */
  wasm?: { simd?: WasmSource; scalar?: WasmSource; simdThreads?: WasmSource };
}

let current: Backend | undefined;
let pending: Promise<Backend> | undefined;

/** The best backend this engine supports. */
export function bestBackendName(): BackendName {
  if (!hasWebAssembly()) return 'js';
  return hasSimd() ? 'wasm-simd' : 'wasm';
}

/** Makes a new, independent backend instance (its own memory). */
export async function createBackend(name: BackendName, opts: ReadyOptions = {}): Promise<Backend> {
  switch (name) {
    case 'js':
      return createJsBackend();
    case 'wasm':
      return createWasmBackend('scalar', opts.wasm?.scalar);
    case 'wasm-simd':
      if (!hasSimd()) throw new LwError('UNSUPPORTED', 'this engine has no WebAssembly SIMD: use backend "wasm"');
      return createWasmBackend('simd', opts.wasm?.simd);
    default:
      throw new LwError('BAD_ARGUMENT', `unknown backend "${String(name)}": use "wasm-simd", "wasm" or "js"`);
  }
}

/**
 * Loads the kernels and selects the backend every later call uses. Safe to call often: a call
 * without options after the first returns the same backend.
 */
export async function ready(opts: ReadyOptions = {}): Promise<BackendName> {
  const name = opts.backend ?? current?.name ?? bestBackendName();
  if (current && current.name === name && !opts.wasm) return name;
  if (!pending || opts.backend || opts.wasm) {
    pending = createBackend(name, opts);
  }
  try {
    current = await pending;
  } finally {
    pending = undefined;
  }
  return current.name;
}

/** The name of the backend in use (`ready()` must have completed). */
export function getBackend(): BackendName {
  return currentBackend().name;
}

/** The backend in use; throws NOT_READY before `ready()`. */
export function currentBackend(): Backend {
  if (!current) throw new LwError('NOT_READY', 'no backend yet: call `await lw.ready()` first');
  return current;
}

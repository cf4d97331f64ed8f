import { Backend, type BackendName } from '../backend/backend.js';
import { createJsBackend } from '../backend/js/index.js';
import { createWasmBackend } from '../backend/wasm/backend.js';
import { LwError } from '../errors.js';
import { hasSharedMemory, hasSimd, hasWebAssembly } from './features.js';
import type { WasmSource } from '../backend/wasm/load-wasm.js';
import { MAX_THREADS } from '../backend/wasm/threads-protocol.js';
import { availableThreads, poolOf, threadsOf } from '../backend/wasm/threads.js';

export interface ReadyOptions {
  /** Force a backend; by default the best supported one: simd, then scalar, then js. */
  backend?: BackendName;
  /** Where to load the kernels from when the default URL beside the package does not fit (bundlers, CDNs). */
  wasm?: { simd?: WasmSource; scalar?: WasmSource; simdThreads?: WasmSource };
  /**
   * Threads for the kernels, the calling one included: a count, or 'auto' for the cores available
   * (os.availableParallelism, navigator.hardwareConcurrency). Default 1. More than one needs the
   * simd backend and SharedArrayBuffer (Node, Deno, cross-origin-isolated pages); without
   * them the backend runs on one thread and says so once, it does not fail.
   */
  threads?: 'auto' | number;
}

/** Messages already shown (each fallback is explained once per process). */
const told = new Set<string>();
function tellOnce(key: string, message: string): void {
  if (told.has(key)) return;
  told.add(key);
  console.info(message);
}

/** The thread count to use for `threads` on backend `name` (1 where threads are unavailable). */
async function resolveThreads(threads: ReadyOptions['threads'], name: BackendName): Promise<number> {
  if (threads === undefined) return 1;
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1)) {
    throw new LwError('BAD_ARGUMENT', `threads must be 'auto' or a whole number >= 1, got ${String(threads)}`);
  }
  const n = threads === 'auto' ? await availableThreads() : Math.min(threads, MAX_THREADS);
  if (n <= 1) return 1;
  if (name !== 'simd') {
    tellOnce(`backend:${name}`, `lstm-wasm: threads need the simd backend; the ${name} backend runs on one thread`);
    return 1;
  }
  if (!hasSharedMemory()) {
    tellOnce(
      'shared-memory',
      'lstm-wasm: threads need SharedArrayBuffer, which browsers give only to cross-origin-isolated pages ' +
        '(serve with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp); ' +
        'running on one thread',
    );
    return 1;
  }
  return n;
}

let current: Backend | undefined;
let pending: Promise<Backend> | undefined;

/** The best backend this engine supports. */
export function bestBackendName(): BackendName {
  if (!hasWebAssembly()) return 'js';
  return hasSimd() ? 'simd' : 'scalar';
}

/** Makes a new, independent backend instance (its own memory). */
export async function createBackend(name: BackendName, opts: ReadyOptions = {}): Promise<Backend> {
  switch (name) {
    case 'js':
      await resolveThreads(opts.threads, name);
      return createJsBackend();
    case 'scalar':
      await resolveThreads(opts.threads, name);
      return createWasmBackend('scalar', opts.wasm?.scalar);
    case 'simd': {
      if (!hasSimd()) throw new LwError('UNSUPPORTED', 'this engine has no WebAssembly SIMD: use backend "scalar"');
      const threads = await resolveThreads(opts.threads, name);
      if (threads > 1) return createWasmBackend('simd-threads', opts.wasm?.simdThreads, { threads });
      return createWasmBackend('simd', opts.wasm?.simd);
    }
    default:
      throw new LwError('BAD_ARGUMENT', `unknown backend "${String(name)}": use "simd", "scalar" or "js"`);
  }
}

/**
 * Loads the kernels and selects the backend every later call uses. Safe to call often: a call
 * without options after the first returns the same backend.
 */
export async function ready(opts: ReadyOptions = {}): Promise<BackendName> {
  const name = opts.backend ?? current?.name ?? bestBackendName();
  // Without `threads` the current thread count is kept; a broken pool is replaced by a new one.
  const broken = current ? poolOf(current)?.failed === true : false;
  const kept = current ? (broken ? poolOf(current)!.threads : threadsOf(current)) : 1;
  const threads = opts.threads === undefined ? kept : await resolveThreads(opts.threads, name);
  if (current && current.name === name && !opts.wasm && threadsOf(current) === threads && !broken) return name;
  if (!pending || opts.backend || opts.wasm || opts.threads !== undefined || broken) {
    pending = createBackend(name, { ...opts, threads });
  }
  const previous = current;
  try {
    current = await pending;
  } finally {
    pending = undefined;
  }
  // The replaced backend keeps working on one thread (its workers stop).
  if (previous && previous !== current) poolOf(previous)?.close();
  return current.name;
}

/** Threads the current backend's kernels run on, the calling one included (`ready()` must have completed). */
export function getThreads(): number {
  return threadsOf(currentBackend());
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

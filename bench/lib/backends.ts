// Backend instances for benchmarks, loading the kernels from the repository's wasm/ directory
// (compiled benchmarks live in dist-bench/, where the runtime's default URL does not point).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createBackend, type Backend, type BackendName } from '../../ts/kernels.js';
import { uniform } from './random.js';

/** The repository root: the nearest ancestor of this file with package.json and wasm/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'wasm'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (package.json and wasm/): run `npm run build:wasm` first');
    dir = up;
  }
}

export const BACKENDS: readonly BackendName[] = ['simd', 'scalar', 'js'];

export async function benchBackend(name: BackendName): Promise<Backend> {
  const wasmDir = join(repoRoot(), 'wasm');
  const url = (f: string) => pathToFileURL(join(wasmDir, f));
  return createBackend(name, { wasm: { simd: url('kernels-simd.wasm'), scalar: url('kernels-scalar.wasm') } });
}

/** Deterministic uniform values in [-scale, scale], so every backend sees the same data. */
export function randomValues(n: number, seed: number, scale = 1): Float64Array {
  return uniform(n, seed).map((v) => (v * 2 - 1) * scale);
}

/**
 * Buffers on one backend that live for a whole benchmark: float buffers filled with random
 * values or zeros; `free()` releases them all.
 */
export class BenchBuffers {
  private ptrs: number[] = [];
  constructor(readonly backend: Backend) {}

  random(n: number, seed: number, scale = 1): number {
    const p = this.backend.allocFloats(Math.max(n, 1));
    this.ptrs.push(p);
    this.backend.writeFloats(p, randomValues(n, seed, scale));
    return p;
  }

  zeros(n: number): number {
    const p = this.backend.allocFloats(Math.max(n, 1));
    this.ptrs.push(p);
    const i = p / this.backend.floatBytes;
    this.backend.floats().fill(0, i, i + Math.max(n, 1));
    return p;
  }

  free(): void {
    for (const p of this.ptrs) this.backend.free(p);
    this.ptrs = [];
  }
}

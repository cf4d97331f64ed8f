// Shared test utilities for kernel tests: backend instances, seeded data, buffer plumbing, comparison.
import { expect } from 'vitest';
import type { Backend } from '../../ts/backend/backend.js';
import type { Kernels } from '../../ts/backend/abi.js';
import { createBackend } from '../../ts/runtime/ready.js';

export type NamedBackends = { simd: Backend; scalar: Backend; js: Backend };
let cached: Promise<NamedBackends> | undefined;

/** One instance of each backend, shared by a test file. */
export function allBackends(): Promise<NamedBackends> {
  cached ??= (async () => ({
    simd: await createBackend('simd'),
    scalar: await createBackend('scalar'),
    js: await createBackend('js'),
  }))();
  return cached;
}

/** The two wasm backends, each checked against the float64 JS oracle. */
export const WASM_BACKENDS = ['simd', 'scalar'] as const;

/** Deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n uniform values in [-scale, scale], rounded to float32 so every backend sees identical inputs. */
export function randArray(n: number, seed: number, scale = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * scale));
}

/** A buffer for `run`: floats to copy in, a size of floats to allocate (filled with NaN so a
 * kernel that forgets to write shows), zeros, or i32 ids. `null` passes pointer 0. */
export type BufSpec = { f: ArrayLike<number> } | { out: number } | { zeros: number } | { i: ArrayLike<number> } | null;

/**
 * Allocates the named buffers on `backend`, runs `call` with their pointers, and returns a copy
 * (as float64) of every non-null float buffer afterwards. Frees everything.
 */
export function run(
  backend: Backend,
  bufs: Record<string, BufSpec>,
  call: (p: Record<string, number>, k: Kernels) => void,
): Record<string, Float64Array> {
  return backend.scoped((s) => {
    const ptr: Record<string, number> = {};
    const sizes: Record<string, number> = {};
    for (const [name, spec] of Object.entries(bufs)) {
      if (spec === null) ptr[name] = 0;
      else if ('f' in spec) { ptr[name] = s.floats(spec.f.length, spec.f); sizes[name] = spec.f.length; }
      else if ('zeros' in spec) { ptr[name] = s.zeros(spec.zeros); sizes[name] = spec.zeros; }
      else if ('out' in spec) {
        ptr[name] = s.floats(spec.out);
        const idx = ptr[name] / backend.floatBytes;
        backend.floats().fill(NaN, idx, idx + spec.out);
        sizes[name] = spec.out;
      } else ptr[name] = s.ints(spec.i.length, spec.i);
    }
    call(ptr, backend.kernels);
    const out: Record<string, Float64Array> = {};
    for (const [name, n] of Object.entries(sizes)) out[name] = backend.readFloats(ptr[name], n, true) as Float64Array;
    return out;
  });
}

/** Allocates a kernel's workspace of `floats` floats inside `run` (use as a BufSpec). */
export const ws = (floats: number): BufSpec => ({ zeros: Math.max(1, floats) });

/**
 * Asserts |actual - expected| <= atol + rtol·|expected| element-wise, naming the worst element.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-4, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Number.isNaN(a) !== Number.isNaN(e) ? Infinity : Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (excess > worstExcess || (Number.isNaN(excess) && worst < 0)) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** Sizes used to sweep kernels: 1, odd, prime and SIMD-unfriendly values. */
export const ODD_SIZES = [1, 2, 3, 5, 7, 13, 17, 31];

/**
 * Central-difference gradient of a scalar function of `x` (float64): (f(x+h) - f(x-h)) / 2h.
 * Run it on the JS backend, whose kernels compute in float64, and compare with a backward kernel.
 */
export function numericGrad(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  const xs = [...x];
  return xs.map((v, i) => {
    xs[i] = v + h;
    const up = f(xs);
    xs[i] = v - h;
    const down = f(xs);
    xs[i] = v;
    return (up - down) / (2 * h);
  });
}

/** Σ w·y: a scalar loss with fixed random weights, so every output element gets its own gradient. */
export function weightedSum(y: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * w[i];
  return s;
}

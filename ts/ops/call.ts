import type { Backend, Scope } from '../backend/backend.js';
import type { Kernels } from '../backend/abi.js';
import { Tensor } from '../tensor.js';

/** An input of a kernel call: a tensor copied in, zeros, or absent (pointer 0). */
export type In = Tensor | { zeros: number } | null | undefined;

/**
 * Runs one kernel on `backend` with tensors copied into its memory and named outputs copied
 * back out as new tensors. Everything allocated is freed, even when the kernel throws.
 * `outputs` maps a name to its shape; `null` shape means "not requested" (pointer 0).
 */
export function callKernel<O extends string>(
  backend: Backend,
  inputs: Record<string, In>,
  outputs: Record<O, readonly number[] | null>,
  call: (p: Record<string, number>, k: Kernels, s: Scope) => void,
  /** Outputs that the kernel accumulates into: start them at zero. */
  zeroed: readonly NoInfer<O>[] = [],
): Record<O, Tensor> {
  return backend.scoped((s) => {
    const p: Record<string, number> = {};
    for (const [name, v] of Object.entries(inputs)) {
      if (!v) p[name] = 0;
      else if (v instanceof Tensor) p[name] = v.dtype === 'int32' ? s.ints(v.size, v.dataSync()) : s.floats(v.size, v.dataSync());
      else p[name] = s.zeros(v.zeros);
    }
    const shapes = Object.entries(outputs) as [O, readonly number[] | null][];
    for (const [name, shape] of shapes) {
      if (!shape) p[name] = 0;
      else {
        const n = shape.reduce((a, b) => a * b, 1);
        p[name] = zeroed.includes(name) ? s.zeros(n) : s.floats(n);
      }
    }
    call(p, backend.kernels, s);
    const out = {} as Record<O, Tensor>;
    for (const [name, shape] of shapes) {
      if (!shape) continue;
      const n = shape.reduce((a, b) => a * b, 1);
      out[name] = new Tensor(backend.readFloats(p[name], n) as Float32Array, shape);
    }
    return out;
  });
}

/** Scratch of `floats` floats inside a call (workspaces). */
export function scratch(s: Scope, floats: number): number {
  return s.floats(Math.max(1, floats));
}

// Whole-model gradient checks on the float64 JS backend: the gradients a training step leaves in
// the model's gradient block against central differences of model.evaluate's loss.
import { expect } from 'vitest';
import * as lw from '../../ts/index.js';
import { add, axpy } from '../../ts/backend/kernels/index.js';
import type { Backend } from '../../ts/backend/backend.js';
import { Layer, type SymbolicTensor } from '../../ts/engine/layer.js';
import type { Weight } from '../../ts/engine/weight.js';
import type { BatchTensor, ExecCtx } from '../../ts/engine/exec.js';
import type { Shape } from '../../ts/engine/shape.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../../ts/engine/mask.js';
import { randArray } from './kernels.js';

/**
 * Test-only layer: y = x + w, where w is a trainable weight holding a whole batch of inputs.
 * Fed with zeros, it makes the model input a parameter, so the gradient of the loss with respect
 * to the input of the next layer is checked like any weight gradient.
 */
export class InputProbe extends Layer {
  readonly className = 'InputProbe';
  private values!: Weight;
  constructor(private readonly data: ArrayLike<number>) {
    super({}, 'input_probe');
  }
  computeOutputShape(inputShapes: Shape[]): Shape[] {
    return [inputShapes[0]];
  }
  override build(inputShapes: Shape[]): void {
    const shape = inputShapes[0].map(Number);
    this.values = this.addWeight('values', shape, (_s, out) => out.set(this.data));
  }
  forward(ctx: ExecCtx, [x]: BatchTensor[]) {
    const n = x.shape.reduce((a, b) => a * b, 1);
    const y = ctx.alloc(n);
    add(ctx.backend.kernels, { n, a: x.ptr, b: ctx.paramPtr(this.values.offset), out: y });
    return { outputs: [{ ...x, ptr: y }] };
  }
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }
  backward(ctx: ExecCtx, _s: unknown, [x]: BatchTensor[], _o: BatchTensor[], [dy]: number[]): number[] {
    axpy(ctx.backend.kernels, { n: x.shape.reduce((a, b) => a * b, 1), alpha: 1, x: dy, y: ctx.gradPtr(this.values.offset) });
    return [dy];
  }
}

/** A fixed-batch model input whose values become a checked parameter: returns [input, probed tensor, zero feed]. */
export function probedInput(shape: number[], seed: number, data?: ArrayLike<number>): [SymbolicTensor, SymbolicTensor, lw.Tensor] {
  const n = shape.reduce((a, b) => a * b, 1);
  const inp = lw.input({ batchShape: shape });
  const probed = new InputProbe(data ?? randArray(n, seed)).apply(inp) as SymbolicTensor;
  return [inp, probed, lw.tensor(new Float32Array(n), shape)];
}

export interface GradCheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Parameters to leave out (e.g. padded inputs, where the mask jumps). */
  skip?: (w: Weight, index: number) => boolean;
}

/**
 * Compiles `model` with SGD and MSE, runs one training step on (x, y) and compares every
 * trainable weight's gradient with central differences of model.evaluate. Parameters are
 * restored afterwards. Returns how many values were compared.
 */
export function checkModelGradients(model: lw.LayersModel, x: lw.Tensor | lw.Tensor[], y: lw.Tensor | lw.Tensor[], opts: GradCheckOptions = {}): number {
  const { eps = 1e-5, atol = 1e-7, rtol = 1e-5 } = opts;
  if (lw.getBackend() !== 'js') throw new Error('gradient checks need the float64 js backend');
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const batch = (Array.isArray(x) ? x[0] : x).shape[0];
  const store = model.params();
  const b = store.backend;
  const p0 = b.fi(store.params);
  const saved = b.floats().slice(p0, p0 + store.totalFloats);
  model.trainOnBatch(x, y);
  const g0 = b.fi(store.grads);
  const analytic = b.floats().slice(g0, g0 + store.totalFloats);
  b.floats().set(saved, p0);
  const loss = () => {
    const r = model.evaluate(x, y, { batchSize: batch });
    return Array.isArray(r) ? r[0] : r; // several outputs: [total, per-output losses...]
  };
  let compared = 0;
  const bad: string[] = [];
  for (const w of model.weights) {
    if (!w.trainable || !w.layer.trainable) continue;
    for (let i = 0; i < w.size; i++) {
      if (opts.skip?.(w, i)) continue;
      const at = p0 + w.offset + i;
      b.floats()[at] = saved[w.offset + i] + eps;
      const up = loss();
      b.floats()[at] = saved[w.offset + i] - eps;
      const down = loss();
      b.floats()[at] = saved[w.offset + i];
      const numeric = (up - down) / (2 * eps);
      const got = analytic[w.offset + i];
      if (!(Math.abs(got - numeric) <= atol + rtol * Math.abs(numeric))) bad.push(`${w.path}[${i}]: backward ${got}, numeric ${numeric}`);
      compared++;
    }
  }
  expect(bad.slice(0, 8), `${bad.length} of ${compared} gradients differ`).toEqual([]);
  expect(meanAbs(analytic), 'the gradients are not all zero').toBeGreaterThan(1e-6);
  return compared;
}

/** Mean absolute value of a tensor's entries (to make sure a gradient check is not vacuous). */
export const meanAbs = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + Math.abs(b), 0) / v.length;

/** Predictions of `model` on js and simd (same weights); leaves the js backend selected. */
export async function predictOnBoth(model: lw.LayersModel, x: lw.Tensor | lw.Tensor[]): Promise<{ js: lw.Tensor[]; simd: lw.Tensor[] }> {
  const asList = (t: lw.Tensor | lw.Tensor[]) => (Array.isArray(t) ? t : [t]);
  await lw.ready({ backend: 'js' });
  const js = asList(model.predict(x));
  await lw.ready({ backend: 'simd' });
  const simd = asList(model.predict(x));
  await lw.ready({ backend: 'js' });
  return { js, simd };
}

/**
 * Runs `fn` with an execution context over a fresh scope of `backend` (inference, seeded rng),
 * for calling a layer's forward/backward directly.
 */
export function withCtx<T>(backend: Backend, fn: (ctx: ExecCtx) => T): T {
  return backend.scoped((scope) => {
    const fb = backend.floatBytes;
    const ctx: ExecCtx = {
      backend, scope, training: false, rng: new lw.Random(1),
      fi: (p) => p / fb,
      alloc: (n) => scope.floats(n),
      zeros: (n) => scope.zeros(n),
      paramPtr: () => { throw new Error('no parameters in this context'); },
      gradPtr: () => { throw new Error('no parameters in this context'); },
      derived: () => 0,
    };
    return fn(ctx);
  });
}

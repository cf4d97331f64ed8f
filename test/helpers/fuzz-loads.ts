// The judge both model-file fuzzers use: one mutated file loaded, timed and classified.
import * as lw from '../../ts/index.js';

/** One load may take this long at most (a 2-core machine shared with other work: generous). */
export const MAX_LOAD_MS = 2000;

/** Zeros of the model's input shapes (unknown dimensions 2): a valid input for a loaded model. */
export function zerosFor(m: lw.LayersModel): lw.Tensor[] {
  return m.inputs.map((t) => {
    const shape = t.shape.map((d) => (d === null ? 2 : d));
    return lw.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
  });
}

/** The property names of the built-in prototypes and globalThis: a load must not change them. */
export function globalsSnapshot(): string[] {
  const names = (o: object) => Object.getOwnPropertyNames(o).sort().join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype, globalThis].map(names);
}

/**
 * Runs `load`: a refusal must be BAD_MODEL_FILE or UNSUPPORTED (a layer, option or activation
 * lstm-wasm has not got, as a newer Keras would write); a model that loads must predict (or refuse
 * with an LwError) and not be a `mustReject` case; nothing may take over MAX_LOAD_MS. Counts the
 * outcome, pushes what went wrong to `failures`, and returns the milliseconds taken.
 */
export async function judgeLoad(load: () => Promise<lw.LayersModel>, where: string, mustReject: boolean, count: { rejected: number; loaded: number }, failures: string[]): Promise<number> {
  const t0 = performance.now();
  let model: lw.LayersModel | null = null;
  let error: unknown = null;
  try {
    model = await load();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  if (ms > MAX_LOAD_MS) failures.push(`${where}: took ${ms.toFixed(0)} ms`);
  if (!model) {
    count.rejected++;
    if (!(error instanceof lw.LwError) || !['BAD_MODEL_FILE', 'UNSUPPORTED'].includes(error.code)) failures.push(`${where}: ${String(error)}`);
    return ms;
  }
  count.loaded++;
  if (mustReject) failures.push(`${where}: loaded, but must be rejected`);
  try {
    model.predict(zerosFor(model));
  } catch (e) {
    if (!(e instanceof lw.LwError)) failures.push(`${where}: the loaded model's predict threw ${String(e)}`);
  }
  model.dispose();
  return ms;
}

// Checks of model data (count, shapes, then values), run before any batch is trained: a bad
// value anywhere in x or y stops fit before its first step, so the weights and the optimizer
// state are those from before the call. Messages name the argument, the sample and the value.
import { LwError, fmtShape } from '../errors.js';
import type { Node, SymbolicTensor } from '../engine/layer.js';
import type { LossName } from '../backend/kernels/index.js';
import { Tensor } from '../tensor.js';
import type { OutputTarget } from './compile.js';
import { toTensorList, type ModelData } from './data.js';
import { fmt, type Shape } from '../engine/shape.js';
import { assertFinite, assertIds, positionOf } from '../engine/value-checks.js';

/** Losses whose targets are probabilities: every target value must lie in [0, 1]. */
const PROBABILITY_TARGETS: ReadonlySet<LossName> = new Set<LossName>(['binaryCrossentropy', 'categoricalCrossentropy']);

/**
 * Checks targets for an output trained with `loss` over `cols` columns: finite values, class ids
 * in [0, cols) for sparse losses, values in [0, 1] for the cross-entropies of probabilities.
 */
function assertTargets(t: Tensor, loss: LossName, cols: number, what: string): void {
  assertFinite(t, what);
  if (loss === 'sparseCategoricalCrossentropy') {
    assertIds(t, cols, `${what} (${loss})`, `the output has ${cols} classes`);
    return;
  }
  if (!PROBABILITY_TARGETS.has(loss)) return;
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (d[i] >= 0 && d[i] <= 1) continue;
    const pos = positionOf(t.shape, i);
    const hint = loss === 'binaryCrossentropy' ? ' (for class ids use sparseCategoricalCrossentropy with one output unit per class)' : '';
    throw new LwError('BAD_ARGUMENT', `${what} has ${d[i]} at ${fmtShape(pos)} (sample ${pos[0]}): ${loss} needs targets in [0, 1]${hint}`, { sample: pos[0], position: pos, value: d[i], loss });
  }
}

/** Checks model data against the model's inputs (count, per-sample shape, values) and returns tensors. */
export function checkInputs(inputs: SymbolicTensor[], nodes: Node[], x: ModelData, what: string): Tensor[] {
  const xs = toTensorList(x, inputs.length, `${what} x`, inputs.map((t) => t.name));
  xs.forEach((t, i) => checkShape(t, inputs[i].shape, `${what}: input "${inputs[i].name}"`));
  const n = xs[0].shape[0];
  xs.forEach((t, i) => {
    if (t.shape[0] !== n) throw new LwError('SHAPE_MISMATCH', `${what}: input "${inputs[i].name}" has ${t.shape[0]} samples, input "${inputs[0].name}" has ${n}`);
  });
  if (n === 0) throw new LwError('EMPTY_DATA', `${what}: x has no samples`);
  xs.forEach((t, i) => {
    const label = `${what}: input "${inputs[i].name}"`;
    assertFinite(t, label);
    for (const node of nodes) node.inputs.forEach((x, k) => x === inputs[i] && node.layer.checkInputValues(t, label, k));
  });
  return xs;
}

/**
 * Checks targets against the outputs and their losses, and returns one tensor per output: [n, ...]
 * floats, or for a sparse loss the class ids as int32 [n, rows per sample], converted here once.
 * `targets` may be empty (not compiled): then only shapes and finiteness are checked.
 */
export function checkTargets(outputs: SymbolicTensor[], targets: OutputTarget[], y: ModelData, samples: number, what: string): Tensor[] {
  const ys = toTensorList(y, outputs.length, `${what} y`, outputs.map((t) => t.node.layer.name));
  return ys.map((t, i) => {
    const o = outputs[i];
    const target = targets[i];
    const label = `${what}: y for output "${o.node.layer.name}"`;
    if (t.shape[0] !== samples) {
      throw new LwError('SHAPE_MISMATCH', `${what}: y for output "${o.node.layer.name}" has ${t.shape[0]} samples, x has ${samples}`);
    }
    const sparse = target?.loss.sparse ?? false;
    const want = sparse ? o.shape.slice(0, -1) : o.shape;
    const got = sparse && t.shape.length === want.length + 1 && t.shape[t.shape.length - 1] === 1 ? t.shape.slice(0, -1) : t.shape;
    checkShape(new Tensor(t.dataSync(), got), want, label);
    if (!target) {
      assertFinite(t, label);
      return t;
    }
    assertTargets(t, target.loss.name, target.cols, label);
    return sparse ? new Tensor(Int32Array.from(t.dataSync()), [t.shape[0], t.size / Math.max(t.shape[0], 1)]) : t;
  });
}

function checkShape(t: Tensor, want: Shape, what: string): void {
  const ok = t.shape.length === want.length && want.every((d, i) => i === 0 || d === null || d === t.shape[i]);
  if (!ok) throw new LwError('SHAPE_MISMATCH', `${what} has shape ${fmt([...t.shape])}, the model expects ${fmt(want)}`, { shape: [...t.shape], expected: want });
}

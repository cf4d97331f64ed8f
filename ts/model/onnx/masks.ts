// Masks in the graph: float [batch, time] tensors (1 keep, 0 padding) computed from the values, as the
// layers do, and the exact form of a masked recurrent layer in ONNX. A masked step leaves the state as it
// was, so the layer computes what it computes on the kept steps alone, moved to the front in order:
// ONNX runs those (sequence_lens = how many) and each output step takes the state after the last kept
// step up to it (zeros, h0, before the first).
import { ONNX_DTYPE } from '../../io/onnx/proto.js';
import type { OnnxGraphBuilder } from './graph-builder.js';

/** Larger than any step index, smaller than float32's exact integers (2^24) less the steps. */
const AFTER_KEPT = 1 << 23;

/** Embedding({ maskZero }): ids [batch, time] ≠ 0. */
export function maskFromIds(g: OnnxGraphBuilder, ids: string, base: string): string {
  const zero = g.op('Equal', [ids, g.int32Scalar(`${base}/zero`, 0)], {}, `${base}/is_pad`);
  return g.op('Cast', [g.op('Not', [zero], {}, `${base}/keeps`)], { to: ONNX_DTYPE.float }, `${base}/mask`);
}

/** Masking: a step is kept when any feature of x [batch, time, F] differs from maskValue; returns [x · keep, keep]. */
export function maskFromValues(g: OnnxGraphBuilder, x: string, maskValue: number, base: string): [string, string] {
  const pad = g.op('Equal', [x, g.floats(`${base}/mask_value`, [], Float32Array.of(maskValue))], {}, `${base}/is_pad_value`);
  const differs = g.op('Cast', [g.op('Not', [pad], {}, `${base}/differs`)], { to: ONNX_DTYPE.float }, `${base}/differs_float`);
  const mask = g.reduce('ReduceMax', differs, [2], false, `${base}/mask`);
  return [g.op('Mul', [x, unsqueezeLast(g, mask, base)], {}, base), mask];
}

/** [batch, time] → [batch, time, 1], to broadcast over features. */
export function unsqueezeLast(g: OnnxGraphBuilder, m: string, base: string): string {
  return g.op('Unsqueeze', [m, g.int64s(`${base}/last_axis`, [-1])], {}, `${base}/mask_3d`);
}

/** x [batch, time, ...] with steps taken along the time axis by index [batch, time] (int64). */
function takeSteps(g: OnnxGraphBuilder, x: string, index: string, rank: number, base: string): string {
  let idx = index;
  for (let r = 2; r < rank; r++) idx = g.op('Unsqueeze', [idx, g.int64s(`${base}/axis${r}`, [-1])], {}, `${base}/index${r}`);
  const full = g.op('Expand', [idx, g.op('Shape', [x], {}, `${base}/shape`)], {}, `${base}/index_full`);
  return g.op('GatherElements', [x, full], { axis: 1 }, base);
}

/** The kept steps of x [batch, time, I] moved to the front in order, and how many there are per row (int32 [batch], at least 1). */
export function keptFirst(g: OnnxGraphBuilder, x: string, mask: string, base: string): { x: string; lens: string } {
  // Sort key: a kept step's position, a masked step's position + AFTER_KEPT; TopK (ascending) orders by it.
  const ones = g.op('Add', [g.op('Mul', [mask, g.floats(`${base}/zero`, [], Float32Array.of(0))], {}, `${base}/zeros`), g.floats(`${base}/one`, [], Float32Array.of(1))], {}, `${base}/ones`);
  const position = g.op('CumSum', [ones, g.int64s(`${base}/time_axis`, [1])], {}, `${base}/position`);
  const padding = g.op('Sub', [g.floats(`${base}/one_`, [], Float32Array.of(1)), mask], {}, `${base}/padding`);
  const key = g.op('Add', [position, g.op('Mul', [padding, g.floats(`${base}/after_kept`, [], Float32Array.of(AFTER_KEPT))], {}, `${base}/pushed`)], {}, `${base}/key`);
  const steps = g.op('Shape', [mask], { start: 1, end: 2 }, `${base}/steps`);
  const [, order] = g.node('TopK', [key, steps], { axis: 1, largest: 0, sorted: 1 }, `${base}/order`, 2);
  // At least 1: a row with no kept step runs one step, whose outputs backToSteps and zeroEmptyRows discard.
  const kept = g.op('Max', [g.reduce('ReduceSum', mask, [1], false, `${base}/kept`), g.floats(`${base}/one_step`, [], Float32Array.of(1))], {}, `${base}/kept_1`);
  const lens = g.op('Cast', [kept], { to: ONNX_DTYPE.int32 }, `${base}/lens`);
  return { x: takeSteps(g, x, order, 3, `${base}/kept_first`), lens };
}

/**
 * Outputs y [batch, time, ...] of the kept-first run back at their steps: step t takes the output after
 * the last kept step up to t; before the first, `initial` (h0, broadcast over time) or zeros; zeros at
 * every masked step when `zeroMasked`.
 */
export function backToSteps(g: OnnxGraphBuilder, y: string, mask: string, rank: number, zeroMasked: boolean, base: string, initial?: string): string {
  const kept = g.op('CumSum', [mask, g.int64s(`${base}/time_axis`, [1])], {}, `${base}/kept_so_far`);
  const last = g.op('Max', [g.op('Sub', [kept, g.floats(`${base}/one`, [], Float32Array.of(1))], {}, `${base}/last_kept`), g.floats(`${base}/zero`, [], Float32Array.of(0))], {}, `${base}/last_kept_0`);
  const index = g.op('Cast', [last], { to: ONNX_DTYPE.int64 }, `${base}/index`);
  const taken = takeSteps(g, y, index, rank, `${base}/at_steps`);
  let keep = zeroMasked ? mask : g.op('Min', [kept, g.floats(`${base}/one_`, [], Float32Array.of(1))], {}, `${base}/started`);
  for (let r = 2; r < rank; r++) keep = g.op('Unsqueeze', [keep, g.int64s(`${base}/keep_axis${r}`, [-1])], {}, `${base}/keep${r}`);
  const out = g.op('Mul', [taken, keep], {}, `${base}/output`);
  return initial && !zeroMasked ? orInitial(g, out, keep, initial, base) : out;
}

/** y where `keep` is 1, `initial` where it is 0: y + initial · (1 - keep), y already zero there. */
function orInitial(g: OnnxGraphBuilder, y: string, keep: string, initial: string, base: string): string {
  const notKept = g.op('Sub', [g.floats(`${base}/one_i`, [], Float32Array.of(1)), keep], {}, `${base}/not_kept`);
  return g.op('Add', [y, g.op('Mul', [initial, notKept], {}, `${base}/initial_part`)], {}, `${base}/or_initial`);
}

/** Rows [batch, ...] where no step is kept (a last output or state) set to `initial` (the initial state) or zeros. */
export function zeroEmptyRows(g: OnnxGraphBuilder, y: string, mask: string, rank: number, base: string, initial?: string): string {
  let any = g.reduce('ReduceMax', mask, [1], false, `${base}/any_kept`);
  for (let r = 1; r < rank; r++) any = g.op('Unsqueeze', [any, g.int64s(`${base}/any_axis${r}`, [-1])], {}, `${base}/any${r}`);
  const out = g.op('Mul', [y, any], {}, `${base}/last_or_zero`);
  return initial ? orInitial(g, out, any, initial, base) : out;
}

/** GlobalAveragePooling1D over the kept steps of x [batch, time, F]; rows with none give zeros. */
export function maskedMean(g: OnnxGraphBuilder, x: string, mask: string, keepdims: boolean, base: string): string {
  const sum = g.reduce('ReduceSum', g.op('Mul', [x, unsqueezeLast(g, mask, base)], {}, `${base}/kept_values`), [1], keepdims, `${base}/sum`);
  const count = g.reduce('ReduceSum', mask, [1], true, `${base}/count`);
  const safe = g.op('Max', [count, g.floats(`${base}/one`, [], Float32Array.of(1))], {}, `${base}/count_1`);
  return g.op('Div', [sum, keepdims ? unsqueezeLast(g, safe, `${base}/c`) : safe], {}, base);
}

/** Concatenate on features: a step is kept where any input keeps it; an input without a mask keeps all (Keras 3). */
export function joinMasks(g: OnnxGraphBuilder, masks: (string | undefined)[], base: string): string | undefined {
  if (masks.some((m) => m === undefined)) return undefined;
  return masks.length === 1 ? masks[0] : g.op('Max', masks as string[], {}, `${base}/mask`);
}

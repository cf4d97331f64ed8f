// Dot as ONNX Einsum: each input's summed axis shares one letter, the batch another; the output keeps the
// first input's remaining axes, then the second's (Keras), reshaped to the layer's output shape.
import type { Layer } from '../../engine/layer.js';
import type { Exported, OnnxGraphBuilder } from './graph-builder.js';

/** Keras 3 normalize: x · min(1/‖x‖, 1/epsilon) along the axis, i.e. x / max(‖x‖, epsilon). */
const EPSILON = 1e-7;

function l2Normalize(g: OnnxGraphBuilder, x: string, axis: number, base: string): string {
  const squares = g.op('Mul', [x, x], {}, `${base}/squares`);
  const norm = g.op('Sqrt', [g.reduce('ReduceSum', squares, [axis], true, `${base}/sum_squares`)], {}, `${base}/norm`);
  const safe = g.op('Max', [norm, g.floats(`${base}/epsilon`, [], Float32Array.of(EPSILON))], {}, `${base}/norm_eps`);
  return g.op('Div', [x, safe], {}, `${base}/normalized`);
}

/** The einsum term of an input of `rank` whose axis `summed` is k; other axes take letters from `from`. */
function term(rank: number, summed: number, from: string[]): string {
  let t = 'b';
  for (let a = 1; a < rank; a++) t += a === summed ? 'k' : from.shift()!;
  return t;
}

/** x · y along one axis each ([B, ...] ranks 2 and 3); `outShape` the layer's output shape, batch first. */
export function exportDot(g: OnnxGraphBuilder, layer: Layer, [x, y]: Exported[], outShape: readonly (number | null)[]): string {
  const config = layer.getConfig();
  const given = config.axes as number | [number, number];
  const [ax, ay] = (Array.isArray(given) ? given : [given, given]).map((a, i) => (a < 0 ? a + [x, y][i].rank : a));
  const base = layer.name;
  const xs = config.normalize ? l2Normalize(g, x.name, ax, `${base}/x`) : x.name;
  const ys = config.normalize ? l2Normalize(g, y.name, ay, `${base}/y`) : y.name;
  const letters = ['i', 'j', 'm', 'n'];
  const tx = term(x.rank, ax, letters);
  const ty = term(y.rank, ay, letters);
  const out = 'b' + (tx + ty).replace(/[bk]/g, '');
  const product = g.op('Einsum', [xs, ys], { equation: `${tx},${ty}->${out}` }, `${base}/einsum`);
  // Two vectors give [batch]; Keras keeps [batch, 1].
  return out.length === outShape.length ? product : g.op('Reshape', [product, g.int64s(`${base}/shape`, [0, ...outShape.slice(1).map((d) => d ?? -1)])], {}, base);
}

// LSTM, GRU, SimpleRNN and Bidirectional as ONNX LSTM / GRU / RNN, exported sequence-first (onnxruntime
// refuses layout = 1) with a Transpose on each side.
import type { Bidirectional } from '../../layers/bidirectional.js';
import type { RecurrentLayer } from '../../layers/recurrent-base.js';
import { activationAttrs, recurrentActivation, type RecurrentActivation } from './activations.js';
import type { OnnxGraphBuilder } from './graph-builder.js';
import { describe, unsupported } from './unsupported.js';
import { backToSteps, keptFirst, zeroEmptyRows } from './masks.js';

/** The lowest int64: as a Slice end with step -1 it means "through index 0". */
const INT64_MIN = -(2n ** 63n);

/** One direction's weights in ONNX layout, and what the operator needs to know about the cell. */
interface Direction {
  op: 'LSTM' | 'GRU' | 'RNN';
  units: number;
  /** [G·U, I], [G·U, U], [2·G·U] (input biases, then recurrent biases). */
  w: Float32Array;
  r: Float32Array;
  b: Float32Array;
  activations: RecurrentActivation[];
  linearBeforeReset?: number;
  /** An LSTM's peepholes in ONNX's order p_i, p_o, p_f [3U] (ours: p_i, p_f, p_o). */
  p?: Float32Array;
}

/** peephole_weights [3U] (p_i, p_f, p_o) as ONNX's P row (p_i, p_o, p_f). */
function onnxPeepholes(peep: Float32Array, units: number): Float32Array {
  const out = new Float32Array(3 * units);
  out.set(peep.subarray(0, units), 0);
  out.set(peep.subarray(2 * units, 3 * units), units);
  out.set(peep.subarray(units, 2 * units), 2 * units);
  return out;
}

/** ONNX gate g is Keras gate ORDER[g]. LSTM: Keras i, f, c, o → ONNX i, o, f, c; GRU z, r, h in both. */
const GATE_ORDER = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], RNN: [0] } as const;
const OP = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' } as const;

/** A Keras kernel [rows, G·U] → ONNX [G·U, rows], gates in ONNX order. */
function gateMatrix(kernel: Float32Array, rows: number, units: number, order: readonly number[]): Float32Array {
  const G = order.length;
  const out = new Float32Array(G * units * rows);
  for (let g = 0; g < G; g++) {
    for (let u = 0; u < units; u++) {
      const col = order[g] * units + u;
      for (let i = 0; i < rows; i++) out[(g * units + u) * rows + i] = kernel[i * G * units + col];
    }
  }
  return out;
}

/** A bias row [G·U] in ONNX gate order. */
function gateRow(bias: Float32Array, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((k, g) => out.set(bias.subarray(k * units, (k + 1) * units), g * units));
  return out;
}

/** Refuses what an ONNX recurrent operator cannot compute from x alone. */
function checkExportable(layer: RecurrentLayer, config: Record<string, unknown>): void {
  if (!(layer.className in OP)) throw unsupported(layer, 'only LSTM, GRU and SimpleRNN have ONNX recurrent operators (a user cell has none)');
  if (config.stateful) throw unsupported(layer, 'a stateful layer carries state between calls, which an ONNX graph does not');
}

function direction(layer: RecurrentLayer): Direction {
  const config: Record<string, unknown> = layer.getConfig();
  checkExportable(layer, config);
  const op = OP[layer.className as keyof typeof OP];
  const where = describe(layer);
  const order = GATE_ORDER[op];
  const units = config.units as number;
  const G = order.length;
  const [kernel, recurrent, bias, peep] = layer.getWeights().map((t) => t.dataSync() as Float32Array);
  const inputs = kernel.length / (G * units);
  const b = new Float32Array(2 * G * units);
  let linearBeforeReset: number | undefined;
  if (op === 'GRU') {
    // reset_after: Keras' r ⊙ (h·U + b_r) is ONNX's linear_before_reset = 1 with b_r as Rb; without it
    // Keras has one bias, added outside the reset (linear_before_reset = 0, Rb zero).
    linearBeforeReset = config.reset_after ? 1 : 0;
    if (bias) {
      b.set(gateRow(bias.subarray(0, G * units), units, order));
      if (config.reset_after) b.set(gateRow(bias.subarray(G * units), units, order), G * units);
    }
  } else if (bias) {
    b.set(gateRow(bias, units, order));
  }
  const act = (key: string) => recurrentActivation(config[key] as string, where);
  const activations = op === 'LSTM' ? [act('recurrent_activation'), act('activation'), act('activation')]
    : op === 'GRU' ? [act('recurrent_activation'), act('activation')] : [act('activation')];
  const p = op === 'LSTM' && config.use_peepholes ? onnxPeepholes(peep, units) : undefined;
  return { op, units, w: gateMatrix(kernel, inputs, units, order), r: gateMatrix(recurrent, units, units, order), b, activations, linearBeforeReset, p };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Runs the operator over x [batch, time, I] in the given directions; returns Y [time, dirs, batch, U]
 * (input time order), Y_h [dirs, batch, U] and for LSTM Y_c [dirs, batch, U].
 */
function recurrentNode(g: OnnxGraphBuilder, owner: object, x: string, dirs: Direction[], mode: 'forward' | 'bidirectional', base: string, lens = '', initial: string[] = []) {
  const [d] = dirs;
  const n = dirs.length;
  const G = GATE_ORDER[d.op].length;
  const I = d.w.length / (G * d.units);
  const W = g.shared(owner, 'W', () => g.floats(`${base}/W`, [n, G * d.units, I], concat(dirs.map((o) => o.w))));
  const R = g.shared(owner, 'R', () => g.floats(`${base}/R`, [n, G * d.units, d.units], concat(dirs.map((o) => o.r))));
  const B = g.shared(owner, 'B', () => g.floats(`${base}/B`, [n, 2 * G * d.units], concat(dirs.map((o) => o.b))));
  const timeMajor = g.op('Transpose', [x], { perm: { ints: [1, 0, 2] } }, `${base}/time_major`);
  const attrs = {
    hidden_size: d.units,
    direction: mode,
    ...activationAttrs(dirs.flatMap((o) => o.activations)),
    ...(d.linearBeforeReset !== undefined ? { linear_before_reset: d.linearBeforeReset } : {}),
  };
  // Inputs X, W, R, B, sequence_lens, initial_h, initial_c, P (LSTM peepholes); '' for one left out.
  const P = d.p ? g.shared(owner, 'P', () => g.floats(`${base}/P`, [n, 3 * d.units], concat(dirs.map((o) => o.p!)))) : '';
  const inputs = P ? [timeMajor, W, R, B, lens, initial[0] ?? '', initial[1] ?? '', P]
    : initial.length ? [timeMajor, W, R, B, lens, ...initial] : lens ? [timeMajor, W, R, B, lens] : [timeMajor, W, R, B];
  const [Y, ...states] = g.node(d.op, inputs, attrs, base, d.op === 'LSTM' ? 3 : 2);
  return { Y, Yh: states[0], states };
}

/** Keras go_backwards reads x last step first and returns steps in that order: reverse x, then run forward. */
function reverseTime(g: OnnxGraphBuilder, x: string, base: string): string {
  return g.op('Slice', [x, g.int64s(`${base}/start`, [-1]), g.int64s(`${base}/end`, [INT64_MIN]), g.int64s(`${base}/axis`, [1]), g.int64s(`${base}/step`, [-1])], {}, `${base}/reversed`);
}

/**
 * Each direction's final states [dirs, batch, U] as [batch, U] tensors (all of direction 0 first); where no
 * step is kept, the initial states `initial` (in the same order) or zeros.
 */
function finalStates(g: OnnxGraphBuilder, states: string[], dirs: number, mask: string | undefined, base: string, initial: string[]): string[] {
  const per = states.map((s, k) => (dirs === 1 ? [s] : g.halves(s, 0, `${base}/state${k}`)));
  const out: string[] = [];
  for (let d = 0; d < dirs; d++) {
    per.forEach((halves, k) => {
      const state = g.op('Squeeze', [halves[d], g.int64s(`${base}/state_axis`, [0])], {}, `${base}/state${d}_${k}`);
      out.push(mask ? zeroEmptyRows(g, state, mask, 2, `${base}/state${d}_${k}`, initial[out.length]) : state);
    });
  }
  return out;
}

/** [batch, U] → [1, batch, U] (one direction), or [batch, 1, U] with axis 1. */
function unsqueeze(g: OnnxGraphBuilder, s: string, axis: number, base: string): string {
  return g.op('Unsqueeze', [s, g.int64s(`${base}/axis`, [axis])], {}, base);
}

/**
 * An LSTM, GRU or SimpleRNN on x [batch, time, I] with an optional mask [batch, time] and initial states
 * (h, and c for LSTM: [batch, U]): [batch, time, U] (returnSequences) or [batch, U], then with returnState
 * the final states [batch, U] (LSTM: h, c).
 */
export function exportRecurrent(g: OnnxGraphBuilder, layer: RecurrentLayer, x: string, mask?: string, initial: string[] = []): string[] {
  const config: Record<string, unknown> = layer.getConfig();
  const base = layer.name;
  const dir = direction(layer);
  const input = config.go_backwards ? reverseTime(g, x, base) : x;
  const steps = mask && config.go_backwards ? reverseTime(g, mask, `${base}/mask`) : mask;
  const run = steps ? keptFirst(g, input, steps, `${base}/mask`) : { x: input, lens: '' };
  const onnxInitial = initial.map((s, k) => unsqueeze(g, s, 0, `${base}/initial${k}`));
  const { Y, Yh, states } = recurrentNode(g, layer, run.x, [dir], 'forward', base, run.lens, onnxInitial);
  const [h0] = initial;
  let main: string;
  if (config.return_sequences) {
    const seq = g.op('Squeeze', [Y, g.int64s(`${base}/dir_axis`, [1])], {}, `${base}/y`);
    const y = g.op('Transpose', [seq], { perm: { ints: [1, 0, 2] } }, `${base}/sequences`);
    // Before its first kept step a masked layer outputs the carried state: h0.
    main = steps ? backToSteps(g, y, steps, 3, !!config.zero_output_for_mask, `${base}/mask`, h0 && unsqueeze(g, h0, 1, `${base}/h0_steps`)) : y;
  } else {
    const last = g.op('Squeeze', [Yh, g.int64s(`${base}/dir_axis`, [0])], {}, `${base}/last`);
    main = steps ? zeroEmptyRows(g, last, steps, 2, `${base}/mask`, h0) : last;
  }
  return config.return_state ? [main, ...finalStates(g, states, 1, steps, base, initial)] : [main];
}

/**
 * Bidirectional as one operator with direction bidirectional: ONNX returns the backward direction's
 * steps in input order, which is how Keras aligns them before merging.
 */
export function exportBidirectional(g: OnnxGraphBuilder, layer: Bidirectional, x: string, mask?: string, initial: string[] = []): string[] {
  const fwd = layer.forwardLayer.getConfig();
  const bwd = layer.backwardLayer.getConfig();
  if (fwd.go_backwards || !bwd.go_backwards) throw unsupported(layer, 'only a forward layer with a go_backwards backward layer (the default) has an ONNX export');
  if (fwd.return_sequences !== bwd.return_sequences) throw unsupported(layer, 'the directions differ in returnSequences');
  const base = layer.name;
  const dirs = [direction(layer.forwardLayer), direction(layer.backwardLayer)];
  if (dirs[0].op !== dirs[1].op || dirs[0].units !== dirs[1].units) throw unsupported(layer, 'the two directions differ in class or units, which one ONNX operator cannot hold');
  // With a mask, ONNX's backward direction runs the kept steps (moved to the front) last to first.
  const run = mask ? keptFirst(g, x, mask, `${base}/mask`) : { x, lens: '' };
  // Initial states come forward h (c) then backward h (c); ONNX stacks each kind over the directions.
  const perDirection = initial.length / 2;
  const stacked = (axis: number, name: string, kinds = perDirection) => Array.from({ length: kinds }, (_, k) =>
    g.op('Concat', [0, 1].map((d) => unsqueeze(g, initial[d * perDirection + k], axis, `${base}/${name}${d}_${k}`)), { axis }, `${base}/${name}${k}`));
  const { Y, Yh, states } = recurrentNode(g, layer, run.x, dirs, 'bidirectional', base, run.lens, stacked(0, 'initial'));
  // returnState: [merged..., forward h (c), backward h (c)].
  const tail = layer.returnState ? finalStates(g, states, 2, mask, base, initial) : [];
  // Directions on axis `dirAxis` of [batch, time, 2, U] or [batch, 2, U]; masked steps are zeros in both (Keras).
  let [both, dirAxis] = fwd.return_sequences
    ? [g.op('Transpose', [Y], { perm: { ints: [2, 0, 1, 3] } }, `${base}/batch_major`), 2]
    : [g.op('Transpose', [Yh], { perm: { ints: [1, 0, 2] } }, `${base}/batch_major`), 1];
  if (mask) both = fwd.return_sequences ? backToSteps(g, both, mask, 4, true, `${base}/mask`) : zeroEmptyRows(g, both, mask, 3, `${base}/mask`, initial.length ? stacked(1, 'h0_rows', 1)[0] : undefined);
  return [...merge(g, layer, both, dirAxis, base), ...tail];
}

/** The two directions on axis `dirAxis` of `both` merged as the layer's mergeMode says (null: both, in order). */
function merge(g: OnnxGraphBuilder, layer: Bidirectional, both: string, dirAxis: number, base: string): string[] {
  switch (layer.mergeMode) {
    case 'concat':
      return [g.op('Reshape', [both, g.int64s(`${base}/shape`, dirAxis === 2 ? [0, 0, -1] : [0, -1])], {}, `${base}/concat`)];
    case 'sum':
      return [g.reduce('ReduceSum', both, [dirAxis], false, `${base}/sum`)];
    case 'ave':
      return [g.reduce('ReduceMean', both, [dirAxis], false, `${base}/ave`)];
    case 'mul':
      return [g.reduce('ReduceProd', both, [dirAxis], false, `${base}/mul`)];
    case null:
      return g.halves(both, dirAxis, `${base}/split`).map((h, i) => g.op('Squeeze', [h, g.int64s(`${base}/axis${i}`, [dirAxis])], {}, `${base}/${i ? 'backward' : 'forward'}`));
  }
}

// ONNX recurrent weights → this library's: W [D, G·H, I] and R [D, G·H, H] (ONNX gate order) become a
// kernel [I, G·H] and recurrent kernel [H, G·H] in Keras gate order, B [D, 2·G·H] (Wb then Rb) one bias
// (or GRU's [2, G·H] rows with linear_before_reset), P [D, 3H] (p_i, p_o, p_f) peepholes p_i, p_f, p_o.

/** ONNX gate g is Keras gate ORDER[g] (LSTM: ONNX i, o, f, c; Keras i, f, c, o; GRU z, r, h in both). */
export const GATE_ORDER = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], RNN: [0] } as const;
export type RecurrentOp = keyof typeof GATE_ORDER;

/** Direction `d` of an ONNX weight [D, G·H, cols] as a Keras kernel [cols, G·H]. */
export function kerasKernel(w: Float32Array, d: number, cols: number, units: number, order: readonly number[]): Float32Array {
  const G = order.length, out = new Float32Array(cols * G * units);
  const base = d * G * units * cols;
  for (let g = 0; g < G; g++) {
    for (let u = 0; u < units; u++) {
      const col = order[g] * units + u;
      for (let i = 0; i < cols; i++) out[i * G * units + col] = w[base + (g * units + u) * cols + i];
    }
  }
  return out;
}

/** One ONNX bias row [G·H] (starting at `at`) in Keras gate order. */
function kerasRow(b: Float32Array, at: number, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((k, g) => out.set(b.subarray(at + g * units, at + (g + 1) * units), k * units));
  return out;
}

/**
 * Direction `d` of B [D, 2·G·H] (absent: zeros): with `separate` (GRU linear_before_reset) the two rows
 * [2, G·H] as resetAfter keeps them, else Wb + Rb in one row (both are added outside any gate product).
 */
export function kerasBias(b: Float32Array | null, d: number, units: number, order: readonly number[], separate: boolean): Float32Array {
  const GH = order.length * units;
  if (!b) return new Float32Array(separate ? 2 * GH : GH);
  const wb = kerasRow(b, d * 2 * GH, units, order), rb = kerasRow(b, d * 2 * GH + GH, units, order);
  if (separate) {
    const out = new Float32Array(2 * GH);
    out.set(wb);
    out.set(rb, GH);
    return out;
  }
  return wb.map((v, i) => v + rb[i]);
}

/** Direction `d` of P [D, 3H] (p_i, p_o, p_f) as peephole_weights [3H] (p_i, p_f, p_o). */
export function kerasPeepholes(p: Float32Array, d: number, units: number): Float32Array {
  const at = d * 3 * units, out = new Float32Array(3 * units);
  out.set(p.subarray(at, at + units), 0);
  out.set(p.subarray(at + 2 * units, at + 3 * units), units);
  out.set(p.subarray(at + units, at + 2 * units), 2 * units);
  return out;
}

// L2 normalisation of the vectors along one axis of per-sample matrices (Keras 3 ops.normalize,
// which Dot uses with normalize: true), forward and backward, over the backend's float view.
import type { FloatArray } from '../backend/backend.js';

/** Below this norm Keras 3 scales by 1/EPSILON instead of 1/norm (backend.epsilon()). */
const EPSILON = 1e-7;

/**
 * `samples` row-major matrices [rows, cols] at a float index; the vectors run along `axis` of each
 * matrix (1: each row is a vector, 0: each column is).
 */
export interface VectorLayout {
  samples: number;
  rows: number;
  cols: number;
  axis: 0 | 1;
}

/** Calls fn(start, stride, length, vector) for every vector of the layout (start relative to the block). */
function eachVector(l: VectorLayout, fn: (start: number, stride: number, length: number, v: number) => void): void {
  const perSample = l.axis === 1 ? l.rows : l.cols;
  for (let s = 0; s < l.samples; s++) {
    for (let v = 0; v < perSample; v++) {
      const start = s * l.rows * l.cols + (l.axis === 1 ? v * l.cols : v);
      if (l.axis === 1) fn(start, 1, l.cols, s * perSample + v);
      else fn(start, l.cols, l.rows, s * perSample + v);
    }
  }
}

/**
 * y = x · min(1/‖x‖, 1/EPSILON) per vector (float indices `x`, `y`; may be equal). Returns the
 * scale of each vector, which the backward needs.
 */
export function l2Normalize(f: FloatArray, x: number, y: number, l: VectorLayout): Float64Array {
  const inv = new Float64Array(l.samples * (l.axis === 1 ? l.rows : l.cols));
  eachVector(l, (start, stride, length, v) => {
    let sq = 0;
    for (let i = 0; i < length; i++) sq += f[x + start + i * stride] ** 2;
    const s = Math.min(1 / Math.sqrt(sq), 1 / EPSILON);
    inv[v] = s;
    for (let i = 0; i < length; i++) f[y + start + i * stride] = f[x + start + i * stride] * s;
  });
  return inv;
}

/**
 * dx from dy and the forward's output y and scales: dx = s·(dy − y·Σ dy·y) per vector, or s·dy
 * where the scale was clamped (constant there). Float indices; dx may be dy.
 */
export function l2NormalizeBackward(f: FloatArray, y: number, dy: number, dx: number, inv: Float64Array, l: VectorLayout): void {
  eachVector(l, (start, stride, length, v) => {
    const s = inv[v];
    let dot = 0;
    if (s < 1 / EPSILON) for (let i = 0; i < length; i++) dot += f[dy + start + i * stride] * f[y + start + i * stride];
    for (let i = 0; i < length; i++) {
      const at = start + i * stride;
      f[dx + at] = s * (f[dy + at] - f[y + at] * dot);
    }
  });
}

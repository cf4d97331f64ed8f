import { LwError } from './errors.js';
import type { Random } from './random.js';

/** Fills `out` (a weight of `shape`, row-major) with initial values. */
export type Initializer = (shape: readonly number[], out: Float32Array, rng: Random) => void;
export type InitializerName =
  | 'zeros' | 'ones' | 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal'
  | 'lecunUniform' | 'lecunNormal' | 'orthogonal' | 'randomUniform' | 'randomNormal';

/** Keras fans: a 2-D weight [in, out] has fanIn = in, fanOut = out; larger kernels multiply the receptive field. */
function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

const uniform = (limit: number): Initializer => (_s, out, rng) => {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
};

/** Keras truncated normal: draws beyond two standard deviations are redrawn. */
const truncNormal = (std: number): Initializer => (_s, out, rng) => {
  const sd = std / 0.87962566103423978; // Keras' correction for the truncation
  for (let i = 0; i < out.length; i++) {
    let v: number;
    do v = rng.normal(); while (Math.abs(v) > 2);
    out[i] = v * sd;
  }
};

const scaled = (scale: number, mode: 'fanIn' | 'fanAvg', dist: 'uniform' | 'normal'): Initializer => (shape, out, rng) => {
  const [fi, fo] = fans(shape);
  const n = mode === 'fanIn' ? fi : (fi + fo) / 2;
  const variance = scale / Math.max(1, n);
  (dist === 'uniform' ? uniform(Math.sqrt(3 * variance)) : truncNormal(Math.sqrt(variance)))(shape, out, rng);
};

/**
 * Keras orthogonal: QR of a normal matrix [max(r,c), min(r,c)] (modified Gram-Schmidt, float64),
 * columns sign-corrected by diag(R), transposed when rows < cols, so rows or columns are orthonormal.
 */
export const orthogonal: Initializer = (shape, out, rng) => {
  const cols = shape[shape.length - 1] ?? 1;
  const rows = out.length / Math.max(cols, 1);
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  // q: m column vectors of length n
  const q = Array.from({ length: m }, () => Float64Array.from({ length: n }, () => rng.normal()));
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[j][i] * q[k][i];
      for (let i = 0; i < n; i++) q[j][i] -= dot * q[k][i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[j][i] * q[j][i];
    norm = Math.sqrt(norm);
    // Gram-Schmidt keeps diag(R) positive, which is Keras' sign correction.
    for (let i = 0; i < n; i++) q[j][i] /= norm || 1;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // [n, m] matrix Q: if rows >= cols it is the weight, else its transpose
      out[r * cols + c] = rows >= cols ? q[c][r] : q[r][c];
    }
  }
};

const INITIALIZERS: Record<InitializerName, Initializer> = {
  zeros: (_s, out) => out.fill(0),
  ones: (_s, out) => out.fill(1),
  glorotUniform: scaled(1, 'fanAvg', 'uniform'),
  glorotNormal: scaled(1, 'fanAvg', 'normal'),
  heUniform: scaled(2, 'fanIn', 'uniform'),
  heNormal: scaled(2, 'fanIn', 'normal'),
  lecunUniform: scaled(1, 'fanIn', 'uniform'),
  lecunNormal: scaled(1, 'fanIn', 'normal'),
  orthogonal,
  randomUniform: uniform(0.05),
  randomNormal: (_s, out, rng) => {
    for (let i = 0; i < out.length; i++) out[i] = rng.normal() * 0.05;
  },
};

/** Accepts Keras/TF.js names in camelCase or snake_case ('glorot_uniform'). */
export function getInitializer(name: InitializerName | string | Initializer): Initializer {
  if (typeof name === 'function') return name;
  const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) as InitializerName;
  const init = INITIALIZERS[camel];
  if (!init) throw new LwError('BAD_ARGUMENT', `unknown initializer "${name}": use ${Object.keys(INITIALIZERS).join(', ')}`);
  return init;
}

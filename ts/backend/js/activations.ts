import { ActivationCode } from '../abi.js';

/** y = act(x) for element-wise activation codes (see `ActivationCode`; softmax is row-wise: `softmaxRow`). */
export function applyAct(code: number, x: number): number {
  switch (code) {
    case ActivationCode.relu: return x > 0 ? x : 0;
    case ActivationCode.tanh: return Math.tanh(x);
    case ActivationCode.sigmoid: return 1 / (1 + Math.exp(-x));
    case ActivationCode.hardSigmoid: return Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case ActivationCode.hardSigmoidKeras3: return Math.min(1, Math.max(0, x / 6 + 0.5));
    default: return x;
  }
}

/** dy/dx from y = act(x). */
export function actDeriv(code: number, y: number): number {
  switch (code) {
    case ActivationCode.relu: return y > 0 ? 1 : 0;
    case ActivationCode.tanh: return 1 - y * y;
    case ActivationCode.sigmoid: return y * (1 - y);
    case ActivationCode.hardSigmoid: return y > 0 && y < 1 ? 0.2 : 0;
    case ActivationCode.hardSigmoidKeras3: return y > 0 && y < 1 ? 1 / 6 : 0;
    default: return 1;
  }
}

/** In-place softmax of F[off .. off+cols), max-subtracted. */
export function softmaxRow(F: Float64Array, off: number, cols: number): void {
  let mx = -Infinity;
  for (let j = 0; j < cols; j++) mx = Math.max(mx, F[off + j]);
  let sum = 0;
  for (let j = 0; j < cols; j++) {
    const e = Math.exp(F[off + j] - mx);
    F[off + j] = e;
    sum += e;
  }
  for (let j = 0; j < cols; j++) F[off + j] /= sum;
}

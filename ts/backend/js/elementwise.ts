import type { Kernels } from '../abi.js';
import { ActivationCode } from '../abi.js';
import { type JsMemory, fx } from './memory.js';
import { actDeriv, applyAct, softmaxRow } from './activations.js';

/** x [rows,cols] = act(x + b) in place (b < 0: no bias; softmax per row). Shared with dense. */
export function biasActInPlace(F: Float64Array, rows: number, cols: number, act: number, x: number, b: number): void {
  for (let r = 0; r < rows; r++) {
    const row = x + r * cols;
    if (b >= 0) for (let j = 0; j < cols; j++) F[row + j] += F[b + j];
    if (act === ActivationCode.softmax) softmaxRow(F, row, cols);
    else for (let j = 0; j < cols; j++) F[row + j] = applyAct(act, F[row + j]);
  }
}

/** dx = dy · act'(y) over [rows,cols] float indices (softmax: y·(dy - Σ dy·y) per row); dx may be dy. */
export function actBackward(F: Float64Array, rows: number, cols: number, act: number, y: number, dy: number, dx: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (act === ActivationCode.softmax) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += F[dy + o + j] * F[y + o + j];
      for (let j = 0; j < cols; j++) F[dx + o + j] = F[y + o + j] * (F[dy + o + j] - s);
    } else {
      for (let j = 0; j < cols; j++) F[dx + o + j] = F[dy + o + j] * actDeriv(act, F[y + o + j]);
    }
  }
}

/** db [cols] += Σ_rows dy [rows,cols] (float indices). */
export function biasGrad(F: Float64Array, rows: number, cols: number, dy: number, db: number): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) F[db + j] += F[dy + r * cols + j];
}

export function elementwiseKernels(mem: JsMemory): Pick<Kernels, 'activation_forward' | 'activation_backward' | 'bias_add' | 'bias_grad' | 'mul' | 'add' | 'axpy' | 'fill' | 'count_non_finite'> {
  return {
    activation_forward(rows, cols, act, pX, pY) {
      const F = mem.F;
      const x = fx(pX), y = fx(pY);
      for (let i = 0; i < rows * cols; i++) F[y + i] = F[x + i];
      biasActInPlace(F, rows, cols, act, y, -1);
    },
    activation_backward(rows, cols, act, pY, pDy, pDx) {
      actBackward(mem.F, rows, cols, act, fx(pY), fx(pDy), fx(pDx));
    },
    bias_add(rows, cols, pX, pB) {
      biasActInPlace(mem.F, rows, cols, ActivationCode.linear, fx(pX), fx(pB));
    },
    bias_grad(rows, cols, pDy, pDb) {
      biasGrad(mem.F, rows, cols, fx(pDy), fx(pDb));
    },
    mul(n, pA, pB, pOut) {
      const F = mem.F;
      const a = fx(pA), b = fx(pB), o = fx(pOut);
      for (let i = 0; i < n; i++) F[o + i] = F[a + i] * F[b + i];
    },
    add(n, pA, pB, pOut) {
      const F = mem.F;
      const a = fx(pA), b = fx(pB), o = fx(pOut);
      for (let i = 0; i < n; i++) F[o + i] = F[a + i] + F[b + i];
    },
    axpy(n, alpha, pX, pY) {
      const F = mem.F;
      const x = fx(pX), y = fx(pY);
      for (let i = 0; i < n; i++) F[y + i] += alpha * F[x + i];
    },
    fill(n, value, pX) {
      mem.F.fill(value, fx(pX), fx(pX) + n);
    },
    count_non_finite(n, pX) {
      const F = mem.F;
      const x = fx(pX);
      let count = 0;
      for (let i = 0; i < n; i++) if (!Number.isFinite(F[x + i])) count++;
      return count;
    },
  };
}

// Keras 3's hard_sigmoid (activation code 6, 'hardSigmoidKeras3': relu6(x + 3)/6): the oracle against
// the formula, every wasm flavour (simd, scalar, simd-threads) against the oracle in the element-wise,
// dense and recurrent kernels, and its derivative against central differences.
import { describe, it, expect, beforeAll } from 'vitest';
import { ActivationCode } from '../../ts/backend/abi.js';
import { actDeriv, applyAct } from '../../ts/backend/js/activations.js';
import {
  activationBackward, activationForward, denseBackward, denseForward, denseWsFloats, resolveActivation, type ActivationName,
} from '../../ts/backend/kernels/index.js';
import type { Backend } from '../../ts/backend/backend.js';
import { createBackend } from '../../ts/runtime/ready.js';
import { createWasmBackend } from '../../ts/backend/wasm/backend.js';
import { expectClose, numericGrad, randArray, run, weightedSum, ws } from '../helpers/kernels.js';
import { lstmData, runLstm, LSTM_PARAMS, type LstmCase, type LstmData } from '../helpers/lstm-case.js';
import { makeData, runCase, type RecCase } from '../helpers/recurrent-case.js';

const K3: ActivationName = 'hardSigmoidKeras3';
const relu6 = (v: number) => Math.min(6, Math.max(0, v));

let js: Backend;
let flavours: [string, Backend][];
beforeAll(async () => {
  js = await createBackend('js');
  flavours = [['simd', await createBackend('simd')], ['scalar', await createBackend('scalar')], ['simd-threads', await createWasmBackend('simd-threads')]];
});

describe('the oracle', () => {
  it('is code 6, resolves from both spellings, and differs from TF.js hardSigmoid', () => {
    expect(ActivationCode.hardSigmoidKeras3).toBe(6);
    expect(resolveActivation('hard_sigmoid_keras3', 'test')).toBe(K3);
    expect(resolveActivation('hardSigmoidKeras3', 'test')).toBe(K3);
    // At x = 1 Keras 3 gives 4/6, TF.js 0.7.
    expect(applyAct(ActivationCode.hardSigmoidKeras3, 1)).toBeCloseTo(4 / 6, 15);
    expect(applyAct(ActivationCode.hardSigmoid, 1)).toBeCloseTo(0.7, 15);
  });

  it('equals relu6(x + 3)/6 everywhere, with derivative 1/6 strictly inside (0, 1) and 0 outside', () => {
    const xs = [-100, -3.5, -3, -2.999, -1, -0.25, 0, 0.3, 2.5, 2.999, 3, 3.01, 50, ...randArray(200, 3, 5)];
    for (const x of xs) {
      const y = applyAct(ActivationCode.hardSigmoidKeras3, x);
      expect(y, `x = ${x}`).toBeCloseTo(relu6(x + 3) / 6, 14);
      expect(actDeriv(ActivationCode.hardSigmoidKeras3, y), `x = ${x}`).toBe(x > -3 && x < 3 ? 1 / 6 : 0);
    }
  });

  it('its backward matches central differences away from the kinks at ±3', () => {
    const [rows, cols] = [4, 7];
    const x = randArray(rows * cols, 11, 5).map((v) => (Math.abs(Math.abs(v) - 3) < 0.05 ? v * 0.9 : v));
    const w = randArray(rows * cols, 12);
    const forward = (xs: number[]) => run(js, { x: { f: xs }, y: { out: xs.length } }, (p, k) => activationForward(k, { rows, cols, activation: K3, x: p.x, y: p.y })).y;
    const y = forward(x);
    const dx = run(js, { y: { f: y }, dy: { f: w }, dx: { out: w.length } }, (p, k) => activationBackward(k, { rows, cols, activation: K3, y: p.y, dy: p.dy, dx: p.dx })).dx;
    const numeric = numericGrad((xs) => weightedSum(forward(xs), w), x);
    expect(numeric.filter((v) => v !== 0).length, 'some inputs inside (-3, 3) and some outside').toBeLessThan(x.length);
    expect(numeric.some((v) => v !== 0)).toBe(true);
    expectClose(dx, numeric, 1e-8, 1e-6, 'd/dx');
  });
});

describe('every wasm flavour against the oracle', () => {
  it('activation_forward / activation_backward, odd sizes, in place and not', () => {
    for (const [name, b] of flavours) {
      for (const [rows, cols] of [[1, 1], [1, 7], [3, 5], [5, 17], [4, 64]]) {
        const x = randArray(rows * cols, rows * 31 + cols, 6);
        const fwd = (be: Backend, inPlace: boolean) => inPlace
          ? run(be, { x: { f: x } }, (p, k) => activationForward(k, { rows, cols, activation: K3, x: p.x, y: p.x })).x
          : run(be, { x: { f: x }, y: { out: x.length } }, (p, k) => activationForward(k, { rows, cols, activation: K3, x: p.x, y: p.y })).y;
        const want = fwd(js, false);
        expectClose(fwd(b, false), want, 1e-7, 1e-6, `${name} ${rows}x${cols} forward`);
        expectClose(fwd(b, true), want, 1e-7, 1e-6, `${name} ${rows}x${cols} forward in place`);
        const y = Float64Array.from(want, Math.fround);
        const dy = randArray(rows * cols, rows + cols);
        const bwd = (be: Backend) => run(be, { y: { f: y }, dy: { f: dy }, dx: { out: dy.length } }, (p, k) => activationBackward(k, { rows, cols, activation: K3, y: p.y, dy: p.dy, dx: p.dx })).dx;
        expectClose(bwd(b), bwd(js), 1e-7, 1e-6, `${name} ${rows}x${cols} backward`);
      }
    }
  });

  it('dense forward and backward with activation hardSigmoidKeras3', () => {
    const [N, In, Out] = [9, 13, 11];
    const data = { x: randArray(N * In, 1, 3), w: randArray(In * Out, 2), bias: randArray(Out, 3), dy: randArray(N * Out, 4) };
    const both = (b: Backend) => run(b, {
      x: { f: data.x }, w: { f: data.w }, bias: { f: data.bias }, y: { out: N * Out }, dy: { f: data.dy },
      dx: { out: N * In }, dw: { zeros: In * Out }, db: { zeros: Out }, ws: ws(denseWsFloats(b.kernels, { N, In, Out })),
    }, (p, k) => {
      denseForward(k, { N, In, Out, activation: K3, x: p.x, kernel: p.w, bias: p.bias, y: p.y, ws: p.ws });
      denseBackward(k, { N, In, Out, activation: K3, x: p.x, kernel: p.w, y: p.y, dy: p.dy, dx: p.dx, dKernel: p.dw, dBias: p.db, ws: p.ws });
    });
    const want = both(js);
    // The products spread over both linear pieces and the flat parts.
    expect(want.y.some((v) => v === 0) || want.y.some((v) => v === 1)).toBe(true);
    expect(want.y.some((v) => v > 0 && v < 1)).toBe(true);
    for (const [name, b] of flavours) {
      const got = both(b);
      for (const key of ['y', 'dx', 'dw', 'db']) expectClose(got[key], want[key], 2e-5, 1e-5, `${name} dense ${key}`);
    }
  });
});

const lstmCase: LstmCase = {
  B: 3, T: 5, I: 4, U: 6, goBackwards: false, act: 'tanh', recAct: K3,
  h0: true, c0: true, bias: true, mask: true, recMask: false, dHs: true, dHT: true, dCT: true, skipOptional: false,
};

describe('LSTM, GRU and SimpleRNN with hardSigmoidKeras3', () => {
  const lstmCases: LstmCase[] = [
    lstmCase,
    { ...lstmCase, goBackwards: true, recMask: true, B: 5, U: 9 },
    // as the cell activation too (hard sigmoid for both)
    { ...lstmCase, act: K3, mask: false, B: 2, T: 7, I: 3, U: 17 },
  ];

  it('LSTM (recurrentActivation hardSigmoidKeras3): every flavour matches the oracle, forward and every gradient', () => {
    for (const [j, c] of lstmCases.entries()) {
      const d = lstmData(c, 300 + j, true);
      const want = runLstm(js, c, d);
      for (const [name, b] of flavours) {
        const got = runLstm(b, c, d);
        for (const key of ['hs', 'hT', 'cT', 'dx', 'dH0', 'dC0', 'dKernel', 'dRecKernel', 'dBias']) {
          expectClose(got[key], want[key], 2e-5, 1e-4, `${name} case ${j} ${key}`);
        }
      }
    }
  });

  it('LSTM backward matches central differences (float64 oracle)', () => {
    const c: LstmCase = { ...lstmCase, mask: false, B: 2, T: 3, I: 3, U: 3 };
    const d = lstmData(c, 77);
    // Enough pre-activations land inside (-3, 3) that the gate gradients are not all zero.
    const loss = (dd: LstmData) => {
      const o = runLstm(js, c, dd, 0);
      return weightedSum(o.hs, d.dHs) + weightedSum(o.hT, d.dHT) + weightedSum(o.cT, d.dCT);
    };
    const analytic = runLstm(js, c, d);
    const gradOf: Record<string, string> = { x: 'dx', kernel: 'dKernel', recKernel: 'dRecKernel', bias: 'dBias', h0: 'dH0', c0: 'dC0' };
    for (const p of LSTM_PARAMS) {
      const numeric = numericGrad((v) => loss({ ...d, [p]: v }), d[p]);
      expect(numeric.some((v) => Math.abs(v) > 1e-3), `${p} gradient is not trivially zero`).toBe(true);
      expectClose(analytic[gradOf[p]], numeric, 1e-7, 1e-6, `${gradOf[p]}`);
    }
  });

  it('GRU (both reset modes) and SimpleRNN: every flavour matches the oracle', () => {
    const cases: RecCase[] = [
      { cell: 'gru', B: 3, T: 4, I: 5, U: 7, resetAfter: true, act: 'tanh', recAct: K3, h0: true, bias: true, mask: true },
      { cell: 'gru', B: 2, T: 5, I: 3, U: 6, resetAfter: false, act: K3, recAct: K3, bias: true, recMask: true },
      { cell: 'simpleRNN', B: 4, T: 6, I: 3, U: 5, act: K3, h0: true, bias: true, mask: true },
    ];
    for (const [j, c] of cases.entries()) {
      const d = makeData(c, 500 + j);
      const want = runCase(js, c, d);
      for (const [name, b] of flavours) {
        const got = runCase(b, c, d);
        for (const key of ['hs', 'hT', 'dx', 'dKernel', 'dRec', 'dBias', 'dH0'] as const) {
          expectClose(got[key]!, want[key]!, 2e-5, 1e-4, `${name} ${c.cell} case ${j} ${key}`);
        }
      }
    }
  });
});

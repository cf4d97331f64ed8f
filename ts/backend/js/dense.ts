import type { Kernels } from '../abi.js';
import { ActivationCode } from '../abi.js';
import { type JsMemory, fx } from './memory.js';
import { gemmJs } from './gemm.js';
import { actBackward, biasActInPlace, biasGrad } from './elementwise.js';

/** Dense: y [N,Out] = act(x [N,In] · w [In,Out] + b [Out]); backward from y. ws holds dz [N,Out]. */
export function denseKernels(mem: JsMemory): Pick<Kernels, 'dense_forward' | 'dense_backward' | 'dense_ws_floats'> {
  return {
    dense_forward(N, In, Out, act, pX, pW, pB, pY) {
      const F = mem.F;
      gemmJs(F, 0, 0, N, Out, In, 1, fx(pX), In, fx(pW), Out, 0, fx(pY), Out);
      biasActInPlace(F, N, Out, act, fx(pY), pB ? fx(pB) : -1);
    },
    dense_backward(N, In, Out, act, pX, pW, pY, pDy, pDx, pDw, pDb, ws) {
      const F = mem.F;
      let dz = fx(pDy);
      if (act !== ActivationCode.linear) {
        dz = fx(ws);
        actBackward(F, N, Out, act, fx(pY), fx(pDy), dz);
      }
      if (pDx) gemmJs(F, 0, 1, N, In, Out, 1, dz, Out, fx(pW), Out, 0, fx(pDx), In);
      if (pDw) gemmJs(F, 1, 0, In, Out, N, 1, fx(pX), In, dz, Out, 1, fx(pDw), Out);
      if (pDb) biasGrad(F, N, Out, dz, fx(pDb));
    },
    dense_ws_floats: (N, _In, Out) => N * Out,
  };
}

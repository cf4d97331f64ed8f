// The recurrent forwards' projected-input mode (kernel pointer 0: x holds x·kernel [B,T,G]) gives
// the outputs of the ordinary call on every backend, over odd shapes and every option.
import { describe, it, beforeAll } from 'vitest';
import { Act, RecurrentFlags } from '../ts/backend/abi.js';
import type { Backend } from '../ts/backend/backend.js';
import { allBackends, randArray, run, ws, expectClose, type NamedBackends } from './helpers/kernels.js';

let BE: NamedBackends;
beforeAll(async () => {
  BE = await allBackends();
});

type Cell = 'lstm' | 'gru' | 'gruResetAfter' | 'rnn';
const GATES: Record<Cell, number> = { lstm: 4, gru: 3, gruResetAfter: 3, rnn: 1 };

interface Case { cell: Cell; B: number; T: number; I: number; U: number; back: boolean; mask: boolean; h0: boolean }

/** x·kernel in float64, rounded to float32 (what a table gathered from f32 memory holds). */
function project(x: number[], kernel: number[], rows: number, I: number, G: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < G; j++) {
      let v = 0;
      for (let i = 0; i < I; i++) v += x[r * I + i] * kernel[i * G + j];
      out.push(Math.fround(v));
    }
  }
  return out;
}

/** hs and hT of one forward call, with the kernel or with pre-projected inputs. */
function forward(b: Backend, c: Case, seed: number, projected: boolean) {
  const { B, T, I, U } = c;
  const G = GATES[c.cell] * U;
  const x = randArray(B * T * I, seed);
  const kernel = randArray(I * G, seed + 1, 0.5);
  const rec = randArray(U * G, seed + 2, 0.5);
  const bias = randArray(c.cell === 'gruResetAfter' ? 2 * G : G, seed + 3, 0.3);
  const mask = Array.from({ length: B * T }, (_, i) => (c.mask && i % 3 === 1 ? 0 : 1));
  const h0 = randArray(B * U, seed + 4);
  const flags = (c.back ? RecurrentFlags.goBackwards : 0) | (c.cell === 'gruResetAfter' ? RecurrentFlags.resetAfter : 0);
  const k = b.kernels;
  const kind = c.cell === 'gruResetAfter' ? 'gru' : c.cell;
  const bufs = {
    x: { f: projected ? project(x, kernel, B * T, I, G) : x },
    kernel: projected ? null : { f: kernel },
    rec: { f: rec }, bias: { f: bias }, h0: c.h0 ? { f: h0 } : null, c0: c.h0 ? { f: h0 } : null,
    mask: c.mask ? { f: mask } : null, hs: { out: B * T * U }, hT: { out: B * U }, cT: { out: B * U },
    cache: ws(k[`${kind}_cache_floats`](B, T, I, U)), ws: ws(k[`${kind}_ws_floats`](B, T, I, U)),
  };
  const out = run(b, bufs, (p) => {
    if (kind === 'lstm') {
      k.lstm_forward(B, T, I, U, flags, Act.tanh, Act.sigmoid, p.x, p.kernel, p.rec, p.bias, p.h0, p.c0, p.mask, 0, p.hs, p.hT, p.cT, p.cache, p.ws);
    } else if (kind === 'gru') {
      k.gru_forward(B, T, I, U, flags, Act.tanh, Act.sigmoid, p.x, p.kernel, p.rec, p.bias, p.h0, p.mask, 0, p.hs, p.hT, p.cache, p.ws);
    } else {
      k.rnn_forward(B, T, I, U, flags, Act.tanh, p.x, p.kernel, p.rec, p.bias, p.h0, p.mask, 0, p.hs, p.hT, p.cache, p.ws);
    }
  });
  return { hs: out.hs, hT: out.hT };
}

const SHAPES: [number, number, number, number][] = [[1, 1, 1, 1], [2, 3, 5, 7], [5, 4, 13, 3], [3, 7, 2, 17], [64, 5, 16, 8]];

describe('recurrent forwards with projected inputs (kernel 0) match the ordinary call', () => {
  for (const cell of Object.keys(GATES) as Cell[]) {
    it(`${cell} on every backend`, () => {
      SHAPES.forEach(([B, T, I, U], n) => {
        const c: Case = { cell, B, T, I, U, back: n % 2 === 1, mask: n % 3 !== 0, h0: n % 2 === 0 };
        for (const name of ['js', 'wasm-simd', 'wasm'] as const) {
          const plain = forward(BE[name], c, 100 + n, false);
          const proj = forward(BE[name], c, 100 + n, true);
          // Only the rounding of the projections to float32 differs.
          expectClose(proj.hs, plain.hs, 2e-6, 1e-5, `${name} ${cell} hs B${B} T${T} I${I} U${U}`);
          expectClose(proj.hT, plain.hT, 2e-6, 1e-5, `${name} ${cell} hT`);
        }
      });
    });
  }
});

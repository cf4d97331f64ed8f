// The recurrent kernels' projected-input mode (kernel pointer 0) gives the outputs of the ordinary
// call on every backend, over odd shapes and every option: x as rows of projections [B,T,G]
// (forward only), or as a table of projections [V,G] read through ids [B,T] (forward, and a
// backward whose dx is the projections' gradient [B,T,G]: projected back through the kernel it is
// the ordinary dx, and x^T times it the ordinary dKernel).
import { describe, it, beforeAll } from 'vitest';
import type { Backend } from '../../ts/backend/backend.js';
import { CELLS, cellBackward, cellCacheFloats, cellForward, cellWsFloats, type CellKind } from '../../ts/backend/kernels/index.js';
import { allBackends, randArray, run, ws, expectClose, type NamedBackends } from '../helpers/kernels.js';

let BE: NamedBackends;
beforeAll(async () => {
  BE = await allBackends();
});

type Cell = CellKind | 'gruResetAfter';
const CASE_CELLS: readonly Cell[] = ['lstm', 'gru', 'gruResetAfter', 'simpleRNN'];
/** How x reaches the kernel: rows of inputs and the kernel, rows of projections, a table and ids. */
type Mode = 'kernel' | 'rows' | 'table';

interface Case { cell: Cell; B: number; T: number; I: number; U: number; back: boolean; mask: boolean; h0: boolean }

/** a [rows, n] · b [n, cols] in float64; `round`: to float32 (what a table in f32 memory holds). */
function matmul(a: number[], b: number[], rows: number, n: number, cols: number, round = false): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let v = 0;
      for (let i = 0; i < n; i++) v += a[r * n + i] * b[i * cols + j];
      out.push(round ? Math.fround(v) : v);
    }
  }
  return out;
}
const transpose = (a: ArrayLike<number>, rows: number, cols: number) =>
  Array.from({ length: rows * cols }, (_, k) => a[(k % rows) * cols + Math.floor(k / rows)]);

/** One forward call (and for 'kernel' and 'table' one backward) of case c in `mode`. */
function call(b: Backend, c: Case, seed: number, mode: Mode) {
  const { B, T, I, U } = c;
  const kind: CellKind = c.cell === 'gruResetAfter' ? 'gru' : c.cell;
  const G = CELLS[kind].gates * U;
  const V = 1 + ((B * T) >> 1); // fewer rows than tokens: ids repeat
  const vocab = randArray(V * I, seed);
  const ids = Array.from({ length: B * T }, (_, r) => (r * 7 + seed) % V);
  const x = ids.flatMap((id) => vocab.slice(id * I, id * I + I));
  const kernel = randArray(I * G, seed + 1, 0.5);
  const rec = randArray(U * G, seed + 2, 0.5);
  const bias = randArray(c.cell === 'gruResetAfter' ? 2 * G : G, seed + 3, 0.3);
  const mask = Array.from({ length: B * T }, (_, i) => (c.mask && i % 3 === 1 ? 0 : 1));
  const h0 = randArray(B * U, seed + 4);
  const dHs = randArray(B * T * U, seed + 5);
  const k = b.kernels;
  const dims = { B, T, I, U };
  const xData = mode === 'kernel' ? x : mode === 'rows' ? matmul(x, kernel, B * T, I, G, true) : matmul(vocab, kernel, V, I, G, true);
  const backward = mode !== 'rows';
  const bufs = {
    x: { f: xData }, ids: mode === 'table' ? { i: ids } : null,
    kernel: mode === 'kernel' ? { f: kernel } : null,
    rec: { f: rec }, bias: { f: bias }, h0: c.h0 ? { f: h0 } : null, c0: c.h0 ? { f: h0 } : null,
    mask: c.mask ? { f: mask } : null, hs: { out: B * T * U }, hT: { out: B * U }, cT: { out: B * U },
    cache: ws(cellCacheFloats(k, kind, dims)), ws: ws(cellWsFloats(k, kind, dims)),
    dHs: { f: dHs }, dx: backward ? { out: B * T * (mode === 'table' ? G : I) } : null,
    dK: mode === 'kernel' ? { zeros: I * G } : null, dR: { zeros: U * G }, dBias: { zeros: bias.length },
    dH0: c.h0 ? { out: B * U } : null, dC0: c.h0 && kind === 'lstm' ? { out: B * U } : null,
  };
  const out = run(b, bufs, (p) => {
    const shared = {
      ...dims, goBackwards: c.back, resetAfter: c.cell === 'gruResetAfter', x: p.x, kernel: p.kernel, recurrentKernel: p.rec,
      h0: p.h0, c0: p.c0, mask: p.mask, hs: p.hs, cache: p.cache, ws: p.ws,
    };
    cellForward(k, kind, { ...shared, bias: p.bias, hT: p.hT, cT: p.cT, ids: p.ids });
    if (backward) {
      cellBackward(k, kind, { ...shared, dHs: p.dHs, dx: p.dx, dKernel: p.dK, dRecurrentKernel: p.dR, dBias: p.dBias, dH0: p.dH0, dC0: p.dC0 });
    }
  });
  return { out, x, kernel, G };
}

const SHAPES: [number, number, number, number][] = [[1, 1, 1, 1], [2, 3, 5, 7], [5, 4, 13, 3], [3, 7, 2, 17], [64, 5, 16, 8]];

describe('recurrent kernels with projected inputs (kernel 0) match the ordinary call', () => {
  for (const cell of CASE_CELLS) {
    it(`${cell} on every backend: rows and table forwards; the table backward`, () => {
      SHAPES.forEach(([B, T, I, U], n) => {
        const c: Case = { cell, B, T, I, U, back: n % 2 === 1, mask: n % 3 !== 0, h0: n % 2 === 0 };
        for (const name of ['js', 'simd', 'scalar'] as const) {
          const what = `${name} ${cell} B${B} T${T} I${I} U${U}`;
          const plain = call(BE[name], c, 100 + n, 'kernel');
          const rows = call(BE[name], c, 100 + n, 'rows').out;
          const table = call(BE[name], c, 100 + n, 'table');
          // Only the rounding of the projections to float32 differs.
          for (const [mode, o] of [['rows', rows], ['table', table.out]] as const) {
            expectClose(o.hs, plain.out.hs, 2e-6, 1e-5, `${what} ${mode} hs`);
            expectClose(o.hT, plain.out.hT, 2e-6, 1e-5, `${what} ${mode} hT`);
          }
          const t = table.out;
          for (const key of ['dR', 'dBias', 'dH0', 'dC0'].filter((q) => q in t)) expectClose(t[key], plain.out[key], 2e-6, 1e-5, `${what} ${key}`);
          // dx of the table call is d(x·kernel): through kernel^T it is dx, through x^T dKernel.
          const { x, kernel, G } = table;
          expectClose(matmul(Array.from(t.dx), transpose(kernel, I, G), B * T, G, I), plain.out.dx, 2e-6, 1e-5, `${what} dx`);
          expectClose(matmul(transpose(x, B * T, I), Array.from(t.dx), I, B * T, G), plain.out.dK, 2e-6, 1e-5, `${what} dKernel`);
        }
      });
    });
  }
});

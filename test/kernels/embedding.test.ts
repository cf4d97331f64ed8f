import { describe, it, expect, beforeAll } from 'vitest';
import type { Backend } from '../../ts/backend/backend.js';
import { embeddingBackward, embeddingForward } from '../../ts/backend/kernels/index.js';
import { allBackends, run, randArray, expectClose, numericGrad, weightedSum, rng, ODD_SIZES, WASM_BACKENDS, type NamedBackends } from '../helpers/kernels.js';

let B: NamedBackends;
beforeAll(async () => {
  B = await allBackends();
});

/** Ids in [0, V) with deliberate repeats (V smaller than N). */
function randIds(n: number, v: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.floor(r() * v));
}

function lookup(b: Backend, N: number, D: number, ids: number[], table: number[]): Float64Array {
  return run(b, { ids: { i: ids }, table: { f: table }, out: { out: N * D } }, (p, k) => embeddingForward(k, { n: N, width: D, ids: p.ids, table: p.table, out: p.out })).out;
}

function scatter(b: Backend, N: number, D: number, ids: number[], dOut: number[], dTable0: number[]): Float64Array {
  return run(b, { ids: { i: ids }, dOut: { f: dOut }, dTable: { f: dTable0 } }, (p, k) => embeddingBackward(k, { n: N, width: D, ids: p.ids, dOut: p.dOut, dTable: p.dTable })).dTable;
}

describe('embedding', () => {
  it('forward gathers rows exactly on every backend', () => {
    for (const D of [...ODD_SIZES, 64]) {
      const [N, V] = [D + 4, 5];
      const ids = randIds(N, V, D);
      const table = randArray(V * D, D + 1);
      const want = ids.flatMap((id) => table.slice(id * D, id * D + D));
      for (const name of ['js', ...WASM_BACKENDS] as const) {
        expect([...lookup(B[name], N, D, ids, table)], `${name} D=${D}`).toEqual(want);
      }
    }
  });

  it('backward scatter-adds (repeated ids add up) onto the existing gradient, wasm against the oracle', () => {
    for (const D of [...ODD_SIZES, 64]) {
      const [N, V] = [2 * D + 3, 4];
      const ids = randIds(N, V, 3 * D);
      ids[0] = ids[1] = ids[2] = 2; // at least three repeats
      const dOut = randArray(N * D, D + 7);
      const dTable0 = randArray(V * D, D + 8);
      const want = scatter(B.js, N, D, ids, dOut, dTable0);
      for (const name of WASM_BACKENDS) {
        expectClose(scatter(B[name], N, D, ids, dOut, dTable0), want, 1e-6, 1e-6, `${name} D=${D}`);
      }
      // independent check of the oracle: row v of dTable is dTable0[v] + Σ of the dOut rows with id v
      for (let v = 0; v < V; v++) {
        for (let j = 0; j < D; j++) {
          let s = dTable0[v * D + j];
          ids.forEach((id, r) => { if (id === v) s += dOut[r * D + j]; });
          expect(want[v * D + j]).toBeCloseTo(s, 12);
        }
      }
    }
  });

  it('backward matches central differences of a weighted sum of the lookup (js, float64)', () => {
    const [N, D, V] = [7, 3, 4];
    const ids = [1, 3, 1, 1, 0, 3, 1]; // 2 never appears: its gradient must stay 0
    const table = randArray(V * D, 1);
    const w = randArray(N * D, 2);
    const got = scatter(B.js, N, D, ids, w, new Array(V * D).fill(0));
    expectClose(got, numericGrad((t) => weightedSum(lookup(B.js, N, D, ids, t), w), table), 1e-8, 1e-7, 'dTable');
    expect([...got.slice(2 * D, 3 * D)]).toEqual([0, 0, 0]);
  });
});

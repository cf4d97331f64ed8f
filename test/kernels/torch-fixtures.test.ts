// Every backend's recurrent kernels (forward and backward) against reference values computed by
// real PyTorch: test/fixtures/torch/*.json, written by scripts/torch_fixtures.py (`npm run fixtures:torch`).
// Each fixture holds inputs, the reference hs/hT/cT, and the gradients of
// L = Σ wHs·hs + Σ wHT·hT (+ Σ wCT·cT), so the backward runs with dHs = wHs, dHT = wHT, dCT = wCT.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll } from 'vitest';
import type { Backend } from '../../ts/backend/backend.js';
import { ActivationCode, RecurrentFlags } from '../../ts/backend/abi.js';
import {
  cellBackward, cellCacheFloats, cellForward, cellWsFloats, type ActivationName, type CellKind,
} from '../../ts/backend/kernels/index.js';
import { allBackends, run, expectClose, ws, type BufSpec, type NamedBackends } from '../helpers/kernels.js';

/** The fixture files' families (named by scripts/torch_fixtures.py) and their cells. */
type Family = 'lstm' | 'gru' | 'rnn';
const CELL: Record<Family, CellKind> = { lstm: 'lstm', gru: 'gru', rnn: 'simpleRNN' };
type Arr = number[] | null;

/** One fixture case; arrays are row-major, null means absent (pointer 0). LSTM-only fields are undefined elsewhere. */
interface TorchCase {
  name: string; source: string;
  B: number; T: number; I: number; U: number;
  flags: number; goBackwards: boolean; resetAfter: boolean; act: number; recAct?: number;
  x: number[]; kernel: number[]; recKernel: number[]; bias: Arr; h0: Arr; c0?: Arr; mask: Arr; recMask: Arr;
  wHs: number[]; wHT: Arr; wCT?: Arr;
  hs: number[]; hT: number[]; cT?: number[];
  dx: number[]; dh0: Arr; dc0?: Arr; dKernel: number[]; dRecKernel: number[]; dBias: Arr;
}
interface Fixture { generator: string; family: Family; cases: TorchCase[] }

const FAMILIES: Family[] = ['lstm', 'gru', 'rnn'];
const fixtures = Object.fromEntries(FAMILIES.map((f) => [f, JSON.parse(
  readFileSync(new URL(`../fixtures/torch/${f}.json`, import.meta.url), 'utf8')) as Fixture])) as Record<Family, Fixture>;

/** float32 wasm backends against float64 PyTorch; the JS oracle computes in float64 like the reference. */
const ATOL: Record<keyof NamedBackends, number> = { simd: 1e-5, scalar: 1e-5, js: 1e-9 };

const opt = (a: Arr | undefined): BufSpec => (a ? { f: a } : null);

/** Fixtures store activations as their codes. */
const nameOfCode = (code: number): ActivationName => (Object.keys(ActivationCode) as ActivationName[]).find((n) => ActivationCode[n] === code)!;

/** Forward then backward on one backend; returns every buffer (outputs, input grads, accumulated grads). */
function runCase(b: Backend, family: Family, c: TorchCase): Record<string, Float64Array> {
  const { B, T, I, U } = c;
  const cell = CELL[family];
  const lstm = cell === 'lstm';
  const dims = { B, T, I, U };
  const n = { cache: cellCacheFloats(b.kernels, cell, dims), ws: cellWsFloats(b.kernels, cell, dims) };
  const bufs: Record<string, BufSpec> = {
    x: { f: c.x }, kernel: { f: c.kernel }, recKernel: { f: c.recKernel }, bias: opt(c.bias),
    h0: opt(c.h0), c0: lstm ? opt(c.c0) : null, mask: opt(c.mask), recMask: opt(c.recMask),
    hs: { out: B * T * U }, hT: { out: B * U }, cT: lstm ? { out: B * U } : null,
    cache: { zeros: Math.max(1, n.cache) }, ws: ws(n.ws),
    dHs: { f: c.wHs }, dHT: opt(c.wHT), dCT: lstm ? opt(c.wCT) : null,
    // Input gradients are overwritten (NaN-filled to catch a missed write); parameter gradients accumulate.
    dx: { out: B * T * I }, dH0: c.dh0 ? { out: B * U } : null, dC0: lstm && c.dc0 ? { out: B * U } : null,
    dKernel: { zeros: c.dKernel.length }, dRecKernel: { zeros: c.dRecKernel.length },
    dBias: c.dBias ? { zeros: c.dBias.length } : null,
  };
  const options = {
    goBackwards: c.goBackwards, resetAfter: c.resetAfter, activation: nameOfCode(c.act), recurrentActivation: nameOfCode(c.recAct ?? 0),
  };
  return run(b, bufs, (p, k) => {
    const shared = {
      ...dims, ...options, x: p.x, kernel: p.kernel, recurrentKernel: p.recKernel, h0: p.h0, c0: p.c0, mask: p.mask,
      recurrentMask: p.recMask, hs: p.hs, cache: p.cache, ws: p.ws,
    };
    cellForward(k, cell, { ...shared, bias: p.bias, hT: p.hT, cT: p.cT });
    cellBackward(k, cell, {
      ...shared, dHs: p.dHs, dHT: p.dHT, dCT: p.dCT, dx: p.dx, dKernel: p.dKernel, dRecurrentKernel: p.dRecKernel,
      dBias: p.dBias, dH0: p.dH0, dC0: p.dC0,
    });
  });
}

/** Fixture field -> buffer name in `runCase`. */
const COMPARED: [keyof TorchCase, string][] = [
  ['hs', 'hs'], ['hT', 'hT'], ['cT', 'cT'],
  ['dx', 'dx'], ['dh0', 'dH0'], ['dc0', 'dC0'], ['dKernel', 'dKernel'], ['dRecKernel', 'dRecKernel'], ['dBias', 'dBias'],
];

let backends: NamedBackends;
beforeAll(async () => {
  backends = await allBackends();
});

for (const family of FAMILIES) {
  describe(`${family} kernels against PyTorch (${fixtures[family].generator})`, () => {
    for (const c of fixtures[family].cases) {
      for (const name of ['simd', 'scalar', 'js'] as const) {
        it(`${name}: ${c.name} [${c.source}] B${c.B} T${c.T} I${c.I} U${c.U} flags ${c.flags}`, () => {
          const got = runCase(backends[name], family, c);
          let compared = 0;
          for (const [field, buf] of COMPARED) {
            const want = c[field] as Arr | undefined;
            if (!want) continue;
            expectClose(got[buf], want, ATOL[name], 0, `${family}/${c.name} on ${name}: ${field}`);
            compared++;
          }
          expect(compared).toBeGreaterThanOrEqual(family === 'lstm' ? 6 : 5);
        });
      }
    }
  });
}

describe('torch fixtures cover the kernel features', () => {
  it('every family has goBackwards, mask (masked first step, fully masked row), recMask, single-step and U=1 cases', () => {
    for (const family of FAMILIES) {
      const cases = fixtures[family].cases;
      const has = (p: (c: TorchCase) => boolean, what: string) => expect(cases.some(p), `${family}: ${what}`).toBe(true);
      has((c) => (c.flags & RecurrentFlags.goBackwards) !== 0 && c.goBackwards, 'goBackwards');
      has((c) => c.mask !== null && c.mask.some((m, i) => m === 0 && i % c.T === 0), 'masked first step');
      has((c) => c.mask !== null && Array.from({ length: c.B }, (_, b) =>
        c.mask!.slice(b * c.T, (b + 1) * c.T).every((m) => m === 0)).some(Boolean), 'fully masked row');
      has((c) => c.recMask !== null, 'recMask');
      has((c) => c.mask !== null && c.recMask !== null && c.goBackwards, 'mask + recMask + goBackwards together');
      has((c) => c.B === 1 && c.T === 1, 'B=1, T=1');
      has((c) => c.U === 1, 'U=1');
      has((c) => c.bias === null && c.source.startsWith('torch.nn'), 'no bias');
      has((c) => c.h0 === null, 'no initial state');
      has((c) => c.source.startsWith('torch.nn'), 'a torch.nn module case');
    }
    const gru = fixtures.gru.cases;
    expect(gru.some((c) => c.resetAfter && (c.flags & RecurrentFlags.resetAfter) !== 0)).toBe(true);
    expect(gru.some((c) => !c.resetAfter && (c.flags & RecurrentFlags.resetAfter) === 0)).toBe(true);
    expect(fixtures.rnn.cases.some((c) => c.act === 1)).toBe(true);
    expect(fixtures.rnn.cases.some((c) => c.act === 2)).toBe(true);
  });
});

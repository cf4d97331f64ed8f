// The worker pool (simd-threads flavour): results with 1 and N threads agree, a dead worker is an
// LwError on the call (never a hang), and missing SharedArrayBuffer falls back to one thread.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import os from 'node:os';
import * as lw from '../../ts/index.js';
import type { Backend } from '../../ts/backend/backend.js';
import {
  adamUpdate, embeddingForward, fill, gemm, gemmWsFloats, rmspropUpdate, sgdUpdate, sumSquares,
} from '../../ts/backend/kernels/index.js';
import { LwError } from '../../ts/errors.js';
import { createBackend, currentBackend, getThreads } from '../../ts/runtime/ready.js';
import { poolOf, threadsOf, type ThreadPool } from '../../ts/backend/wasm/threads.js';
import { randArray, run, ws } from '../helpers/kernels.js';
import { lstmData, runLstm, type LstmCase } from '../helpers/lstm-case.js';
import { makeData, runCase, caseName, type RecCase } from '../helpers/recurrent-case.js';
import { until } from '../helpers/until.js';

/** One thread (the plain simd flavour) and a 3-thread pool: uneven splits, more than the cores. */
let one: Backend;
let three: Backend;
let pool: ThreadPool;
beforeAll(async () => {
  one = await createBackend('simd');
  three = await createBackend('simd', { threads: 3 });
  pool = poolOf(three)!;
}, 60_000);
afterAll(() => pool?.close());

/**
 * |a - b| within `ulps` float32 units in the last place of the larger magnitude (or of `floor`
 * for values near zero): the "agree to float32 rounding" of the thread pool.
 */
function expectF32Agreement(a: ArrayLike<number>, b: ArrayLike<number>, what: string, ulps = 4, floor = 1e-6): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(Math.abs(a[i]), Math.abs(b[i]), floor);
    const tol = ulps * scale * 2 ** -23;
    if (!(Math.abs(a[i] - b[i]) <= tol)) expect.fail(`${what}: element ${i} is ${b[i]} with threads, ${a[i]} without (tolerance ${tol})`);
  }
}

/** Runs `fn` and returns how many jobs it split over the pool. */
function jobsDuring<T>(fn: () => T): { result: T; jobs: number } {
  const before = pool.jobs;
  const result = fn();
  return { result, jobs: pool.jobs - before };
}

describe('the pool', () => {
  it('starts N-1 workers and tells the kernels the thread count', () => {
    expect(pool.threads).toBe(3);
    expect(threadsOf(three)).toBe(3);
    expect(threadsOf(one)).toBe(1);
    expect(three.shared).toBe(true);
  });

  it('gemm: row and column splits, transposes, beta, odd sizes agree with one thread', () => {
    // [transA, transB, M, N, K, beta]: tall (row split), wide (column split), square, odd and prime.
    const shapes: [number, number, number, number, number, number][] = [
      [0, 0, 257, 131, 67, 0], [1, 0, 61, 509, 97, 1], [0, 1, 311, 67, 129, 0.5], [1, 1, 97, 389, 83, 0],
      [0, 0, 256, 256, 256, 1], [0, 1, 3200, 64, 256, 0], [1, 0, 64, 256, 3200, 1], [0, 0, 5, 4099, 211, 0],
    ];
    for (const [ta, tb, M, N, K, beta] of shapes) {
      const inputs = (b: Backend) => ({
        a: { f: randArray(M * K, M + K) }, b: { f: randArray(K * N, N + K) }, c: { f: randArray(M * N, M + N) },
        ws: ws(gemmWsFloats(b.kernels, { M, N, K })),
      });
      const call = (b: Backend) => run(b, inputs(b), (p, k) =>
        gemm(k, { M, N, K, transposeA: ta === 1, transposeB: tb === 1, alpha: 0.75, beta, a: p.a, b: p.b, c: p.c, ws: p.ws })).c;
      const want = call(one);
      const { result: got, jobs } = jobsDuring(() => call(three));
      expect(jobs, `gemm ${M}x${N}x${K} was split`).toBe(1);
      expectF32Agreement(want, got, `gemm ta${ta} tb${tb} ${M}x${N}x${K} beta ${beta}`);
    }
  });

  it('embedding_forward: a large gather is split by rows, a small one stays on the calling thread', () => {
    // [rows, width]: a folded layer's rows (3202 = parts of uneven size) and the seed model's b1.
    for (const [n, d, split] of [[3202, 256, 1], [50, 256, 0]]) {
      const V = 1000;
      const ids = Array.from({ length: n }, (_, i) => (i * 7919) % V);
      const call = (b: Backend) => run(b, { ids: { i: ids }, table: { f: randArray(V * d, 9) }, out: { out: n * d } },
        (p, k) => embeddingForward(k, { n, width: d, ids: p.ids, table: p.table, out: p.out })).out;
      const want = call(one);
      const { result: got, jobs } = jobsDuring(() => call(three));
      expect(jobs, `${n} rows of ${d}`).toBe(split);
      expect(got, 'the same rows, bit for bit').toEqual(want);
    }
  });

  it('optimizer updates, fill and sum_squares: long passes split in ranges, the same values', () => {
    const n = 300_007; // uneven parts, a tail after the last block of four; fill splits from 2^18 floats
    const bufs = () => ({ p: { f: randArray(n, 1) }, g: { f: randArray(n, 2) }, m: { f: randArray(n, 3, 0.1) }, v: { f: randArray(n, 4).map(Math.abs) }, z: { f: randArray(n, 5) } });
    const call = (b: Backend) => run(b, bufs(), (p, k) => {
      adamUpdate(k, {
        n, lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, beta1Power: 0.9, beta2Power: 0.999, weightDecay: 0.01, params: p.p, grads: p.g, m: p.m, v: p.v,
      });
      sgdUpdate(k, { n, lr: 0.1, momentum: 0.9, nesterov: true, params: p.p, grads: p.g, velocity: p.m });
      rmspropUpdate(k, {
        n, lr: 0.01, rho: 0.9, momentum: 0.5, epsilon: 1e-7, centered: true, params: p.p, grads: p.g, meanSquare: p.v, momentumSlot: p.m, meanGrad: p.z,
      });
      fill(k, { n, value: 0.25, x: p.g });
    });
    const want = call(one);
    const { result: got, jobs } = jobsDuring(() => call(three));
    expect(jobs, 'four passes on the pool').toBe(4);
    for (const key of Object.keys(want)) expect(got[key], `${key}: the same bits`).toEqual(want[key]);
    const x = randArray(n, 6, 1e3);
    const sums = (b: Backend) => { let s = 0; run(b, { x: { f: x } }, (p, k) => { s = sumSquares(k, { n, x: p.x }); }); return s; };
    const exact = x.reduce((a, v) => a + v * v, 0);
    const { result: pooled, jobs: sumJobs } = jobsDuring(() => sums(three));
    expect(sumJobs).toBe(1);
    expect(Math.abs(pooled - exact) / exact).toBeLessThan(1e-12);
    expect(Math.abs(sums(one) - exact) / exact).toBeLessThan(1e-12);
  });

  it('gemm: small products stay on the calling thread', () => {
    const [M, N, K] = [7, 9, 11];
    const { jobs } = jobsDuring(() => run(three, { a: { f: randArray(M * K, 1) }, b: { f: randArray(K * N, 2) }, c: { zeros: M * N }, ws: ws(gemmWsFloats(three.kernels, { M, N, K })) },
      (p, k) => gemm(k, { M, N, K, a: p.a, b: p.b, c: p.c, ws: p.ws })));
    expect(jobs).toBe(0);
  });
});

describe('recurrent kernels: forward and backward with 1 and 3 threads', () => {
  /** Every output and gradient (the cache and workspace are private layouts). */
  const OUTPUTS = ['hs', 'hT', 'cT', 'dx', 'dKernel', 'dRecKernel', 'dRec', 'dBias', 'dH0', 'dC0', 'dPeep'];
  const lstmCases: LstmCase[] = [
    // every option on; 11 rows over 3 parts
    { B: 11, T: 23, I: 37, U: 29, goBackwards: true, act: 'tanh', recAct: 'sigmoid', h0: true, c0: true, bias: true, mask: true, recMask: true, dHs: true, dHT: true, dCT: true, skipOptional: false },
    // the seed model's first layer at a small batch, optional outputs skipped
    { B: 5, T: 40, I: 64, U: 48, goBackwards: false, act: 'tanh', recAct: 'hardSigmoid', h0: false, c0: false, bias: false, mask: false, recMask: false, dHs: true, dHT: false, dCT: false, skipOptional: true },
    // fewer rows than threads
    { B: 2, T: 60, I: 50, U: 64, goBackwards: false, act: 'relu', recAct: 'sigmoid', h0: true, c0: false, bias: true, mask: true, recMask: false, dHs: false, dHT: true, dCT: true, skipOptional: false },
    // peepholes, every option on (dPeep is summed on the calling thread after the join)
    { B: 11, T: 23, I: 37, U: 29, goBackwards: true, act: 'tanh', recAct: 'sigmoid', h0: true, c0: true, bias: true, mask: true, recMask: true, dHs: true, dHT: true, dCT: true, skipOptional: false, peep: true },
  ];
  for (const c of lstmCases) {
    it(`lstm B${c.B} T${c.T} I${c.I} U${c.U}`, () => {
      const d = lstmData(c, 31 + c.B, true);
      const want = runLstm(one, c, d, 2);
      const { result: got, jobs } = jobsDuring(() => runLstm(three, c, d, 2));
      // forward: rows; each backward: rows, then gate columns
      expect(jobs).toBe(5);
      for (const key of OUTPUTS.filter((k) => k in want)) expectF32Agreement(want[key], got[key], `lstm ${JSON.stringify(c)}: ${key}`);
    });
  }

  const recCases: RecCase[] = [
    { cell: 'gru', B: 11, T: 23, I: 37, U: 29, resetAfter: true, goBackwards: true, h0: true, bias: true, mask: true, recMask: true },
    { cell: 'gru', B: 11, T: 23, I: 37, U: 29, resetAfter: false, goBackwards: true, h0: true, bias: true, mask: true, recMask: true },
    { cell: 'gru', B: 7, T: 31, I: 64, U: 40, resetAfter: false, act: 'relu', recAct: 'hardSigmoid', dHT: false, skipOptional: true },
    { cell: 'gru', B: 2, T: 50, I: 41, U: 64, resetAfter: true, mask: true, dHs: false },
    { cell: 'simpleRNN', B: 9, T: 30, I: 40, U: 70, goBackwards: true, h0: true, bias: true, mask: true, recMask: true },
    { cell: 'simpleRNN', B: 13, T: 37, I: 61, U: 53, act: 'relu', dHT: false, skipOptional: true },
  ];
  for (const c of recCases) {
    it(caseName(c), () => {
      const d = makeData(c, 77 + c.B);
      const want = runCase(one, c, d, 2);
      const { result: got, jobs } = jobsDuring(() => runCase(three, c, d, 2));
      expect(jobs).toBe(5);
      const [w, g] = [want as unknown as Record<string, Float64Array>, got as unknown as Record<string, Float64Array>];
      for (const key of OUTPUTS.filter((k) => k in w)) expectF32Agreement(w[key], g[key], `${caseName(c)}: ${key}`);
    });
  }

  it('batch 1 never wakes the workers (no slowdown for single sequences)', () => {
    const c: LstmCase = { B: 1, T: 50, I: 64, U: 64, goBackwards: false, act: 'tanh', recAct: 'sigmoid', h0: false, c0: false, bias: true, mask: false, recMask: false, dHs: true, dHT: false, dCT: false, skipOptional: false };
    const d = lstmData(c, 5);
    const { result: got, jobs } = jobsDuring(() => runLstm(three, c, d, 0));
    expect(jobs).toBe(0);
    expectF32Agreement(runLstm(one, c, d, 0).hs, got.hs, 'lstm B1 hs', 0);
  });
});

describe('ready({ threads })', () => {
  afterAll(async () => {
    await lw.ready({ backend: 'simd', threads: 1 });
  });

  /** A small seed-like model trained for two epochs on the current backend. */
  async function fitSmallModel() {
    lw.setSeed(3);
    const r = new lw.Random(11);
    const n = 96;
    const ids = Int32Array.from({ length: n * 12 }, () => 1 + Math.floor(r.next() * 199));
    const labels = Float32Array.from({ length: n }, (_, i) => (ids[i * 12] % 2 === 0 ? 1 : 0));
    const model = lw.sequential([
      lw.layers.embedding({ inputDim: 200, outputDim: 16, inputLength: 12 }),
      lw.layers.lstm({ units: 24, returnSequences: true }),
      lw.layers.gru({ units: 12 }),
      lw.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(lw.tensor(ids, [n, 12], 'int32'), lw.tensor(labels, [n, 1]), { epochs: 2, batchSize: 32, verbose: 0, seed: 4 });
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    model.dispose();
    return { loss: h.history.loss, weights };
  }

  it('a fit on 2 threads agrees with a fit on 1 thread', async () => {
    await lw.ready({ backend: 'simd', threads: 1 });
    expect(getThreads()).toBe(1);
    const single = await fitSmallModel();
    await lw.ready({ backend: 'simd', threads: 2 });
    expect(getThreads()).toBe(2);
    const p = poolOf(currentBackend())!;
    const before = p.jobs;
    const pooled = await fitSmallModel();
    expect(p.jobs - before, 'the fit split its recurrent kernels').toBeGreaterThan(0);
    expectF32Agreement(single.loss, pooled.loss, 'loss history', 64);
    single.weights.forEach((w, i) => expectF32Agreement(w, pooled.weights[i], `weight ${i}`, 256, 1e-4));
  }, 60_000);

  it("'auto' uses the cores available; ready() without options keeps the count", async () => {
    await lw.ready({ backend: 'simd', threads: 'auto' });
    const cores = Math.min(64, os.availableParallelism());
    expect(getThreads()).toBe(cores);
    await lw.ready();
    expect(getThreads()).toBe(cores);
    await lw.ready({ threads: 1 });
    expect(getThreads()).toBe(1);
  }, 30_000);

  it('rejects thread counts that are not whole numbers >= 1', async () => {
    for (const bad of [0, -1, 1.5, NaN, 'many']) {
      await expect(lw.ready({ threads: bad as never })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    }
  });

  it('without SharedArrayBuffer (a page without COOP/COEP) runs on one thread with one message', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    vi.stubGlobal('crossOriginIsolated', false);
    try {
      const a = await createBackend('simd', { threads: 2 });
      const b = await createBackend('simd', { threads: 'auto' });
      expect(threadsOf(a)).toBe(1);
      expect(threadsOf(b)).toBe(1);
      expect(a.shared).toBe(false);
      expect(info).toHaveBeenCalledTimes(1);
      expect(String(info.mock.calls[0][0])).toMatch(/SharedArrayBuffer.*Cross-Origin-Opener-Policy.*one thread/);
      const got = run(a, { a: { f: [1, 2, 3, 4] }, b: { f: [5, 6, 7, 8] }, c: { zeros: 4 }, ws: ws(gemmWsFloats(a.kernels, { M: 2, N: 2, K: 2 })) }, (p, k) =>
        gemm(k, { M: 2, N: 2, K: 2, a: p.a, b: p.b, c: p.c, ws: p.ws })).c;
      expect(Array.from(got)).toEqual([19, 22, 43, 50]);
    } finally {
      vi.unstubAllGlobals();
      info.mockRestore();
    }
  });
});

describe('a worker that dies', () => {
  const M = 1024;
  /** A big product (about 20-100 ms) on `b`, so a kill can land in the middle of it. */
  function bigGemm(b: Backend): () => void {
    const a = b.allocFloats(M * M);
    const c = b.allocFloats(M * M);
    const w = b.allocFloats(gemmWsFloats(b.kernels, { M, N: M, K: M }));
    b.floats().fill(0.5, a / 4, a / 4 + M * M);
    return () => gemm(b.kernels, { M, N: M, K: M, a, b: a, c, ws: w });
  }

  it('during a call: that call (or the next) throws LwError, later calls too; no hang', async ({ signal }) => {
    const b = await createBackend('simd', { threads: 2 });
    const p = poolOf(b)!;
    const product = bigGemm(b);
    product();
    p.killWorker(1);
    const call = () => {
      try {
        product();
        return null;
      } catch (e) {
        return e;
      }
    };
    let err: unknown = null;
    // The kill arrives while the leader is inside a kernel; keep calling until it has landed (the
    // pool's failed flag); landed between two calls, the next one throws.
    await until(() => (err = call()) !== null || p.failed, signal);
    err ??= call();
    expect(err).toBeInstanceOf(LwError);
    expect((err as LwError).code).toBe('WORKER_FAILED');
    expect((err as LwError).details).toMatchObject({ worker: 1, threads: 2 });
    expect((err as LwError).message).toMatch(/worker 1 of the 2-thread pool .*lw\.ready/);
    expect(() => product()).toThrow(/WORKER_FAILED|worker 1/);
    expect(() => fill(b.kernels, { n: 4, value: 0, x: b.allocFloats(4) })).toThrow(LwError);
  }, 30_000);

  it('between calls: the next call throws, and ready() replaces the broken backend', async ({ signal }) => {
    await lw.ready({ backend: 'simd', threads: 2 });
    const broken = currentBackend();
    const p = poolOf(broken)!;
    p.killWorker(1);
    await until(() => p.failed, signal);
    expect(() => bigGemm(broken)()).toThrow(LwError);
    await lw.ready();
    const fresh = currentBackend();
    expect(fresh).not.toBe(broken);
    expect(getThreads()).toBe(2);
    bigGemm(fresh)();
    await lw.ready({ threads: 1 });
  }, 30_000);
});

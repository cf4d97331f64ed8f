// GEMM GFLOP/s of lstm-wasm (simd, 1 thread) against the best single-thread SIMD128 figure
// this machine gives, both measured in this process: hand-written wasm micro-kernel loops (the
// register-blocked GEMM inner loop, L1-resident: per depth step, load a row of B, splat each A
// value, mul + add into accumulators held in locals) for several tile shapes, the best of which
// is the reference.
// WebAssembly SIMD128 has no fused multiply-add, so one mul + one add on 4 lanes = 8 flops.
import { gemm as gemmKernel, gemmWsFloats } from '../../ts/kernels.js';
import { benchBackend, BenchBuffers } from '../lib/backends.js';
import { measureRounds, type MeasureOptions } from '../lib/timing.js';
import { runSystem } from './harness.js';
import type { GemmPeak } from './protocol.js';

// --- a tiny wasm assembler: just what the loops need -------------------------------------------

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  loop: 0x03, end: 0x0b, brIf: 0x0d, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Or: 0x72, void: 0x40,
};
/** SIMD opcodes (after the 0xfd prefix). */
const simd = { load: 0x00, load32Splat: 0x09, store: 0x0b, f32x4Add: 0xe4, f32x4Mul: 0xe6 };

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

class Code {
  bytes: number[] = [];
  get(i: number) { this.bytes.push(op.localGet, ...uleb(i)); return this; }
  set(i: number) { this.bytes.push(op.localSet, ...uleb(i)); return this; }
  tee(i: number) { this.bytes.push(op.localTee, ...uleb(i)); return this; }
  i32(v: number) { this.bytes.push(op.i32Const, ...sleb(v)); return this; }
  raw(...b: number[]) { this.bytes.push(...b); return this; }
  simd(code: number, ...memarg: number[]) { this.bytes.push(0xfd, ...uleb(code), ...memarg.flatMap(uleb)); return this; }
  /** local i -= 1; branch to the enclosing loop while it is not zero. */
  countDown(i: number) { return this.get(i).i32(1).raw(op.i32Sub).tee(i).raw(op.brIf, 0); }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];

/** A module with one memory (exported as "memory") and one function "run" with i32 params. */
function module(params: number, locals: { i32: number; v128: number }, body: Code): Uint8Array {
  const type = [0x60, ...vec(Array.from({ length: params }, () => [I32])), 0];
  const localDecl = vec([[...uleb(locals.i32), I32], [...uleb(locals.v128), V128]]);
  const fn = [...localDecl, ...body.bytes, op.end];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, 2]])), // 2 pages
    ...section(7, vec([[...name('run'), 0x00, 0], [...name('memory'), 0x02, 0]])),
    ...section(10, vec([[...uleb(fn.length), ...fn]])),
  ]);
}

// --- the loops ---------------------------------------------------------------------------------

const DEPTH = 256;
const A_AT = 1024;
const B_AT = 16384;

/**
 * run(a, b, depth, reps): `reps` times, an MR x (4*NV) tile of C += A strip [depth, MR] x
 * B strip [depth, 4*NV], the accumulators never leaving registers (stored once at the end).
 */
function microKernel(mr: number, nv: number): Uint8Array {
  const [A, B, K, REPS, PA, PB, KK] = [0, 1, 2, 3, 4, 5, 6];
  const acc = (i: number, j: number) => 7 + i * nv + j;
  const bReg = (j: number) => 7 + mr * nv + j;
  const aReg = 7 + mr * nv + nv;
  const c = new Code();
  c.raw(op.loop, op.void);
  c.get(A).set(PA).get(B).set(PB).get(K).set(KK);
  c.raw(op.loop, op.void);
  for (let j = 0; j < nv; j++) c.get(PB).simd(simd.load, 4, 16 * j).set(bReg(j));
  for (let i = 0; i < mr; i++) {
    c.get(PA).simd(simd.load32Splat, 2, 4 * i).set(aReg);
    for (let j = 0; j < nv; j++) c.get(acc(i, j)).get(aReg).get(bReg(j)).simd(simd.f32x4Mul).simd(simd.f32x4Add).set(acc(i, j));
  }
  c.get(PA).i32(4 * mr).raw(op.i32Add).set(PA);
  c.get(PB).i32(16 * nv).raw(op.i32Add).set(PB);
  c.countDown(KK).raw(op.end);
  c.countDown(REPS).raw(op.end);
  for (let r = 0; r < mr * nv; r++) c.i32(16 * r).get(7 + r).simd(simd.store, 4, 0);
  return module(4, { i32: 3, v128: mr * nv + nv + 1 }, c);
}

/** Dependent 32-bit multiplies per iteration of `clockChain`, and the cycles one iteration takes. */
const CHAIN_MULS = 8;
const CHAIN_CYCLES = CHAIN_MULS * 3 + 1;

/**
 * run(x, n): n iterations of x = x*x eight times, then x |= 1: one dependency chain of 3-cycle
 * multiplies (imul's latency on every x86 core since Nehalem and Zen) and a 1-cycle or, so the
 * time per iteration gives the core's clock while it runs SIMD loops (turbo included).
 */
function clockChain(): Uint8Array {
  const [X, N] = [0, 1];
  const c = new Code();
  c.raw(op.loop, op.void);
  for (let i = 0; i < CHAIN_MULS; i++) c.get(X).get(X).raw(op.i32Mul).set(X);
  c.get(X).i32(1).raw(op.i32Or).set(X);
  c.countDown(N).raw(op.end);
  c.i32(0).get(X).raw(0x36, 2, 0); // i32.store: keeps the chain's result alive
  return module(2, { i32: 0, v128: 0 }, c);
}

// --- measuring ---------------------------------------------------------------------------------

type Run = (...a: number[]) => void;

async function instantiate(bytes: Uint8Array): Promise<{ run: Run; memory: WebAssembly.Memory }> {
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(bytes)));
  return instance.exports as unknown as { run: Run; memory: WebAssembly.Memory };
}

function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}

await runSystem((args) => {
  const opts: MeasureOptions = args.quick
    ? { warmupMs: 50, minSamples: 3, targetMs: 50, maxMs: 1000 }
    : { warmupMs: 300, minSamples: 15, targetMs: 600, maxMs: 6000 };
  const rounds = args.quick ? 1 : 3;
  return {
    system: 'SIMD128 peak and GEMM',
    details: { threads: 1, depth: DEPTH },
    measures: {},
    extras: {
      gemm: async (): Promise<GemmPeak> => {
        const tiles: [number, number][] = [[4, 2], [5, 2], [6, 2], [8, 1], [2, 3], [3, 3], [4, 3], [2, 4]];
        const all: { shape: string; gflops: number }[] = [];
        const loops = new Map<string, () => number>();
        for (const [mr, nv] of tiles) {
          const { run, memory } = await instantiate(microKernel(mr, nv));
          new Float32Array(memory.buffer).fill(0.5);
          const reps = 64;
          const shape = `${mr}x${4 * nv}`;
          const time = () => gflops(8 * mr * nv * DEPTH * reps, measureRounds(() => run(A_AT, B_AT, DEPTH, reps), opts, rounds).median);
          loops.set(shape, time);
          all.push({ shape, gflops: time() });
        }
        all.sort((a, b) => b.gflops - a.gflops);
        const clock = await instantiate(clockChain());
        const iterations = 1 << 20;
        const clockGHz = () => (CHAIN_CYCLES * iterations) / (measureRounds(() => clock.run(3, iterations), opts, rounds).median * 1e6);

        const backend = await benchBackend('simd');
        const gemm: GemmPeak['gemm'] = [];
        for (const [M, N, K] of [[256, 256, 256], [64, 256, 256], [3200, 256, 64]]) {
          const bufs = new BenchBuffers(backend);
          const k = backend.kernels;
          const a = bufs.random(M * K, 1);
          const b = bufs.random(K * N, 2);
          const c = bufs.zeros(M * N);
          const ws = bufs.zeros(gemmWsFloats(k, { M, N, K }));
          const m = measureRounds(() => gemmKernel(k, { M, N, K, a, b, c, ws }), opts, rounds);
          gemm.push({ shape: `${M}x${N}x${K}`, gflops: gflops(2 * M * N * K, m.median), medianMs: m.median });
          bufs.free();
        }
        // The best loop once more after the GEMMs: a burst of other work on a shared machine
        // must not make the reference look low (GEMM is measured between the two).
        all[0].gflops = Math.max(all[0].gflops, loops.get(all[0].shape)!());
        const ghz = clockGHz();
        return {
          gemm,
          peak: { gflops: all[0].gflops, shape: all[0].shape, all },
          gemm256OfPeak: gemm[0].gflops / all[0].gflops,
          clock: { ghz, peakFlopsPerCycle: all[0].gflops / ghz, gemm256FlopsPerCycle: gemm[0].gflops / ghz },
        };
      },
    },
  };
});
process.exit(0);

// Kernel benchmark: GEMM GFLOP/s and whole-sequence LSTM / GRU times on every backend, with
// ratios to the pure-JS backend measured in the same run.
//
//   npm run bench:kernels              (about 1-2 minutes)
//   npm run bench:kernels -- --quick   (fewer samples, one round; a smoke run)
//   npm run bench:kernels -- --rounds=5
//
// Each wasm figure is the median of >= 15 timed calls (batched to >= 2 ms per sample) after a
// warm-up, taken in several rounds; the round with the lowest median is kept (another process
// on a shared machine inflates whole rounds). The JS backend gets one warm-up call and 3 timed.
//
// Prints a markdown table and writes bench/results/kernels-<YYYY-MM-DD>.json.
import { join } from 'node:path';
import {
  CELLS, cellBackward, cellCacheFloats, cellForward, cellWsFloats, gemm, gemmWsFloats, type Backend, type BackendName,
} from '../ts/kernels.js';
import { BACKENDS, BenchBuffers, benchBackend, repoRoot } from './lib/backends.js';
import { machineInfo, describeMachine } from './lib/machine.js';
import { measureRounds, type RoundsMeasurement, type MeasureOptions } from './lib/timing.js';
import { fmt, fmtRatio, isoDay, markdownTable, writeJson } from './lib/report.js';

const quick = process.argv.includes('--quick');
const roundsArg = process.argv.find((a) => a.startsWith('--rounds='));
const ROUNDS = roundsArg ? Math.max(1, Number(roundsArg.slice(9)) | 0) : quick ? 1 : 3;
const started = performance.now();
/** Past this, the slow JS backend is skipped so the whole run stays near 3 minutes. */
const JS_BUDGET_MS = 150_000;

/** Sampling per backend: medians of >= 15 samples after warm-up; the JS oracle is slow, 3 runs. */
function optionsFor(name: BackendName): MeasureOptions {
  if (name === 'js') return { warmupMs: 0, minSamples: quick ? 1 : 3, targetMs: 0, minSampleMs: 0, maxMs: 60_000 };
  return quick
    ? { warmupMs: 100, minSamples: 5, targetMs: 150, maxMs: 3_000 }
    : { warmupMs: 400, minSamples: 15, targetMs: 1_000, maxMs: 10_000 };
}

type Unit = 'GFLOP/s' | 'ms';

interface Case {
  name: string;
  unit: Unit;
  params: Record<string, number | boolean>;
  /** Allocates inputs on `b` and returns the timed call plus a check of its output. */
  setup(b: Backend, bufs: BenchBuffers): { run: () => void; outputFinite: () => boolean };
  /** Floating-point operations per call, for GFLOP/s rows. */
  flops?: number;
}

interface Cell {
  value?: number;
  measurement?: RoundsMeasurement;
  error?: string;
  ratioToJs?: number;
  outputFinite?: boolean;
}

function finite(b: Backend, ptr: number, n: number): boolean {
  const f = b.floats();
  const i = ptr / b.floatBytes;
  for (let k = i; k < i + n; k++) if (!Number.isFinite(f[k])) return false;
  return true;
}

function gemmCase(M: number, N: number, K: number): Case {
  return {
    name: `GEMM ${M}x${N}x${K}`,
    unit: 'GFLOP/s',
    params: { M, N, K, transA: false, transB: false },
    flops: 2 * M * N * K,
    setup(b, bufs) {
      const k = b.kernels;
      const a = bufs.random(M * K, 1);
      const bm = bufs.random(K * N, 2);
      const c = bufs.zeros(M * N);
      const ws = bufs.zeros(gemmWsFloats(k, { M, N, K }));
      return {
        run: () => gemm(k, { M, N, K, a, b: bm, c, ws }),
        outputFinite: () => finite(b, c, M * N),
      };
    },
  };
}

interface SeqShape { B: number; T: number; I: number; U: number }

/** The recurrent cells timed here: LSTM, and GRU with resetAfter (bias [2, 3U]); seeds per cell. */
const SEQ_CELLS = {
  lstm: { label: 'LSTM', resetAfter: false, seed: 11 },
  gru: { label: 'GRU resetAfter', resetAfter: true, seed: 21 },
} as const;

function recurrentCase(cell: keyof typeof SEQ_CELLS, s: SeqShape, backward: boolean): Case {
  const { B, T, I, U } = s;
  const { label, resetAfter, seed } = SEQ_CELLS[cell];
  return {
    name: `${label} B=${B} T=${T} I=${I} U=${U} ${backward ? 'forward+backward' : 'forward'}`,
    unit: 'ms',
    params: resetAfter ? { ...s, resetAfter, backward } : { ...s, backward },
    setup(b, bufs) {
      const k = b.kernels;
      const G = CELLS[cell].gates * U;
      const biasFloats = CELLS[cell].biasShape(U, resetAfter).reduce((p, d) => p * d, 1);
      const cache = bufs.zeros(cellCacheFloats(k, cell, s));
      const ws = bufs.zeros(cellWsFloats(k, cell, s));
      const shared = {
        ...s, resetAfter, x: bufs.random(B * T * I, seed, 0.5), kernel: bufs.random(I * G, seed + 1, 0.2),
        recurrentKernel: bufs.random(U * G, seed + 2, 0.2), hs: bufs.zeros(B * T * U), cache, ws,
      };
      const bias = bufs.random(biasFloats, seed + 3, 0.1);
      const [hT, cT] = [bufs.zeros(B * U), cell === 'lstm' ? bufs.zeros(B * U) : 0];
      const forward = () => cellForward(k, cell, { ...shared, bias, hT, cT });
      if (!backward) return { run: forward, outputFinite: () => finite(b, shared.hs, B * T * U) };
      const dHs = bufs.random(B * T * U, seed + 4, 0.1);
      const dx = bufs.zeros(B * T * I);
      const grads = { dHs, dx, dKernel: bufs.zeros(I * G), dRecurrentKernel: bufs.zeros(U * G), dBias: bufs.zeros(biasFloats) };
      return {
        run: () => {
          forward();
          cellBackward(k, cell, { ...shared, ...grads });
        },
        outputFinite: () => finite(b, dx, B * T * I),
      };
    },
  };
}

function runCase(c: Case, b: Backend): Cell {
  if (b.name === 'js' && performance.now() - started > JS_BUDGET_MS) return { error: 'skipped: time budget' };
  const bufs = new BenchBuffers(b);
  try {
    const { run, outputFinite } = c.setup(b, bufs);
    const m = measureRounds(run, optionsFor(b.name), b.name === 'js' ? 1 : ROUNDS);
    const value = c.unit === 'GFLOP/s' ? c.flops! / (m.median * 1e6) : m.median;
    return { value, measurement: m, outputFinite: outputFinite() };
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0] };
  } finally {
    bufs.free();
  }
}

async function main(): Promise<void> {
  const machine = machineInfo();
  console.log(`# Kernel benchmark${quick ? ' (quick)' : ''}\n\n${describeMachine(machine)}\n`);
  const backends = new Map<BackendName, Backend>();
  for (const name of BACKENDS) backends.set(name, await benchBackend(name));

  const seq: SeqShape = { B: 64, T: 50, I: 64, U: 64 };
  const cases: Case[] = [
    gemmCase(64, 256, 256),
    gemmCase(256, 256, 256),
    gemmCase(3200, 256, 64),
    recurrentCase('lstm', seq, false),
    recurrentCase('lstm', seq, true),
    recurrentCase('gru', seq, false),
    recurrentCase('gru', seq, true),
  ];

  const rows: { c: Case; cells: Record<string, Cell> }[] = [];
  for (const c of cases) {
    const cells: Record<string, Cell> = {};
    for (const name of BACKENDS) {
      cells[name] = runCase(c, backends.get(name)!);
      const cell = cells[name];
      const shown = cell.error ? `n/a (${cell.error})` : `${fmt(cell.value!)} ${c.unit}`;
      process.stderr.write(`  ${c.name} on ${name}: ${shown}\n`);
    }
    const js = cells.js?.value;
    for (const name of BACKENDS) {
      const cell = cells[name];
      if (name === 'js' || cell.value === undefined || js === undefined) continue;
      cell.ratioToJs = c.unit === 'GFLOP/s' ? cell.value / js : js / cell.value;
    }
    rows.push({ c, cells });
  }

  const header = ['kernel', 'unit', ...BACKENDS.map((n) => (n === 'js' ? 'js' : `${n} (vs js)`))];
  const table = rows.map(({ c, cells }) => [
    c.name,
    c.unit,
    ...BACKENDS.map((n) => {
      const cell = cells[n];
      if (cell.error || cell.value === undefined) return 'n/a';
      const warn = cell.outputFinite === false ? ' (non-finite output!)' : '';
      const ratio = cell.ratioToJs !== undefined ? ` (${fmtRatio(cell.ratioToJs)})` : '';
      return `${fmt(cell.value)}${ratio}${warn}`;
    }),
  ]);
  console.log(markdownTable(header, table));
  const notes = rows.flatMap(({ c, cells }) =>
    BACKENDS.filter((n) => cells[n].error).map((n) => `- ${c.name} on ${n}: ${cells[n].error}`),
  );
  if (notes.length) console.log(`\nn/a:\n${[...new Set(notes)].join('\n')}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nMedians per call (GFLOP/s from the median time); wasm: >= ${optionsFor('simd').minSamples} samples after warm-up, best of ${ROUNDS} round(s); js: ${optionsFor('js').minSamples} calls. Took ${seconds.toFixed(0)} s.`);

  const file = join(repoRoot(), 'bench', 'results', `kernels-${isoDay()}.json`);
  writeJson(file, {
    benchmark: 'kernels',
    date: isoDay(),
    quick,
    rounds: ROUNDS,
    machine,
    seconds,
    results: rows.map(({ c, cells }) => ({
      name: c.name,
      unit: c.unit,
      params: c.params,
      backends: Object.fromEntries(BACKENDS.map((n) => {
        const cell = cells[n];
        if (cell.error || !cell.measurement) return [n, { error: cell.error ?? 'no result' }];
        const m = cell.measurement;
        return [n, {
          value: cell.value,
          ratioToJs: cell.ratioToJs,
          medianMs: m.median,
          minMs: m.min,
          meanMs: m.mean,
          relIqr: m.relIqr,
          roundMedianMs: m.roundMedians,
          samples: m.n,
          callsPerSample: m.inner,
          outputFinite: cell.outputFinite,
        }];
      })),
    })),
  });
  console.log(`Wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// `npm run bench` in miniature: transpiles bench/ and ts/, runs the orchestrator with --quick and a
// three-second budget over every system, and checks the result file: every system reports each
// measurement as a number or with an explicit reason, the ONNX graph agrees with lstm-wasm, and
// the GEMM-vs-peak and kernel-share extras are there. Also the budget bookkeeping on its own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { resultFromSteps } from '../../bench/compare/harness.js';
import { MEASURES, type GemmPeak, type KernelProfile, type MeasureResult } from '../../bench/compare/protocol.js';
import { isoDay } from '../../bench/lib/report.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(ROOT, 'test-output', 'bench-smoke');
const SYSTEM_IDS = [
  'simd-peak', 'lstm-wasm/simd-1t', 'lstm-wasm/simd-all', 'lstm-wasm/scalar', 'lstm-wasm/js', 'tfjs/wasm', 'tfjs/cpu',
  'brain.js', 'onnxruntime/1t', 'onnxruntime/all', 'pytorch/1t', 'pytorch/2t',
];
const STATUSES = ['ok', 'partial', 'exceeded', 'unsupported', 'unavailable', 'error'];

/** ts/ and bench/ as JavaScript under `out` (file by file, no type check: `npm run typecheck` does that). */
function transpile(out: string): void {
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
  for (const file of [...walk(join(ROOT, 'ts')), ...walk(join(ROOT, 'bench'))]) {
    const js = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, isolatedModules: true },
      fileName: file,
    });
    mkdirSync(dirname(js), { recursive: true });
    writeFileSync(js, outputText);
  }
}

interface SystemResult {
  id: string;
  label: string;
  measures: Record<string, MeasureResult>;
  extras: Record<string, unknown>;
  memory: { peakRssMB?: number };
  skipped?: string;
}

describe('resultFromSteps (budget bookkeeping)', () => {
  it('gives the median of timed steps, partial when the budget cut the repeats', () => {
    const r = resultFromSteps('train.floats', 'samples/s', 64, [300], [100, 120, 80], 5, 10_000);
    expect(r.status).toBe('partial');
    expect(r.medianMs).toBe(100);
    expect(r.value).toBeCloseTo(640, 9);
    expect(r.reason).toMatch(/3 of 5/);
    expect(resultFromSteps('train.floats', 'samples/s', 64, [300], [100, 120, 80, 90, 95], 5, 10_000).status).toBe('ok');
  });

  it('bounds the figure by the unwarmed step when no timed step fit', () => {
    const train = resultFromSteps('train.embedding', 'samples/s', 64, [32_000], [], 5, 10_000);
    expect(train).toMatchObject({ status: 'exceeded', bound: 'lower', value: 2 });
    const latency = resultFromSteps('predict.batch1', 'ms', 1, [40], [], 5, 10);
    expect(latency).toMatchObject({ status: 'exceeded', bound: 'upper', value: 40 });
  });
});

describe('npm run bench (quick smoke run)', () => {
  it('reports every measurement of every system as a number or with a reason', () => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    // Inside the repository, so the orchestrator finds wasm/ and bench/pytorch_seed.py.
    transpile(join(WORK, 'dist'));
    const out = join(WORK, 'results');
    const printed = execFileSync(process.execPath, [join(WORK, 'dist/bench/run.js'), '--quick', '--budget=3', '--grace=1', '--parallel=3', `--out=${out}`], {
      cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 280_000,
    });

    const file = join(out, `${isoDay()}.json`);
    expect(existsSync(file)).toBe(true);
    const json = JSON.parse(readFileSync(file, 'utf8')) as {
      machine: { cpu: string; cores: number; node: string };
      workload: { batch: number; vocab: number };
      systems: SystemResult[];
    };
    expect(json.machine.cpu.length).toBeGreaterThan(0);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.node).toBe(process.version);
    expect(json.workload).toMatchObject({ batch: 64, vocab: 10000 });
    expect(json.systems.map((s) => s.id)).toEqual(SYSTEM_IDS);

    for (const s of json.systems.filter((x) => x.id !== 'simd-peak')) {
      for (const m of MEASURES) {
        const r = s.measures[m];
        expect(r, `${s.id} ${m}`).toBeDefined();
        expect(STATUSES, `${s.id} ${m}`).toContain(r.status);
        expect(r.unit).toBe(m === 'predict.batch1' ? 'ms' : 'samples/s');
        if (r.status === 'ok' || r.status === 'partial' || r.status === 'exceeded') {
          expect(Number.isFinite(r.value) && r.value! > 0, `${s.id} ${m} value ${r.value}`).toBe(true);
        }
        if (r.status !== 'ok') expect(r.reason, `${s.id} ${m} needs a reason`).toMatch(/\w{3,}/);
        if (r.status === 'exceeded') expect(['lower', 'upper']).toContain(r.bound);
      }
      if (!s.skipped) expect(s.memory.peakRssMB, s.id).toBeGreaterThan(10);
    }

    // lstm-wasm on one thread is fast enough to give medians even on a three-second budget.
    const lw = json.systems.find((s) => s.id === 'lstm-wasm/simd-1t')!;
    for (const m of MEASURES) expect(lw.measures[m].status, m).toBe('ok');
    const profile = lw.extras.profile as KernelProfile;
    expect(profile.kernelShare).toBeGreaterThan(0);
    expect(profile.kernelShare).toBeLessThanOrEqual(1);
    expect(profile.byKernel.map((k) => k.name)).toEqual(expect.arrayContaining(['lstm_forward', 'lstm_backward', 'adam_update']));

    // TF.js' wasm backend has no gradient for the embedding: said so, not a number.
    const tfw = json.systems.find((s) => s.id === 'tfjs/wasm')!;
    expect(tfw.measures['train.embedding']).toMatchObject({ status: 'unsupported' });
    expect(tfw.measures['train.embedding'].reason).toMatch(/UnsortedSegmentSum|not registered/);

    const ort = json.systems.find((s) => s.id === 'onnxruntime/1t')!;
    expect(ort.measures['train.floats'].status).toBe('unsupported');
    const check = ort.extras.check as { maxAbsDiff: number; spread: number };
    expect(check.maxAbsDiff).toBeLessThan(1e-4);
    expect(check.spread).toBeGreaterThan(0.01); // the outputs differ per sequence, so the check means something

    const peak = json.systems.find((s) => s.id === 'simd-peak')!.extras.gemm as GemmPeak;
    expect(peak.gemm[0].shape).toBe('256x256x256');
    expect(peak.peak.gflops).toBeGreaterThan(0.5);
    expect(peak.gemm256OfPeak).toBeGreaterThan(0.05);
    expect(peak.gemm256OfPeak).toBeLessThan(2);
    // Timed on the wall clock: a loaded machine (the bench's own parallel runs included) makes the
    // core look slower, so only a positive figure under 10 GHz (not Hz or MHz) is certain.
    expect(peak.clock!.ghz, 'a core clock in GHz').toBeGreaterThan(0);
    expect(peak.clock!.ghz).toBeLessThan(10);
    expect(peak.clock!.peakFlopsPerCycle).toBeCloseTo(peak.peak.gflops / peak.clock!.ghz, 6);

    const md = readFileSync(join(out, `${isoDay()}.md`), 'utf8');
    expect(printed).toContain(md.trim().split('\n')[2]); // the table's header row is printed
    for (const s of json.systems.filter((x) => x.id !== 'simd-peak')) expect(md).toContain(s.label.split(',')[0]);
    expect(md).toMatch(/GEMM 256×256×256 .* GFLOP\/s = \d+% of the best single-thread SIMD128 figure/);
    expect(md).toMatch(/% in kernels .*% in TypeScript/);
  }, 300_000);

  it('with --rounds=2 keeps, per measurement, the best round and lists every round', () => {
    const out = join(WORK, 'results-rounds');
    execFileSync(process.execPath, [join(WORK, 'dist/bench/run.js'), '--quick', '--rounds=2', '--budget=3', '--grace=1', '--only=lstm-wasm/simd-1t', `--out=${out}`], {
      cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
    });
    const json = JSON.parse(readFileSync(join(out, `${isoDay()}.json`), 'utf8')) as { rounds: number; systems: SystemResult[] };
    expect(json.rounds).toBe(2);
    const [lw] = json.systems;
    for (const m of MEASURES) {
      const r = lw.measures[m];
      expect(r.roundValues, m).toHaveLength(2);
      const values = r.roundValues!.filter((v): v is number => v !== null);
      expect(r.value).toBe(m === 'predict.batch1' ? Math.min(...values) : Math.max(...values));
    }
    expect(readFileSync(join(out, `${isoDay()}.md`), 'utf8')).toContain('Every system ran 2 rounds');
  }, 150_000);
});

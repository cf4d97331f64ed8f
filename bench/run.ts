// `npm run bench`: lstm-wasm against TensorFlow.js, brain.js, onnxruntime-node and PyTorch on the
// seed article's model, one process per system, one after another on this machine.
//
//   npm run bench                        (about 10 minutes; every measurement within --budget)
//   npm run bench -- --budget=30         (seconds per measurement; default 60)
//   npm run bench -- --rounds=3          (every system this many times, one round after another; default 2)
//   npm run bench -- --only=lstm-wasm,pytorch   (systems whose id starts with one of these)
//   npm run bench -- --quick             (one warm-up and one timed step each: a smoke run)
//   npm run bench -- --quick --parallel=3 --grace=1   (smoke runs only: systems side by side)
//
// Per system and measurement: warm-up steps (excluded), then timed repeats; the figure is the
// median. With several rounds the best round's median is kept (other virtual machines on a shared
// host slow whole stretches of time, whole rounds at once; every round's figure is in the JSON). A step that outlasts the budget is not waited for: the process is killed, the figure
// is reported as a bound ("exceeded budget"), and the process is restarted for the remaining
// measurements. Writes bench/results/<YYYY-MM-DD>.json and .md (the README's section) and
// prints the markdown table.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './lib/backends.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { fmt, isoDay, markdownTable, writeJson } from './lib/report.js';
import { resultFromSteps } from './compare/harness.js';
import {
  MEASURES, WORKLOAD, parseEvent,
  type BenchEvent, type GemmPeak, type KernelProfile, type MeasureResult,
} from './compare/protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = repoRoot();
const PYTHON = '/usr/bin/python3';

interface Options {
  budgetMs: number;
  /** A step still running this long after its measurement's budget is stopped (kill). */
  graceMs: number;
  /** Systems run side by side (1 for real figures: other processes disturb them). */
  parallel: number;
  quick: boolean;
  only: string[];
  outDir: string;
  rounds: number;
}

function parseOptions(argv: readonly string[]): Options {
  const get = (n: string) => argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
  const quick = argv.includes('--quick');
  const budgetMs = Number(get('budget') ?? (quick ? 2 : 60)) * 1000;
  return {
    budgetMs,
    graceMs: get('grace') !== undefined ? Number(get('grace')) * 1000 : Math.max(5000, budgetMs * 0.25),
    parallel: Math.max(1, Number(get('parallel') ?? 1) | 0),
    quick,
    only: (get('only') ?? '').split(',').filter(Boolean),
    outDir: get('out') ?? join(root, 'bench', 'results'),
    rounds: Math.max(1, Number(get('rounds') ?? (quick ? 1 : 2)) | 0),
  };
}

/** How to start one system's process. */
interface SystemSpec {
  id: string;
  label: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Measurements (and extras, e.g. 'profile') in order. */
  measures: string[];
  /** A reason not to start it at all (e.g. no Python). */
  skip?: string;
}

interface SystemResult {
  id: string;
  label: string;
  system?: string;
  version?: string;
  details?: Record<string, unknown>;
  measures: Record<string, MeasureResult>;
  extras: Record<string, unknown>;
  /** Peak resident memory of the system's process(es), and its resident memory once the library was loaded. */
  memory: { peakRssMB?: number; baseRssMB?: number };
  /** Why the system reported nothing (not available here). */
  skipped?: string;
  processes: number;
  seconds: number;
}

const unitOf = (m: string): 'ms' | 'samples/s' => (m === 'predict.batch1' ? 'ms' : 'samples/s');
const samplesOf = (m: string) => (m === 'predict.batch1' ? 1 : WORKLOAD.batch);

function nodeSystem(id: string, label: string, file: string, variant?: string, extras: string[] = []): SystemSpec {
  return {
    id, label, command: process.execPath,
    args: [join(here, 'compare', file), ...(variant ? [`--variant=${variant}`] : [])],
    measures: [...MEASURES, ...extras],
  };
}

// --- PyTorch: which BLAS, and OpenBLAS kernels for this CPU --------------------------------------

function cpuFlags(): { vendor: string; flags: Set<string> } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    return {
      vendor: /^vendor_id\s*:\s*(\S+)/m.exec(text)?.[1] ?? '',
      flags: new Set((/^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/)),
    };
  } catch {
    return { vendor: '', flags: new Set() };
  }
}

/** OpenBLAS' kernel family for this CPU's instruction sets (its names for OPENBLAS_CORETYPE). */
function openblasCoreForCpu(): string | undefined {
  const { vendor, flags } = cpuFlags();
  const has = (...f: string[]) => f.every((x) => flags.has(x));
  if (vendor === 'AuthenticAMD') return has('avx2', 'fma') ? 'Zen' : undefined;
  if (has('avx512f', 'avx512bf16') || has('avx512f', 'avx512_bf16')) return 'Cooperlake';
  if (has('avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd')) return 'SkylakeX';
  if (has('avx2', 'fma')) return 'Haswell';
  if (has('avx')) return 'SandyBridge';
  return undefined;
}

/** Pre-AVX kernel families: what OpenBLAS falls back to for a CPU model it does not know. */
const LEGACY_CORES = /^(Prescott|Core2|Penryn|Dunnington|Nehalem|Katmai|Coppermine|Northwood|Banias|Atom|Opteron|Barcelona|Bobcat|Generic)$/i;

interface BlasPlan {
  env: Record<string, string>;
  note?: string;
  probe?: Record<string, unknown>;
}

/** Runs the BLAS probe (no torch) and decides OPENBLAS_CORETYPE for the PyTorch processes. */
async function planBlas(): Promise<BlasPlan> {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  const events = await collect(PYTHON, [join(root, 'bench', 'pytorch_seed.py'), '--blas-probe'], env, 30_000);
  const probe = events.find((e): e is Extract<BenchEvent, { event: 'extra' }> => e.event === 'extra' && e.key === 'blas')?.value as
    Record<string, unknown> | undefined;
  if (!probe || probe.name !== 'OpenBLAS' || typeof probe.config !== 'string') return { env: {}, probe };
  const defaultCore = /(\S+)\s+MAX_THREADS=/.exec(probe.config)?.[1] ?? '';
  const wanted = openblasCoreForCpu();
  if (process.env.OPENBLAS_CORETYPE) {
    return { env: { OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE }, probe, note: `OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE} (from the environment)` };
  }
  if (wanted && LEGACY_CORES.test(defaultCore)) {
    return {
      env: { OPENBLAS_CORETYPE: wanted }, probe,
      note: `OpenBLAS picks ${defaultCore} kernels for this CPU (a model it does not know); the bench sets OPENBLAS_CORETYPE=${wanted} from the CPU's instruction sets`,
    };
  }
  return { env: {}, probe };
}

/** Calls `handle` with every bench event a system process prints, one JSON line each. */
function onEvents(stdout: NodeJS.ReadableStream, handle: (e: BenchEvent) => void): void {
  let buf = '';
  stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const e = parseEvent(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      if (e) handle(e);
    }
  });
}

/** All events of a short process (used for probes). */
function collect(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BenchEvent[]> {
  return new Promise((resolve) => {
    const events: BenchEvent[] = [];
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    onEvents(child.stdout, (e) => events.push(e));
    child.on('error', () => { clearTimeout(timer); resolve(events); });
    child.on('close', () => { clearTimeout(timer); resolve(events); });
  });
}

function peakRssOf(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// --- running one system --------------------------------------------------------------------------

interface Attempt {
  /** Measurements (and extras) still to run. */
  pending: string[];
}

/**
 * One process for `pending`: reads events, kills the process when a measurement outlasts the
 * budget (or it stops answering), and records what it learned in `r`. Returns what is left.
 */
function runProcess(spec: SystemSpec, r: SystemResult, att: Attempt, opts: Options, log: (s: string) => void): Promise<string[]> {
  const graceMs = opts.graceMs;
  const idleMs = Math.max(90_000, opts.budgetMs + graceMs);
  const args = [...spec.args, `--measures=${att.pending.join(',')}`, `--budget-ms=${opts.budgetMs}`, ...(opts.quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    const pending = [...att.pending];
    let current: { measure: string; startedAt: number; warmup: number[]; timed: number[]; samples?: number } | undefined;
    let lastEventAt = performance.now();
    let killedFor: string | undefined;
    let done = false;
    let stderrTail = '';
    const child = spawn(spec.command, [...args], { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    r.processes++;
    const notePeak = (mb?: number) => {
      if (mb !== undefined) r.memory.peakRssMB = Math.max(r.memory.peakRssMB ?? 0, mb);
    };
    const take = (m: string) => {
      const i = pending.indexOf(m);
      if (i >= 0) pending.splice(i, 1);
    };
    const record = (res: MeasureResult) => {
      r.measures[res.measure] = res;
      take(res.measure);
      const shown = res.value === undefined ? `${res.status}${res.reason ? `: ${res.reason}` : ''}` : `${fmt(res.value)} ${res.unit} (${res.status})`;
      log(`${spec.label}: ${res.measure} ${shown}`);
    };
    const handle = (e: BenchEvent) => {
      lastEventAt = performance.now();
      switch (e.event) {
        case 'hello':
          r.system = e.system;
          r.version = e.version;
          r.details = { ...r.details, ...e.details };
          if (r.memory.baseRssMB === undefined && e.rssMB !== undefined) r.memory.baseRssMB = e.rssMB;
          break;
        case 'start':
          current = { measure: e.measure, startedAt: performance.now(), warmup: [], timed: [] };
          break;
        case 'step':
          if (current && current.measure === e.measure) {
            (e.phase === 'warmup' ? current.warmup : current.timed).push(e.ms);
            current.samples = e.samples;
          }
          break;
        case 'result':
          current = undefined;
          record(e.result);
          break;
        case 'extra':
          r.extras[e.key] = e.value;
          take(e.key);
          if (e.key !== 'after') log(`${spec.label}: ${e.key} done`);
          break;
        case 'skip':
          r.skipped = e.reason;
          for (const m of [...pending]) record({ measure: m, status: 'unavailable', unit: unitOf(m), reason: e.reason });
          break;
        case 'done':
          done = true;
          notePeak(e.peakRssMB);
          break;
      }
    };
    onEvents(child.stdout, handle);
    child.stderr.on('data', (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-2000);
    });
    const watchdog = setInterval(() => {
      if (!done) notePeak(peakRssOf(child.pid!));
      const t = performance.now();
      if (current && t - current.startedAt > opts.budgetMs + graceMs) {
        killedFor = current.measure;
        child.kill('SIGKILL');
      } else if (!current && !done && t - lastEventAt > idleMs) {
        killedFor = pending[0] ?? '(start-up)';
        child.kill('SIGKILL');
      }
    }, 250);
    const finish = (code: number | null, error?: string) => {
      clearInterval(watchdog);
      if (killedFor && current) {
        // Killed inside a step: what its finished steps say, else a bound from the time it ran.
        const c = current;
        const samples = c.samples ?? samplesOf(c.measure);
        const unit = unitOf(c.measure);
        const elapsed = performance.now() - c.startedAt;
        const budget = `${(opts.budgetMs / 1000).toFixed(0)} s`;
        let res: MeasureResult;
        if (c.warmup.length) {
          res = resultFromSteps(c.measure, unit, samples, c.warmup, c.timed, opts.quick ? 1 : 5, opts.budgetMs);
          res.reason = `${res.reason ?? ''}; process stopped: a step outlasted the budget`.replace(/^; /, '');
        } else {
          res = {
            measure: c.measure, status: 'exceeded', unit, samples,
            value: unit === 'ms' ? elapsed : samples / (elapsed / 1000),
            bound: unit === 'ms' ? 'lower' : 'upper',
            reason: `exceeded budget (${budget}): the first step had not finished after ${(elapsed / 1000).toFixed(0)} s`,
          };
        }
        record(res);
      } else if (killedFor) {
        const reason = `no answer for ${(idleMs / 1000).toFixed(0)} s: process stopped`;
        if (pending.includes(killedFor)) {
          if ((MEASURES as readonly string[]).includes(killedFor)) record({ measure: killedFor, status: 'error', unit: unitOf(killedFor), reason });
          else { r.extras[killedFor] = { error: reason }; take(killedFor); }
        }
      } else if (!done && pending.length) {
        // Crashed: the measurement in progress (or the first pending one) gets the error.
        const m = current?.measure ?? pending[0];
        const why = error ?? `process exited with code ${code}: ${stderrTail.trim().split('\n').slice(-1)[0] ?? ''}`;
        if ((MEASURES as readonly string[]).includes(m)) record({ measure: m, status: 'error', unit: unitOf(m), reason: why.slice(0, 300) });
        else { r.extras[m] = { error: why.slice(0, 300) }; take(m); }
      }
      resolve(pending);
    };
    child.on('error', (e) => finish(null, `could not start ${spec.command}: ${e.message}`));
    child.on('close', (code) => finish(code));
  });
}

async function runSystem(spec: SystemSpec, opts: Options, log: (s: string) => void): Promise<SystemResult> {
  const t0 = performance.now();
  const r: SystemResult = { id: spec.id, label: spec.label, measures: {}, extras: {}, memory: {}, processes: 0, seconds: 0 };
  if (spec.skip) {
    r.skipped = spec.skip;
    for (const m of spec.measures) if ((MEASURES as readonly string[]).includes(m)) r.measures[m] = { measure: m, status: 'unavailable', unit: unitOf(m), reason: spec.skip };
    log(`${spec.label}: skipped (${spec.skip})`);
  } else {
    let pending = [...spec.measures];
    // Each process either finishes or removes at least the measurement it was stopped in.
    for (let tries = 0; pending.length && tries <= spec.measures.length; tries++) {
      pending = await runProcess(spec, r, { pending }, opts, log);
    }
    for (const m of pending) {
      if ((MEASURES as readonly string[]).includes(m)) r.measures[m] = { measure: m, status: 'error', unit: unitOf(m), reason: 'not run' };
    }
  }
  r.seconds = (performance.now() - t0) / 1000;
  return r;
}

// --- the systems -----------------------------------------------------------------------------------

async function systems(): Promise<{ specs: SystemSpec[]; blas?: BlasPlan }> {
  const specs: SystemSpec[] = [
    { ...nodeSystem('simd-peak', 'SIMD128 peak and GEMM', 'simd-peak.js'), measures: ['gemm'] },
    nodeSystem('lstm-wasm/simd-1t', 'lstm-wasm simd, 1 thread', 'lstm-wasm.js', 'simd-1t', ['profile']),
    nodeSystem('lstm-wasm/simd-all', 'lstm-wasm simd, all threads', 'lstm-wasm.js', 'simd-all'),
    nodeSystem('lstm-wasm/scalar', 'lstm-wasm scalar (no SIMD), 1 thread', 'lstm-wasm.js', 'scalar'),
    nodeSystem('lstm-wasm/js', 'lstm-wasm js (float64 baseline)', 'lstm-wasm.js', 'js'),
    nodeSystem('tfjs/wasm', 'TensorFlow.js wasm', 'tfjs.js', 'wasm'),
    nodeSystem('tfjs/cpu', 'TensorFlow.js cpu', 'tfjs.js', 'cpu'),
    nodeSystem('brain.js', 'brain.js LSTMTimeStep', 'brainjs.js'),
    nodeSystem('onnxruntime/1t', 'onnxruntime-node, 1 thread', 'onnxruntime.js', '1t'),
    nodeSystem('onnxruntime/all', 'onnxruntime-node, all threads', 'onnxruntime.js', 'all'),
  ];
  const pyScript = join(root, 'bench', 'pytorch_seed.py');
  let blas: BlasPlan | undefined;
  const noPython = existsSync(PYTHON) ? undefined : `${PYTHON} not found (Debian: apt-get install python3 python3-torch)`;
  if (!noPython) blas = await planBlas();
  for (const threads of [1, 2]) {
    specs.push({
      id: `pytorch/${threads}t`, label: `PyTorch, ${threads} thread${threads > 1 ? 's' : ''}`,
      command: PYTHON, args: [pyScript, `--threads=${threads}`],
      env: {
        OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads),
        // Idle OpenMP threads otherwise spin while OpenBLAS' own threads need the cores.
        ...(threads > 1 && !process.env.OMP_WAIT_POLICY ? { OMP_WAIT_POLICY: 'PASSIVE' } : {}),
        ...blas?.env,
      },
      measures: [...MEASURES], skip: noPython,
    });
  }
  return { specs, blas };
}

// --- report ----------------------------------------------------------------------------------------

const COLUMNS: { measure: string; title: string }[] = [
  { measure: 'train.embedding', title: 'train, seed model (samples/s)' },
  { measure: 'train.words', title: 'train, word-like tokens (samples/s)' },
  { measure: 'train.floats', title: 'train, no embedding (samples/s)' },
  { measure: 'predict.batch64', title: 'predict, batch 64 (samples/s)' },
  { measure: 'predict.batch1', title: 'latency, batch 1 (ms)' },
];

/** The row's name, with the thread count the system reported (and PyTorch's BLAS). */
function label(r: SystemResult): string {
  const d = r.details ?? {};
  const threads = d.threads ?? d.intraOpNumThreads;
  if (r.skipped || threads === undefined || !/, (all|\d+) threads?$/.test(r.label)) return r.label;
  let base = r.label.replace(/, (all|\d+) threads?$/, '');
  const blas = (d.blas as { name?: string } | undefined)?.name;
  if (blas) base += ` (${blas})`;
  return `${base}, ${String(threads)} thread${threads === 1 ? '' : 's'}`;
}

function formatReport(results: SystemResult[], meta: { machine: string; command: string; seconds: number; budgetMs: number; rounds: number; notes: string[] }): string {
  const footnotes: string[] = [];
  const footnote = (text: string) => {
    let i = footnotes.indexOf(text);
    if (i < 0) i = footnotes.push(text) - 1;
    return `[${i + 1}]`;
  };
  const cell = (res?: MeasureResult): string => {
    if (!res) return '';
    if (res.value === undefined) {
      const why = res.reason ?? res.status;
      return `${res.status === 'unsupported' ? 'n/a' : res.status === 'unavailable' ? 'not run' : 'error'} ${footnote(why)}`;
    }
    const v = fmt(res.value);
    if (res.status === 'exceeded') return `${res.bound === 'lower' ? '≥' : '≤'} ${v} ${footnote(res.reason ?? 'exceeded the time budget')}`;
    const notes = res.notes?.length ? ` ${footnote(res.notes.join('; '))}` : '';
    return `${v}${res.status === 'partial' ? '*' : ''}${notes}`;
  };
  const rows = results.filter((r) => r.id !== 'simd-peak').map((r) => [
    label(r),
    ...COLUMNS.map((c) => cell(r.measures[c.measure])),
    r.memory.peakRssMB !== undefined && !r.skipped ? `${fmt(r.memory.peakRssMB)}` : '',
  ]);
  const table = markdownTable(['system', ...COLUMNS.map((c) => c.title), 'peak RSS (MB)'], rows);
  const lines = [
    `\`${meta.command}\` on ${meta.machine}:`,
    '',
    table,
    '',
  ];
  const peak = results.find((r) => r.id === 'simd-peak')?.extras.gemm as GemmPeak | undefined;
  if (peak && !('error' in peak)) {
    const g = peak.gemm[0];
    lines.push(`- GEMM ${g.shape.replace(/x/g, '×')} (lstm-wasm, simd, 1 thread): ${fmt(g.gflops)} GFLOP/s = ${(peak.gemm256OfPeak * 100).toFixed(0)}% of ` +
      `the best single-thread SIMD128 figure measured in the same run (${fmt(peak.peak.gflops)} GFLOP/s: a hand-written ${peak.peak.shape} ` +
      `micro-kernel loop on L1-resident data; other shapes: ${peak.gemm.slice(1).map((x) => `${x.shape} ${fmt(x.gflops)}`).join(', ')} GFLOP/s).` +
      (peak.clock ? ` The core ran at ${peak.clock.ghz.toFixed(2)} GHz (a chain of dependent multiplies): the loop does ${peak.clock.peakFlopsPerCycle.toFixed(1)} ` +
        `and GEMM ${peak.clock.gemm256FlopsPerCycle.toFixed(1)} flops per cycle; SIMD128 has no fused multiply-add, so every 8 flops take a mul and an add ` +
        `(12 flops per cycle where three vector ports take them).` : ''));
  }
  const prof = results.find((r) => r.id === 'lstm-wasm/simd-1t')?.extras.profile as KernelProfile | undefined;
  if (prof && !('error' in prof)) {
    const top = prof.byKernel.slice(0, 4).map((k) => `${k.name} ${((k.ms / prof.stepMs) * 100).toFixed(0)}%`).join(', ');
    lines.push(`- Where a training step of the seed model goes (lstm-wasm, simd, 1 thread; a separate pass with timers around every kernel call, ` +
      `${prof.steps} steps): ${(prof.kernelShare * 100).toFixed(1)}% in kernels (${top}), ${(prof.typescriptShare * 100).toFixed(1)}% in TypeScript.`);
  }
  for (const n of meta.notes) lines.push(`- ${n}`);
  const rounds = meta.rounds > 1
    ? `Every system ran ${meta.rounds} rounds, one round after another; shown is the best round's median (load from other virtual machines on the host slows whole stretches of time; every round is in the JSON). `
    : '';
  lines.push(`- Medians of timed repeats after warm-up steps (excluded); \`*\` = fewer repeats than planned (budget). ${rounds}` +
    `Budget ${(meta.budgetMs / 1000).toFixed(0)} s per measurement; the whole run took ${(meta.seconds / 60).toFixed(1)} min. ` +
    `Peak RSS is the whole process (runtime included).`);
  if (footnotes.length) {
    lines.push('');
    footnotes.forEach((f, i) => lines.push(`[${i + 1}] ${f}`));
  }
  return lines.join('\n');
}

function notesFor(results: SystemResult[], blas?: BlasPlan): string[] {
  const notes: string[] = [];
  const tfw = results.find((r) => r.id === 'tfjs/wasm');
  if (tfw?.details && !tfw.skipped) {
    const threads = Number(tfw.details.threads);
    notes.push(`TensorFlow.js ${tfw.version} wasm backend: SIMD ${tfw.details.simd ? 'on' : 'off'}, ${threads} thread${threads === 1 ? '' : 's'}` +
      (tfw.details.multithreadSupport === false ? ' (it reports no multi-thread support in Node, so it loads its single-threaded build).' : '.'));
  }
  const torch = results.find((r) => r.id.startsWith('pytorch') && !r.skipped);
  const tb = torch?.details?.blas as { name?: string; config?: string; libraries?: string[] } | undefined;
  if (torch && tb) {
    notes.push(`PyTorch ${torch.version} (Debian python3-torch) uses ${tb.config ?? tb.name} (${(tb.libraries ?? []).join(', ')}).` +
      (blas?.note ? ` ${blas.note}.` : '') +
      (process.env.OMP_WAIT_POLICY ? '' : ' With 2 threads it runs with OMP_WAIT_POLICY=PASSIVE (spinning OpenMP threads otherwise take the cores OpenBLAS\' threads need).'));
  }
  const check = results.find((r) => r.id === 'onnxruntime/1t')?.extras.check as { maxAbsDiff?: number } | undefined;
  if (check?.maxAbsDiff !== undefined) {
    notes.push(`onnxruntime-node runs an ONNX graph written by the bench (Gather, LSTM, LSTM, Gemm, Sigmoid; opset 17); its predictions match lstm-wasm's with the same weights to ${check.maxAbsDiff.toExponential(1)}.`);
  }
  return notes;
}

/**
 * Per system and measurement, the round with the best figure (highest samples/s, lowest ms) among
 * the completed ones, with every round's value beside it. Extras (profile, GEMM peak) and notes
 * come from the first round; memory is the largest peak of any round.
 */
function bestOfRounds(rounds: SystemResult[][]): SystemResult[] {
  return rounds[0].map((first, i) => {
    const all = rounds.map((r) => r[i]);
    const measures: Record<string, MeasureResult> = {};
    for (const [m, res] of Object.entries(first.measures)) {
      const done = all.map((r) => r.measures[m]).filter((x): x is MeasureResult => x?.status === 'ok' && x.value !== undefined);
      const lowerIsBetter = res.unit === 'ms';
      const best = done.reduce<MeasureResult | undefined>((b, x) => (!b || (lowerIsBetter ? x.value! < b.value! : x.value! > b.value!) ? x : b), undefined) ?? res;
      measures[m] = all.length > 1 ? { ...best, roundValues: all.map((r) => r.measures[m]?.value ?? null) } : best;
    }
    const peaks = all.map((r) => r.memory.peakRssMB).filter((v): v is number => v !== undefined);
    return {
      ...first, measures,
      memory: { ...first.memory, ...(peaks.length ? { peakRssMB: Math.max(...peaks) } : {}) },
      processes: all.reduce((s, r) => s + r.processes, 0),
      seconds: all.reduce((s, r) => s + r.seconds, 0),
    };
  });
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  const log = (s: string) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
  log(`${describeMachine(machine)}; budget ${opts.budgetMs / 1000} s per measurement${opts.quick ? ' (quick)' : ''}`);
  const { specs, blas } = await systems();
  const chosen = opts.only.length ? specs.filter((s) => opts.only.some((o) => s.id.startsWith(o))) : specs;
  const rounds: SystemResult[][] = [];
  for (let round = 0; round < opts.rounds; round++) {
    if (opts.rounds > 1) log(`round ${round + 1} of ${opts.rounds}`);
    const results: SystemResult[] = new Array(chosen.length);
    let next = 0;
    const worker = async () => {
      while (next < chosen.length) {
        const i = next++;
        results[i] = await runSystem(chosen[i], opts, log);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.parallel, chosen.length) }, worker));
    rounds.push(results);
  }
  const results = bestOfRounds(rounds);
  const seconds = (performance.now() - started) / 1000;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const machineLine = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`;
  const notes = notesFor(results, blas);
  const report = formatReport(results, { machine: machineLine, command, seconds, budgetMs: opts.budgetMs, rounds: opts.rounds, notes });
  console.log(report);
  const day = isoDay();
  const base = join(opts.outDir, day);
  writeJson(`${base}.json`, {
    benchmark: 'compare',
    date: day,
    command,
    quick: opts.quick,
    budgetSeconds: opts.budgetMs / 1000,
    rounds: opts.rounds,
    seconds,
    machine,
    workload: { ...WORKLOAD, model: 'embedding 10000x64 over 50 tokens -> LSTM 64 (sequences) -> LSTM 32 -> dense 1 sigmoid; Adam, binary cross-entropy' },
    blas: blas ? { probe: blas.probe, env: blas.env, note: blas.note } : undefined,
    systems: results,
    notes,
  });
  writeFileSync(`${base}.md`, report + '\n');
  log(`wrote ${base}.json and ${base}.md`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// The worker pool of the simd-threads backend, main-thread side.
//
// Kernels split themselves (crates/kernels/src/threads.rs): the calling thread publishes a job in
// the control block of the shared memory; it and N-1 compute workers claim and run its parts, and
// the calling thread joins. This file starts the workers (through a manager thread, see threads-worker.ts),
// provides the two imports the kernels call (`lw_wake`, `lw_join`), and turns a dead worker into
// an LwError on the call instead of a hang.
import { LwError } from '../../errors.js';
import { runtimeKind } from '../../environment.js';
import { CTRL, DEATH, MAX_THREADS, WORKER_STACK_BYTES, type FromWorker, type ToManager } from './threads-protocol.js';
import { poolThreadSource } from './threads-worker.js';

/** The kernel exports the pool needs from the leader's instance. */
export interface ThreadExports {
  threads_ctrl(): number;
  threads_set(n: number): void;
  threads_max(): number;
}

/** The leader's end of the two imports; a backend without a pool keeps the no-op hooks. */
export interface ThreadHooks {
  wake(): void;
  join(parts: number): void;
}

export const NO_POOL_HOOKS: ThreadHooks = { wake() {}, join() {} };

/**
 * Idle workers spin this long for the next job before parking in Atomics.wait. Waking a parked
 * worker took 0.1-0.8 ms on the 2-core VM this was tuned on; 3 ms covers the gaps inside a
 * training step (optimizer, embedding, JS), so a training loop never parks its workers.
 */
const WORKER_SPIN_MS = 3;
/** The leader spins this long for the workers to finish before it blocks (where it may). */
const LEADER_SPIN_MS = 0.2;
/**
 * A worker that has not finished its part this long after the leader finished its own is taken
 * for dead (parts are equal, so this only happens when a thread vanished without an event, e.g.
 * a browser worker killed silently). Never shorter than 20 times the leader's part.
 */
const STRAGGLER_MS = 10_000;
/** Starting the workers (spawn, compile, instantiate) may take this long. */
const START_TIMEOUT_MS = 30_000;

/** A thread (manager) the main thread talks to, the same way on Node, Deno and in browsers. */
interface PoolThread {
  post(m: ToManager): void;
  terminate(): void;
}

async function spawnManager(source: string, onMessage: (m: FromWorker) => void, onGone: (why: string) => void): Promise<PoolThread> {
  if (runtimeKind() === 'node') {
    // A computed specifier keeps browser bundlers from trying to resolve a Node built-in.
    const name = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof import('node:worker_threads');
    const w = new Worker(source, { eval: true });
    w.on('message', onMessage);
    w.on('error', (e) => onGone(`threw: ${e.message}`));
    w.on('exit', (code) => onGone(`exited (code ${code})`));
    // After the listeners (a 'message' listener refs the worker again): a pool never keeps the process alive.
    w.unref();
    return { post: (m) => w.postMessage(m), terminate: () => void w.terminate() };
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const w = new Worker(url, { type: 'module' });
  w.onmessage = (e) => onMessage(e.data as FromWorker);
  w.onerror = (e) => {
    e.preventDefault();
    onGone(`threw: ${e.message}`);
  };
  return {
    post: (m) => w.postMessage(m),
    terminate: () => {
      w.terminate();
      URL.revokeObjectURL(url);
    },
  };
}

/** Whether this thread may block in Atomics.wait (browser main threads may not). */
function canBlock(c: Int32Array): boolean {
  try {
    Atomics.wait(c, CTRL.PROBE, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class ThreadPool {
  private readonly c: Int32Array;
  private readonly blocking: boolean;
  private dispatchedAt = 0;
  private failure: { tid: number; message: string } | null = null;
  private closed = false;

  private constructor(
    readonly threads: number,
    memory: WebAssembly.Memory,
    ctrl: number,
    private readonly manager: PoolThread,
    private readonly exports: ThreadExports,
  ) {
    this.c = new Int32Array(memory.buffer, ctrl, CTRL.WORDS);
    this.blocking = canBlock(this.c);
  }

  /**
   * Starts `threads - 1` workers on the leader instance's module and memory. `allocStack`
   * reserves a worker's stack (bytes) and returns its base address.
   */
  static async start(
    threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    exports: ThreadExports,
    allocStack: (bytes: number) => number,
  ): Promise<ThreadPool> {
    if (exports.threads_max() !== MAX_THREADS) {
      throw new LwError('WASM_LOAD', `the simd-threads kernels allow ${exports.threads_max()} threads, this runtime expects ${MAX_THREADS}: rebuild with \`npm run build:wasm\``);
    }
    const stacks = Array.from({ length: threads - 1 }, () => allocStack(WORKER_STACK_BYTES) + WORKER_STACK_BYTES);
    const ctrl = exports.threads_ctrl();
    let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
    const started = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let pool: ThreadPool | undefined;
    const onMessage = (m: FromWorker) => {
      if (m.kind === 'ready') settle?.resolve();
      else if (pool) pool.recordFailure(m.tid, m.message);
      else settle?.reject(new Error(`worker ${m.tid} ${m.message}`));
    };
    const onGone = (why: string) => {
      if (pool) pool.managerGone(why);
      else settle?.reject(new Error(`the pool manager ${why}`));
    };
    const manager = await spawnManager(poolThreadSource(), onMessage, onGone);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      manager.post({ kind: 'start', module, memory, ctrl, words: CTRL, stacks, source: poolThreadSource(), spinMs: WORKER_SPIN_MS });
      await Promise.race([
        started,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
        }),
      ]);
    } catch (e) {
      manager.terminate();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    // Only now do kernels size their scratch for, and split over, `threads`.
    exports.threads_set(threads);
    pool = new ThreadPool(threads, memory, ctrl, manager, exports);
    return pool;
  }

  /** The leader's imports: bound methods the kernels call. */
  hooks(): ThreadHooks {
    return { wake: () => this.wake(), join: (parts) => this.join(parts) };
  }

  /** `lw_wake`: a job was published; wake the workers parked in Atomics.wait. */
  private wake(): void {
    this.dispatchedAt = performance.now();
    if (Atomics.load(this.c, CTRL.SLEEPERS) !== 0) Atomics.notify(this.c, CTRL.GEN);
  }

  /**
   * `lw_join`: returns when the job's `parts` parts have all finished, or, once a worker died,
   * when no live worker still runs one (the call then fails; nobody touches its buffers after).
   */
  private join(parts: number): void {
    const c = this.c;
    const leaderDone = performance.now();
    let spinUntil = leaderDone + LEADER_SPIN_MS;
    const giveUpAt = leaderDone + Math.max(STRAGGLER_MS, 20 * (leaderDone - this.dispatchedAt));
    for (let n = 1; ; n++) {
      const done = Atomics.load(c, CTRL.DONE);
      if (Atomics.load(c, CTRL.FINISHED) >= parts) return;
      if (Atomics.load(c, CTRL.FAILED) !== 0 && !this.liveHolder()) return;
      if ((n & 63) !== 0) continue;
      const now = performance.now();
      if (now < spinUntil) continue;
      if (now > giveUpAt) {
        this.markHoldersDead(now - leaderDone);
        return;
      }
      if (this.blocking) Atomics.wait(c, CTRL.DONE, done, 100);
      else spinUntil = now + 1;
    }
  }

  /** A live worker claiming or running a part. */
  private liveHolder(): boolean {
    const c = this.c;
    for (let t = 1; t < this.threads; t++) {
      if (Atomics.load(c, CTRL.HOLDING + t) !== 0 && Atomics.load(c, CTRL.DEAD + t) === 0) return true;
    }
    return false;
  }

  /** Workers still running a part long after the leader ran out of parts are taken for dead. */
  private markHoldersDead(waitedMs: number): void {
    for (let t = 1; t < this.threads; t++) {
      if (Atomics.load(this.c, CTRL.HOLDING + t) === 0) continue;
      Atomics.compareExchange(this.c, CTRL.DEAD + t, 0, 3);
      Atomics.compareExchange(this.c, CTRL.FAILED, 0, t + 1);
      this.failure ??= { tid: t, message: `did not finish its part within ${(waitedMs / 1000).toFixed(1)} s of the others` };
    }
  }

  private recordFailure(tid: number, message: string): void {
    this.failure ??= { tid, message };
  }

  /** The manager thread went away (its workers with it): mark every worker dead. */
  private managerGone(why: string): void {
    if (this.closed) return;
    for (let t = 1; t < this.threads; t++) Atomics.compareExchange(this.c, CTRL.DEAD + t, 0, 1);
    Atomics.compareExchange(this.c, CTRL.FAILED, 0, 1);
    this.failure ??= { tid: 1, message: `was lost with the pool's manager thread, which ${why}` };
    Atomics.add(this.c, CTRL.DONE, 1);
    Atomics.notify(this.c, CTRL.DONE);
  }

  /** True once a worker died: every later call on this backend throws. */
  get failed(): boolean {
    return Atomics.load(this.c, CTRL.FAILED) !== 0;
  }

  /** The error a call on a broken pool throws; stops the surviving workers the first time. */
  error(): LwError {
    const tid = Atomics.load(this.c, CTRL.FAILED) - 1;
    // The manager's detailed message may still be queued behind this call: the code is in memory.
    const why = this.failure?.tid === tid ? this.failure.message : DEATH[Atomics.load(this.c, CTRL.DEAD + tid)] ?? 'died';
    this.close();
    return new LwError(
      'WORKER_FAILED',
      `worker ${tid} of the ${this.threads}-thread pool ${why}; this backend cannot run kernels any more: ` +
        'call `await lw.ready({ threads })` to start a new one',
      { worker: tid, threads: this.threads },
    );
  }

  /**
   * Stops the workers. A pool that did not fail leaves its backend working on one thread
   * (scratch sized for more threads stays large enough).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.failed) this.exports.threads_set(1);
    this.manager.post({ kind: 'stop' });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Jobs the kernels have split over the pool so far (tests check that a split happened). */
  get jobs(): number {
    return Atomics.load(this.c, CTRL.GEN);
  }

  /** Test hook: terminates worker `tid` (1..threads-1) as if it had crashed. */
  killWorker(tid: number): void {
    this.manager.post({ kind: 'kill', tid });
  }
}

const pools = new WeakMap<object, ThreadPool>();

/** Remembers the pool a backend's kernels run on. */
export function registerPool(backend: object, pool: ThreadPool): void {
  pools.set(backend, pool);
}

/** The pool of a backend, if it has one. */
export function poolOf(backend: object): ThreadPool | undefined {
  return pools.get(backend);
}

/** Threads a backend's kernels use now (1 without a pool or after it was closed). */
export function threadsOf(backend: object): number {
  const pool = pools.get(backend);
  return pool && !pool.isClosed ? pool.threads : 1;
}

/** Threads for `threads: 'auto'`: the cores this process may use. */
export async function availableThreads(): Promise<number> {
  let n = 1;
  if (runtimeKind() === 'node') {
    const name = 'node:os';
    const os = (await import(/* @vite-ignore */ name)) as typeof import('node:os');
    n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } else {
    n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  }
  return Math.max(1, Math.min(MAX_THREADS, n | 0));
}

// The control block the simd-threads kernels share with the pool (crates/kernels/src/threads.rs):
// i32 word indices from the address `threads_ctrl()` returns. Keep in step with the Rust struct.
export const CTRL = {
  /** Job generation, bumped once per job; idle workers wait on it. */
  GEN: 0,
  /** Bumped by a worker each time it runs out of parts to claim (and when one dies); the leader waits on it. */
  DONE: 1,
  /** Workers parked in Atomics.wait on GEN. */
  SLEEPERS: 2,
  /** 0, or 1 + the index of the first worker that died or trapped. */
  FAILED: 3,
  /** Pool size, the leader included. */
  THREADS: 4,
  /** Workers leave their loop at the next job. */
  STOP: 6,
  /** Never written: `Atomics.wait` on it with a wrong value tells whether this thread may block. */
  PROBE: 10,
  /** Parts of the current job that have finished. */
  FINISHED: 11,
  /** holding[t]: 1 while thread t is claiming or running a part. */
  HOLDING: 16,
  /** dead[t]: 0 alive, else why worker t is gone (DEATH codes; written by the pool). */
  DEAD: 16 + 64,
  /** Words in the block. */
  WORDS: 16 + 128,
} as const;

/** Values of dead[t]. */
export const DEATH: Record<number, string> = { 1: 'exited', 2: 'threw an error', 3: 'stopped answering' };

/** Most threads (the leader included) the kernels support; `threads_max()` must agree. */
export const MAX_THREADS = 64;

/** Bytes of shadow stack each worker gets (kernels use a few KiB: no recursion, small frames). */
export const WORKER_STACK_BYTES = 256 * 1024;

export type CtrlWords = typeof CTRL;

/** Main thread -> manager. */
export type ToManager =
  | {
      kind: 'start';
      module: WebAssembly.Module;
      memory: WebAssembly.Memory;
      ctrl: number;
      words: CtrlWords;
      /** Stack top (byte address) of worker t at index t - 1. */
      stacks: number[];
      source: string;
      spinMs: number;
    }
  | { kind: 'kill'; tid: number }
  | { kind: 'stop' };

/** Manager -> compute worker. */
export interface ToWorker {
  kind: 'run';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: number;
  words: CtrlWords;
  tid: number;
  stackTop: number;
  spinMs: number;
}

/** Compute worker -> manager, and manager -> main thread. */
export type FromWorker =
  | { kind: 'ready'; tid: number }
  | { kind: 'failed'; tid: number; message: string };

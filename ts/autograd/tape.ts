import type { Backend } from '../backend/backend.js';
import { add, fill } from '../backend/kernels/index.js';
import { LwError } from '../errors.js';
import { StepTensor } from './step-tensor.js';

/** Where a tape takes its floats: a layer's batch scope (ExecCtx) or an eager call's scope. */
export interface TapeMemory {
  readonly backend: Backend;
  /** n uninitialised floats that live as long as the tape (byte pointer). */
  alloc(n: number): number;
}

/** Floats taken from the memory at a time: ops take their outputs from these chunks. */
const CHUNK_FLOATS = 1 << 15;
/** Every tensor starts on a 4-float boundary (one v128 of f32). */
const ALIGN_FLOATS = 4;

/**
 * A gradient tape over backend memory: ops allocate their results here and record how to send a
 * result's gradient back to their inputs; `backward` replays the records in reverse. A record
 * runs after every record that consumed its result (they come later on the tape), so the result's
 * gradient is complete when it runs. Gradients accumulate (`+=`) into whatever buffer a tensor
 * has; a tensor without one adopts the first buffer an op makes for it.
 */
export class Tape {
  private records: (() => void)[] = [];
  private closed = false;
  private chunk = 0;
  private chunkFree = 0;
  private ws = 0;
  private wsFloats = 0;
  private readonly memo = new Map<string, unknown>();
  /** The owner named in errors: 'layer "rnn" (RNN), cell "lstm_cell"'; '' for eager lw.ops. */
  where = '';

  constructor(
    readonly memory: TapeMemory,
    /** false: results only (inference), nothing recorded and no gradients wanted. */
    readonly recording: boolean,
  ) {}

  get backend(): Backend {
    return this.memory.backend;
  }

  /** The name of an op in messages: `layer "rnn" (RNN), cell "c": ops.add` or `lw.ops.add`. */
  opName(op: string): string {
    return this.where ? `${this.where}: ops.${op}` : `lw.ops.${op}`;
  }

  /** n uninitialised floats (byte pointer), bumped from a chunk of the memory. */
  alloc(n: number): number {
    if (this.closed) {
      // The memory may already be another batch's: an op kept from an earlier call must not write into it.
      throw new LwError('BAD_ARGUMENT', `${this.where || 'lw.ops'}: ops used after their call: ops and step tensors live for one batch, do not keep them`);
    }
    const need = Math.ceil(Math.max(n, 1) / ALIGN_FLOATS) * ALIGN_FLOATS;
    if (need > this.chunkFree) {
      if (need >= CHUNK_FLOATS / 4) return this.memory.alloc(need);
      this.chunk = this.memory.alloc(CHUNK_FLOATS);
      this.chunkFree = CHUNK_FLOATS;
    }
    const p = this.chunk;
    this.chunk += need * this.backend.floatBytes;
    this.chunkFree -= need;
    return p;
  }

  /** n zeroed floats (a kernel: a JS fill of shared memory is slow). */
  zeros(n: number): number {
    const p = this.alloc(n);
    fill(this.backend.kernels, { n, value: 0, x: p });
    return p;
  }

  /** A workspace of n floats for one kernel call, reused by the next call. */
  scratch(n: number): number {
    if (n > this.wsFloats) {
      this.wsFloats = Math.max(n, 2 * this.wsFloats);
      this.ws = this.alloc(this.wsFloats);
    }
    return this.ws;
  }

  /** A value computed once per tape (index maps of a broadcast, by shapes). */
  memoize<T>(key: string, make: () => T): T {
    let v = this.memo.get(key) as T | undefined;
    if (v === undefined) {
      v = make();
      this.memo.set(key, v);
    }
    return v;
  }

  /** A tensor over existing floats: `grad` is its gradient's home (accumulated into), 0 for none wanted. */
  leaf(ptr: number, shape: readonly number[], grad = 0): StepTensor {
    const t = new StepTensor(this, ptr, shape, this.recording && grad !== 0);
    t.grad = grad;
    return t;
  }

  /** A tensor whose gradient is wanted but has no home yet (given later, before `backward`). */
  input(ptr: number, shape: readonly number[]): StepTensor {
    return new StepTensor(this, ptr, shape, this.recording);
  }

  /** A constant tensor holding `values`. */
  constant(values: ArrayLike<number>, shape: readonly number[]): StepTensor {
    const p = this.alloc(values.length);
    this.backend.writeFloats(p, values);
    return this.leaf(p, shape);
  }

  /** Zeros of `shape` (no gradient). */
  zerosTensor(shape: readonly number[]): StepTensor {
    return this.leaf(this.zeros(shape.reduce((a, b) => a * b, 1)), shape);
  }

  /** A new result of an op on `inputs` (uninitialised): its gradient is wanted when an input's is. */
  result(shape: readonly number[], inputs: readonly StepTensor[]): StepTensor {
    const size = shape.reduce((a, b) => a * b, 1);
    return new StepTensor(this, this.alloc(size), shape, this.recording && inputs.some((t) => t.requiresGrad));
  }

  /** Records how `out`'s gradient reaches its inputs; `back` runs only when a gradient reached `out`. */
  record(out: StepTensor, back: (dOut: number) => void): void {
    if (!out.requiresGrad) return;
    this.records.push(() => {
      if (out.grad) back(out.grad);
    });
  }

  /** t's gradient buffer, zeroed when it is made (for ops that add into parts of it). */
  gradOf(t: StepTensor): number {
    if (!t.grad) t.grad = this.zeros(t.size);
    return t.grad;
  }

  /** Where an op writes t's gradient with a kernel taking beta: t's buffer (beta 1), or a new one (beta 0). */
  gradTarget(t: StepTensor): { ptr: number; beta: 0 | 1 } {
    if (t.grad) return { ptr: t.grad, beta: 1 };
    t.grad = this.alloc(t.size);
    return { ptr: t.grad, beta: 0 };
  }

  /** t's gradient += the op's own buffer `contribution` (t.size floats), which t adopts when it has none. */
  addOwned(t: StepTensor, contribution: number): void {
    if (!t.grad) t.grad = contribution;
    else add(this.backend.kernels, { n: t.size, a: t.grad, b: contribution, out: t.grad });
  }

  /** t's gradient += floats at `src` that are not the op's own (another tensor's gradient): copied or added. */
  addFrom(t: StepTensor, src: number): void {
    if (t.grad) {
      add(this.backend.kernels, { n: t.size, a: t.grad, b: src, out: t.grad });
      return;
    }
    t.grad = this.alloc(t.size);
    const f = this.backend.floats();
    const s = this.backend.fi(src);
    f.copyWithin(this.backend.fi(t.grad), s, s + t.size);
  }

  /** Ends the tape: later ops (kept by a cell beyond its call) are refused instead of writing freed memory. */
  close(): void {
    this.closed = true;
    this.records = [];
  }

  /** Adds each seed's gradient (a buffer of the tensor's size) and replays the records in reverse. */
  backward(seeds: readonly (readonly [StepTensor, number])[]): void {
    for (const [t, g] of seeds) if (g && t.requiresGrad) this.addFrom(t, g);
    for (let i = this.records.length - 1; i >= 0; i--) this.records[i]();
  }
}

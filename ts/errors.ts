/** Stable error codes: code that catches an `LwError` can branch on `code`, never on the message. */
export type LwErrorCode =
  | 'SHAPE_MISMATCH'
  | 'DTYPE'
  | 'ID_OUT_OF_RANGE'
  | 'NON_FINITE'
  | 'EMPTY_DATA'
  | 'OUT_OF_MEMORY'
  | 'BAD_MODEL_FILE'
  | 'UNSUPPORTED'
  | 'BAD_ARGUMENT'
  | 'NOT_READY'
  | 'WASM_LOAD'
  /** A worker of the thread pool died or failed: the backend is closed; `await lw.ready({ threads })` starts a new one. */
  | 'WORKER_FAILED'
  /** The file system refused a write (full disk, read-only directory...): `details.cause` is its code (ENOSPC, EROFS...). */
  | 'IO_ERROR';

/** The one error class of lstm-wasm: a stable `code` and a message naming what disagrees. */
export class LwError extends Error {
  readonly code: LwErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: LwErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(`[${code}] ${message}`);
    this.name = 'LwError';
    this.code = code;
    this.details = details;
  }
}

/** `v` when it is a whole number >= 1; else BAD_ARGUMENT naming `what` (a batch size, a window...). */
export function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new LwError('BAD_ARGUMENT', `${what} must be a whole number >= 1, got ${v}`);
  return v;
}

/** Formats a shape for messages: `[64, 50, 32]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

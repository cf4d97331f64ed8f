import { LwError } from '../errors.js';

/** A bad argument or input file: one line on stderr, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * LwError codes that mean "the arguments or the data are wrong" (exit 2), not "lstm-wasm failed" (exit 1):
 * NON_FINITE is a diverging run (lower --learning-rate), OUT_OF_MEMORY a model or batch too large.
 */
const USER_CODES = new Set(['BAD_ARGUMENT', 'EMPTY_DATA', 'SHAPE_MISMATCH', 'DTYPE', 'ID_OUT_OF_RANGE', 'BAD_MODEL_FILE', 'NON_FINITE', 'OUT_OF_MEMORY']);

/** 2 for bad arguments and files, 1 for anything unexpected. */
export function exitCodeFor(err: unknown): 1 | 2 {
  if (err instanceof CliError) return 2;
  if (err instanceof LwError && USER_CODES.has(err.code)) return 2;
  return 1;
}

/** The error's message on one line, without LwError's "[CODE] " prefix. */
export function oneLine(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^\[[A-Z_]+\] /, '').replace(/\s*\n\s*/g, ' ').trim() || (err instanceof Error ? err.name : 'unknown error');
}

// Expecting an LwError: the checks shared by the data tests (synchronous calls) and the
// reliability tests (calls that may also reject).
import { expect } from 'vitest';
import { LwError, type LwErrorCode } from '../../ts/errors.js';

/** Expects `err` to be an LwError with `code` whose message matches every pattern. */
export function checkLwError(err: unknown, code: LwErrorCode, patterns: RegExp[]): LwError {
  expect(err, `expected LwError ${code}`).toBeInstanceOf(LwError);
  const e = err as LwError;
  expect(e.code, e.message).toBe(code);
  for (const p of patterns) expect(e.message).toMatch(p);
  return e;
}

/** Expects `fn` to throw, synchronously, an LwError with `code` whose message matches every pattern. */
export function expectLwErrorSync(fn: () => unknown, code: LwErrorCode, ...patterns: RegExp[]): LwError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  return checkLwError(err, code, patterns);
}

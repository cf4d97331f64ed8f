// Reading untrusted model files: JSON parsing that refuses prototype keys, and typed access to
// own properties only (a key such as "__proto__" or "toString" never reaches a prototype).
import { LwError } from '../errors.js';

export type JsonObject = Record<string, unknown>;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 200;

export function badFile(message: string, details: Record<string, unknown> = {}): LwError {
  return new LwError('BAD_MODEL_FILE', message, details);
}

/** Parses `text` as JSON (BAD_MODEL_FILE naming `what` when it is not) and checks its keys. */
export function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const head = text.slice(0, 40).replace(/\s+/g, ' ');
    throw badFile(`${what} is not JSON (${(e as Error).message}); it starts with "${head}"`);
  }
  assertSafeKeys(value, what);
  return value;
}

/** Throws BAD_MODEL_FILE when a key such as "__proto__" appears anywhere in `value`. */
export function assertSafeKeys(value: unknown, what: string): void {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
    if (depth > MAX_DEPTH) throw badFile(`${what} nests deeper than ${MAX_DEPTH} levels at ${path || 'the top'}`);
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push([x, `${path}[${i}]`, depth + 1]));
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) throw badFile(`${what} has a forbidden key "${key}" at ${path || 'the top'}`);
      stack.push([(v as JsonObject)[key], path ? `${path}.${key}` : key, depth + 1]);
    }
  }
}

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);
}

/** An own property of `o`, or undefined. */
export function own(o: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** `o[key]` as an object, or BAD_MODEL_FILE naming `where`. */
export function ownObject(o: JsonObject, key: string, where: string): JsonObject {
  const v = own(o, key);
  if (!isObject(v)) throw badFile(`${where}: "${key}" must be an object, got ${describe(v)}`);
  return v;
}

/** `o[key]` as an array, or BAD_MODEL_FILE naming `where`. */
export function ownArray(o: JsonObject, key: string, where: string): unknown[] {
  const v = own(o, key);
  if (!Array.isArray(v)) throw badFile(`${where}: "${key}" must be a list, got ${describe(v)}`);
  return v;
}

/** Short description of a JSON value for messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}...` : v}"`;
  return String(v);
}

// Zip archives from strangers (Keras 3 `.keras` files) through fflate's streaming reader, fed in
// small pieces so that a member inflating past its declared size (a zip bomb) is stopped within
// one piece, and no member is kept beyond the size its caller allows.
import type { UnzipFile } from 'fflate';
import type { KerasParsers } from './load-parsers.js';
import { badFile } from '../json.js';

/** Whether `bytes` starts like a zip archive (a local file header, or an empty archive). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
}

/** Input piece size: at the deflate limit of ~1032:1 one piece inflates to at most ~4 MB. */
const PIECE = 4096;

/**
 * The members of the archive `what` that `limitOf(name)` wants (a byte limit; undefined skips the
 * member), each checked against its limit while it is inflated. BAD_MODEL_FILE for a damaged
 * archive, a member over its limit, or a member named twice.
 */
export function readZip(bytes: Uint8Array, what: string, limitOf: (name: string) => number | undefined, fflate: KerasParsers['fflate']): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let failure: Error | null = null;
  const fail = (e: Error) => { failure ??= e; };
  const unzip = new fflate.Unzip();
  unzip.register(fflate.UnzipInflate);
  unzip.onfile = (file: UnzipFile) => {
    const limit = limitOf(file.name);
    if (limit === undefined) return; // not started: fflate skips its bytes
    if (out.has(file.name)) return fail(badFile(`${what}: member "${file.name}" appears twice`));
    if (file.originalSize !== undefined && file.originalSize > limit) {
      return fail(badFile(`${what}: member "${file.name}" declares ${file.originalSize} bytes, more than the ${limit} allowed`, { member: file.name }));
    }
    const parts: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) return fail(badFile(`${what}: member "${file.name}" is damaged (${err.message})`, { member: file.name }));
      size += data.length;
      const declared = file.originalSize ?? limit;
      if (size > Math.min(limit, declared)) {
        file.terminate();
        return fail(badFile(`${what}: member "${file.name}" inflates past ${Math.min(limit, declared)} bytes (its declared size or the limit)`, { member: file.name }));
      }
      parts.push(data);
      if (final) out.set(file.name, join(parts, size));
    };
    try {
      file.start();
    } catch (e) {
      fail(badFile(`${what}: member "${file.name}" cannot be read (${(e as Error).message})`, { member: file.name }));
    }
  };
  try {
    for (let at = 0; at < bytes.length && !failure; at += PIECE) {
      unzip.push(bytes.subarray(at, Math.min(bytes.length, at + PIECE)), at + PIECE >= bytes.length);
    }
  } catch (e) {
    fail(badFile(`${what} is not a readable zip archive (${(e as Error).message})`));
  }
  if (failure) throw failure;
  return out;
}

function join(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

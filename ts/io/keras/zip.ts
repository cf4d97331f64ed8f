// Zip archives from strangers (Keras 3 `.keras` files) through fflate's streaming reader, fed in
// small pieces so that a member inflating past its declared size (a zip bomb) is stopped within
// one piece, and no member is kept beyond the size its caller allows; each kept member's CRC-32 is
// checked against the central directory, as Python's zipfile does.
import type { UnzipFile } from 'fflate';
import type { KerasParsers } from './load-parsers.js';
import { badFile } from '../json.js';
import { crc32 } from '../weights.js';

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
  const crcs = centralCrcs(bytes, what);
  for (const [name, data] of out) {
    const want = crcs.get(name);
    if (want === undefined) throw badFile(`${what}: member "${name}" is not in the archive's central directory`, { member: name });
    if (crc32(data) !== want) throw badFile(`${what}: member "${name}" is damaged (its CRC-32 is not the one the archive records)`, { member: name });
  }
  return out;
}

/**
 * Each member's CRC-32 from the archive's central directory (fflate does not check them; Python's
 * zipfile, which Keras reads with, does). Reads only the end record and the directory entries.
 */
function centralCrcs(bytes: Uint8Array, what: string): Map<string, number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: 22 bytes, then a comment of at most 65535.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === 0x06054b50) { end = at; break; }
  }
  if (end < 0) throw badFile(`${what} has no zip central directory (cut off?)`);
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const crcs = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== 0x02014b50) throw badFile(`${what}: zip central directory entry ${i} is damaged`);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (at + 46 + skip > end) throw badFile(`${what}: zip central directory entry ${i} runs past the directory`);
    crcs.set(new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)), view.getUint32(at + 16, true));
    at += 46 + skip;
  }
  return crcs;
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

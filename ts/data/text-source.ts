import { LwError } from '../errors.js';
import { runtimeKind } from '../environment.js';

/**
 * Where the file readers get text: a path or file: URL (Node, Deno), or a Blob / File / web
 * ReadableStream of bytes (any runtime, e.g. a browser file input or `response.body`).
 */
export type TextSource = string | URL | Blob | ReadableStream<Uint8Array>;

interface DenoFile {
  read(p: Uint8Array): Promise<number | null>;
  close(): void;
}
declare const Deno: { open(path: string | URL, opts: { read: boolean }): Promise<DenoFile> } | undefined;

/** Bytes per read: large enough to be fast, small enough that memory stays flat. */
const CHUNK_BYTES = 1 << 16;

function describe(source: string | URL): string {
  return typeof source === 'string' ? source : source.href;
}

function fileError(err: unknown, source: string | URL, what: string): unknown {
  const e = err as { code?: string; name?: string; message?: string };
  if (e?.code === 'ENOENT' || e?.name === 'NotFound') {
    return new LwError('BAD_ARGUMENT', `${what}: no such file: ${describe(source)}`, { path: describe(source) });
  }
  if (e?.code === 'EISDIR' || e?.name === 'IsADirectory' || /is a directory/i.test(e?.message ?? '')) {
    return new LwError('BAD_ARGUMENT', `${what}: ${describe(source)} is a directory, not a file`, { path: describe(source) });
  }
  return err;
}

/** A file's bytes chunk by chunk. The yielded view is reused: consume it before asking for the next. */
async function* fileChunks(source: string | URL, what: string): AsyncGenerator<Uint8Array> {
  if (source instanceof URL && source.protocol !== 'file:') {
    throw new LwError('BAD_ARGUMENT', `${what}: only file: URLs can be read, got ${source.href}; pass a fetch() response body instead`);
  }
  const buf = new Uint8Array(CHUNK_BYTES);
  const kind = runtimeKind();
  if (kind === 'deno') {
    let file: DenoFile;
    try {
      file = await Deno!.open(source, { read: true });
    } catch (err) {
      throw fileError(err, source, what);
    }
    try {
      for (;;) {
        let got: number | null;
        try {
          got = await file.read(buf);
        } catch (err) {
          throw fileError(err, source, what);
        }
        if (got === null) return;
        yield buf.subarray(0, got);
      }
    } finally {
      file.close();
    }
  }
  if (kind !== 'node') {
    throw new LwError('UNSUPPORTED', `${what}: reading a path needs Node or Deno; in a browser pass a File, a Blob or a ReadableStream`);
  }
  // A computed specifier keeps browser bundlers from trying to resolve a Node built-in.
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(source, 'r');
  } catch (err) {
    throw fileError(err, source, what);
  }
  try {
    for (;;) {
      let got: number;
      try {
        got = (await handle.read(buf, 0, CHUNK_BYTES, null)).bytesRead;
      } catch (err) {
        throw fileError(err, source, what);
      }
      if (got === 0) return;
      yield buf.subarray(0, got);
    }
  } finally {
    await handle.close();
  }
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // stopping early (break out of for-await) cancels the stream instead of leaving it locked and open
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The source's text (UTF-8, a leading BOM dropped) in pieces, reading one chunk at a time. */
export async function* textChunks(source: TextSource, what: string): AsyncGenerator<string> {
  let bytes: AsyncGenerator<Uint8Array>;
  if (typeof source === 'string' || source instanceof URL) bytes = fileChunks(source, what);
  else if (typeof Blob !== 'undefined' && source instanceof Blob) bytes = streamChunks(source.stream() as ReadableStream<Uint8Array>);
  else if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) bytes = streamChunks(source);
  else throw new LwError('DTYPE', `${what}: expected a file path, a file: URL, a Blob or a ReadableStream, got ${source === null ? 'null' : typeof source}`);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length) yield text;
  }
  const rest = decoder.decode();
  if (rest.length) yield rest;
}

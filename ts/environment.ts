/** What JS runtime we are in; decides how files are read and how workers are made. */
export type RuntimeKind = 'node' | 'deno' | 'browser';

declare const Deno: { readFile(path: string | URL): Promise<Uint8Array> } | undefined;

export function runtimeKind(): RuntimeKind {
  if (typeof Deno !== 'undefined') return 'deno';
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (p?.versions?.node) return 'node';
  return 'browser';
}

/** Reads a file: URL (Node or Deno) into bytes. */
export async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  if (runtimeKind() === 'deno') return new Uint8Array(await Deno!.readFile(url));
  // A computed specifier keeps browser bundlers from trying to resolve a Node built-in.
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  return new Uint8Array(await fs.readFile(url));
}

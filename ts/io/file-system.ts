// Files for save/load in Node and Deno (Deno runs node:fs). Writes go to temporary names, are
// flushed, then renamed over the old files, weights first and model.json last, so a crash leaves
// the previous model or the new one; a model.json with the other save's weights is caught by
// the CRC-32 in model.json.
import { LwError } from '../errors.js';
import { runtimeKind } from '../runtime/environment.js';

type Fs = typeof import('node:fs/promises');

let fsPromise: Promise<Fs> | null = null;
function nodeFs(): Promise<Fs> {
  if (runtimeKind() === 'browser') {
    return Promise.reject(new LwError('UNSUPPORTED', 'file:// paths need Node or Deno; in a browser use model.toArtifacts() / lw.loadModel(artifacts) or an http(s) URL'));
  }
  // A computed specifier keeps browser bundlers from resolving a Node built-in.
  const name = 'node:fs/promises';
  return (fsPromise ??= import(/* @vite-ignore */ name) as Promise<Fs>);
}

/** The file operations save and load use (an object so tests can make one of them fail). */
export const fileOps = {
  async readFile(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await nodeFs()).readFile(path));
  },
  /** Writes a new file (never an existing one) and flushes it to disk. */
  async writeFileSynced(path: string, data: Uint8Array): Promise<void> {
    const h = await (await nodeFs()).open(path, 'wx');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
  },
  async rename(from: string, to: string): Promise<void> {
    await (await nodeFs()).rename(from, to);
  },
  async removeIfPresent(path: string): Promise<void> {
    await (await nodeFs()).rm(path, { force: true });
  },
  async makeDir(path: string): Promise<void> {
    await (await nodeFs()).mkdir(path, { recursive: true });
  },
  /** Flushes a directory's entries (the renames); not possible everywhere (Windows), so best effort. */
  async syncDir(path: string): Promise<void> {
    try {
      const h = await (await nodeFs()).open(path, 'r');
      try {
        await h.sync();
      } finally {
        await h.close();
      }
    } catch {
      // directories cannot be opened or flushed on some systems
    }
  },
};

/**
 * The file path in a `file://` target. As TF.js: the rest of the string is a path, relative
 * ('file://models/a') or absolute ('file:///tmp/a'); URL objects are proper file URLs.
 */
export function filePath(target: string | URL): string {
  if (target instanceof URL) {
    if (target.protocol !== 'file:') throw new LwError('BAD_ARGUMENT', `not a file URL: ${target.href}`);
    const p = decodeURIComponent(target.pathname);
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
  }
  const p = target.replace(/^file:\/\//, '');
  if (!p) throw new LwError('BAD_ARGUMENT', `"${target}" names no directory: use file://path/to/dir`);
  return p;
}

export const joinPath = (dir: string, name: string) => (dir.endsWith('/') || dir.endsWith('\\') ? dir + name : `${dir}/${name}`);

export const baseName = (path: string) => path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);

export function dirName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '.' : i === 0 ? '/' : path.slice(0, i);
}

/** Writes files into `dir` atomically one by one, in order (put the file that commits the save last). */
export async function writeFilesAtomically(dir: string, files: { name: string; data: Uint8Array }[]): Promise<void> {
  await fileOps.makeDir(dir);
  const tag = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const temps = files.map((f) => joinPath(dir, `.${f.name}.${tag}.tmp`));
  try {
    for (let i = 0; i < files.length; i++) await fileOps.writeFileSynced(temps[i], files[i].data);
    for (let i = 0; i < files.length; i++) await fileOps.rename(temps[i], joinPath(dir, files[i].name));
  } catch (e) {
    await Promise.all(temps.map((t) => fileOps.removeIfPresent(t).catch(() => undefined)));
    throw e;
  }
  await fileOps.syncDir(dir);
}

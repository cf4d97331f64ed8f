// Files for save/load in Node and Deno (Deno runs node:fs). Writes go to temporary names, are
// flushed, then renamed over the old files, weights first and model.json last. Until model.json is
// renamed, the previous weights stay reachable as a `.weights.bin.<tag>.prev` link, so a crash
// between the renames leaves the previous model loadable: load finds the weights whose CRC-32
// model.json records (see `previousVersions`).
import { LwError } from '../errors.js';
import { runtimeKind } from '../environment.js';

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
  /** A second name for an existing file (a hard link; a copy where links are not possible). False when `from` is absent. */
  async keepAs(from: string, to: string): Promise<boolean> {
    const fs = await nodeFs();
    try {
      await fs.link(from, to);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return false;
      await fs.copyFile(from, to);
      return true;
    }
  },
  async listDir(path: string): Promise<string[]> {
    try {
      return await (await nodeFs()).readdir(path);
    } catch {
      return [];
    }
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

/** Names under which earlier versions of `name` are kept in a directory listing, newest tag last. */
export function previousVersions(entries: string[], name: string): string[] {
  const prefix = `.${name}.`;
  return entries.filter((e) => e.startsWith(prefix) && e.endsWith('.prev')).sort();
}

/**
 * Writes files into `dir` atomically one by one, in order (put the file that commits the save last).
 * Every file replaced before the commit is first kept as `.<name>.<tag>.prev`, removed once the
 * commit file is in place, and put back if a rename fails. A failing write (full disk, read-only
 * directory) throws IO_ERROR saying which files, if any, were replaced.
 */
export async function writeFilesAtomically(dir: string, files: { name: string; data: Uint8Array }[]): Promise<void> {
  const tag = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const temps = files.map((f) => joinPath(dir, `.${f.name}.${tag}.tmp`));
  const kept = files.slice(0, -1).map((f) => joinPath(dir, `.${f.name}.${tag}.prev`));
  const hasKept: boolean[] = [];
  let renamed = 0;
  try {
    await fileOps.makeDir(dir);
    for (let i = 0; i < files.length; i++) await fileOps.writeFileSynced(temps[i], files[i].data);
    for (let i = 0; i < kept.length; i++) hasKept[i] = await fileOps.keepAs(joinPath(dir, files[i].name), kept[i]);
    await fileOps.syncDir(dir);
    for (; renamed < files.length; renamed++) await fileOps.rename(temps[renamed], joinPath(dir, files[renamed].name));
  } catch (e) {
    // Put back what was replaced before the commit, so the previous model stays whole.
    let restored = true;
    for (let i = 0; i < Math.min(renamed, kept.length); i++) {
      if (hasKept[i]) await fileOps.rename(kept[i], joinPath(dir, files[i].name)).catch(() => (restored = false));
    }
    await Promise.all(temps.map((t) => fileOps.removeIfPresent(t).catch(() => undefined)));
    // Kept copies stay when a restore failed: load still finds the previous weights through them.
    if (restored) await Promise.all(kept.map((t) => fileOps.removeIfPresent(t).catch(() => undefined)));
    throw ioError(e, dir, files.map((f) => f.name), restored ? 0 : renamed);
  }
  await fileOps.syncDir(dir);
  // Committed: earlier versions (this save's and any a crash left behind) are no longer needed.
  const entries = await fileOps.listDir(dir);
  for (const f of files.slice(0, -1)) {
    for (const old of previousVersions(entries, f.name)) await fileOps.removeIfPresent(joinPath(dir, old)).catch(() => undefined);
  }
}

/** The error of a failed save: what the system said, and what is on disk now. */
function ioError(e: unknown, dir: string, names: string[], renamed: number): unknown {
  if (e instanceof LwError) return e;
  const cause = (e as { code?: unknown }).code;
  const state = renamed === 0
    ? `nothing in ${dir} was replaced: a model saved there before is unchanged`
    : `${names.slice(0, renamed).join(', ')} in ${dir} was replaced but ${names.slice(renamed).join(', ')} was not: lw.loadModel still loads the previous model from the kept copy`;
  return new LwError('IO_ERROR', `cannot save the model to ${dir}: ${(e as Error).message ?? String(e)}; ${state}`, {
    path: dir, cause: typeof cause === 'string' ? cause : undefined, replaced: names.slice(0, renamed),
  });
}

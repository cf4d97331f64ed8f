// Faults while saving. A child process killed (SIGKILL) before, after or half-way through each
// file operation of model.save, and at random moments of a save loop; a full disk and a read-only
// directory, injected through fileOps and, when this process may mount (root), on a real 1 MiB
// tmpfs and a read-only remount. After each, the directory holds the previous model or the new
// one, byte for byte, and loads. Between the two renames (weights.bin replaced, model.json not
// yet) the previous weights are still on disk as a kept copy, and load finds them.
import { describe, it, expect, beforeAll, afterAll, afterEach, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { fileOps } from '../../ts/io/file-system.js';
import { removeTranspiledLibrary, transpiledLibrary, ROOT } from '../helpers/transpiled-library.js';
import { SOAK, expectLwError, flat, scaled } from '../helpers/reliability.js';
import { describeRun, runNode } from '../helpers/child-run.js';
import { rng } from '../helpers/kernels.js';

const CHILD = join(ROOT, 'test/helpers/save-crash-child.mjs');
const root = mkdtempSync(join(tmpdir(), 'lw-faults-'));
let n = 0;
const newDir = () => join(root, `d${n++}`);
const probe = [[1, 2, 3, 4], [9, 8, 7, 6], [0, 0, 0, 1]];

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  removeTranspiledLibrary();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const filesOf = async (dir: string) => ({ json: await readFile(join(dir, 'model.json')), bin: await readFile(join(dir, 'weights.bin')) });
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

type State = 'previous' | 'new' | 'previous (kept copy)';

/** What a directory holds after a crash: the previous save, the new one, or the new weights beside the previous model.json (loads as the previous model from the kept copy). */
async function stateOf(dir: string, refA: string, refB: string): Promise<State> {
  const got = await filesOf(dir);
  const a = await filesOf(refA);
  const b = await filesOf(refB);
  const isA = same(got.json, a.json) && same(got.bin, a.bin);
  const isB = same(got.json, b.json) && same(got.bin, b.bin);
  const loaded = await lw.loadModel(`file://${dir}`).catch((e: unknown) => e);
  if (isA || isB) {
    expect(loaded, `${dir} holds a complete save and must load`).toBeInstanceOf(lw.LayersModel);
    const expected = await lw.loadModel(`file://${isA ? refA : refB}`);
    expect(flat((loaded as lw.LayersModel).predict(probe))).toEqual(flat(expected.predict(probe)));
    return isA ? 'previous' : 'new';
  }
  // The window between the renames: model.json is the previous one, and load must give the previous model.
  expect(same(got.json, a.json) || same(got.json, b.json), `${dir}: model.json is one of the two saves`).toBe(true);
  expect(loaded, `${dir}: load finds the weights model.json was saved with`).toBeInstanceOf(lw.LayersModel);
  const expected = await lw.loadModel(`file://${same(got.json, a.json) ? refA : refB}`);
  expect(flat((loaded as lw.LayersModel).predict(probe))).toEqual(flat(expected.predict(probe)));
  return 'previous (kept copy)';
}

const child = (args: string[], onLine?: (line: string) => boolean) => runNode([CHILD, transpiledLibrary().index, ...args], onLine);

/** A child that was to save and finish: it printed "done" and exited 0. */
async function finishedChild(args: string[]): Promise<void> {
  const run = await child(args);
  expect(run.code === 0 && /^done$/m.test(run.out), describeRun(run)).toBe(true);
}

/** A save killed at file operation `k` (before, after or half-way through it): the operation's name, or null when the save finished first. */
async function killedAt(dir: string, k: number, where: string): Promise<string | null> {
  const run = await child(['step', dir, String(k), where]);
  if (run.code === 0 && /^done$/m.test(run.out)) return null;
  const killed = /^killed \w+ (\w+)$/m.exec(run.out);
  expect(killed !== null && run.signal === 'SIGKILL', `the child did not kill itself at file operation ${k}: ${describeRun(run)}`).toBe(true);
  return killed![1];
}

/** A save loop SIGKILLed as it starts file operation `at`; fails when the child ended otherwise. */
async function killedInLoop(dir: string, at: number): Promise<void> {
  const run = await child(['loop', dir], (line) => line.startsWith(`op ${at} `));
  expect(run.signal === 'SIGKILL' && run.out.includes(`op ${at} `), `the save loop was not killed at file operation ${at}: ${describeRun(run)}`).toBe(true);
}

describe('a save killed at any point', () => {
  // Complete saves of the previous model (A) and the new one (B), made once by the child's code.
  const refA = newDir();
  const refB = newDir();
  /** A directory holding model A, as the save that gets killed finds it. */
  const previousModelDir = async () => {
    const dir = newDir();
    await mkdir(dir);
    for (const f of ['model.json', 'weights.bin']) await copyFile(join(refA, f), join(dir, f));
    return dir;
  };
  beforeAll(async () => {
    await lw.ready({ backend: 'simd' });
    await finishedChild(['refs', refA, refB]);
  });

  it('killed before, after and half-way through every file operation: the previous model or the new one, byte for byte', async () => {
    const outcomes: string[] = [];
    let done = false;
    for (let k = 0; k < 20 && !done; k++) {
      // The three kills of one operation run side by side (each child is mostly waiting for fsync).
      const runs = await Promise.all(['before', 'after', 'partial'].map(async (where) => {
        const dir = await previousModelDir();
        return { where, dir, op: await killedAt(dir, k, where) };
      }));
      for (const { where, dir, op } of runs) {
        if (op === null) {
          done = true;
          expect(await stateOf(dir, refA, refB)).toBe('new');
          continue;
        }
        if (where === 'partial' && op !== 'writeFileSynced') continue; // the same as 'after'
        outcomes.push(`${where} op ${k} ${op}: ${await stateOf(dir, refA, refB)}`);
        // Leftover temporary files are ignored by load and do not stop the next save.
        const leftovers = (await readdir(dir)).filter((f) => f.startsWith('.'));
        expect(leftovers.every((f) => /^\.(model\.json|weights\.bin)\.[\w-]+\.(tmp|prev)$/.test(f))).toBe(true);
        const m = await lw.loadModel(`file://${refB}`);
        await m.save(`file://${dir}`);
        expect(await stateOf(dir, refA, refB)).toBe('new');
      }
    }
    // Until the new model.json is renamed into place the previous model loads; afterwards the new one.
    // The window between the two renames is covered, and loads the previous model from the kept copy.
    const states = outcomes.map((o) => o.split(': ')[1]);
    const firstNew = states.indexOf('new');
    expect(firstNew, outcomes.join('\n')).toBeGreaterThan(0);
    expect(states.slice(0, firstNew).every((st) => st.startsWith('previous')), outcomes.join('\n')).toBe(true);
    expect(states.slice(firstNew).every((st) => st === 'new'), outcomes.join('\n')).toBe(true);
    expect(outcomes.some((o) => /rename: previous \(kept copy\)$/.test(o)), outcomes.join('\n')).toBe(true);
  });

  it(`killed at ${scaled(6, 100)} random moments of a save loop: a complete model loads every time`, async () => {
    const seen: Record<State, number> = { previous: 0, new: 0, 'previous (kept copy)': 0 };
    // The moments: one of the first 28 file operations (about three saves; seeded), killed from outside
    // as the child starts it, so the kill lands in it or just after.
    const r = rng(11);
    for (let i = 0; i < scaled(6, 100); i++) {
      const dir = await previousModelDir();
      await killedInLoop(dir, Math.floor(r() * 28));
      seen[await stateOf(dir, refA, refB)]++;
    }
    expect(seen.previous + seen.new).toBeGreaterThan(0);
    if (SOAK) console.log(`random kills: ${JSON.stringify(seen)}`);
  });
});

describe('full disk and read-only directory (injected)', () => {
  async function savedTwice() {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(3);
    const m = lw.sequential([lw.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 4 }), lw.layers.gru({ units: 4 }), lw.layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const dir = newDir();
    await m.save(`file://${dir}`);
    const before = await filesOf(dir);
    const predictions = flat(m.predict(probe));
    m.trainOnBatch(probe, [[1], [0], [1]]);
    expect(flat(m.predict(probe))).not.toEqual(predictions);
    const check = async () => {
      expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
      const after = await filesOf(dir);
      expect(same(after.json, before.json) && same(after.bin, before.bin)).toBe(true);
      expect(flat((await lw.loadModel(`file://${dir}`)).predict(probe))).toEqual(predictions);
    };
    return { m, dir, check };
  }
  const sysError = (code: string, syscall: string) => Object.assign(new Error(`${code}: ${code === 'ENOSPC' ? 'no space left on device' : 'read-only file system'}, ${syscall}`), { code, syscall });

  it('ENOSPC half-way through writing the weights: IO_ERROR naming the cause; the previous model is intact, no temporary file left', async () => {
    const { m, dir, check } = await savedTwice();
    const write = fileOps.writeFileSynced.bind(fileOps);
    vi.spyOn(fileOps, 'writeFileSynced').mockImplementation(async (path, data) => {
      await write(path, data.subarray(0, data.length >> 1));
      throw sysError('ENOSPC', 'write');
    });
    const e = await expectLwError(() => m.save(`file://${dir}`), 'IO_ERROR', /cannot save the model to .*: ENOSPC: no space left on device, write; nothing in .* was replaced: a model saved there before is unchanged/);
    expect(e.details).toMatchObject({ cause: 'ENOSPC', path: dir, replaced: [] });
    vi.restoreAllMocks();
    await check();
  });

  it('EROFS when creating the files: IO_ERROR; the previous model is intact', async () => {
    const { m, dir, check } = await savedTwice();
    vi.spyOn(fileOps, 'writeFileSynced').mockRejectedValue(sysError('EROFS', 'open'));
    const e = await expectLwError(() => m.save(`file://${dir}`), 'IO_ERROR', /EROFS: read-only file system, open/);
    expect(e.details.cause).toBe('EROFS');
    vi.restoreAllMocks();
    await check();
  });

  it('a failure between the two renames puts the previous weights back: IO_ERROR, the previous model is intact', async () => {
    const { m, dir, check } = await savedTwice();
    const rename = fileOps.rename.bind(fileOps);
    vi.spyOn(fileOps, 'rename').mockImplementation(async (from, to) => {
      if (to.endsWith('model.json')) throw sysError('EROFS', 'rename');
      await rename(from, to);
    });
    const e = await expectLwError(() => m.save(`file://${dir}`), 'IO_ERROR', /EROFS: read-only file system, rename; nothing in .* was replaced: a model saved there before is unchanged/);
    expect(e.details.replaced).toEqual([]);
    vi.restoreAllMocks();
    await check();
  });

  it('a directory that cannot be created: IO_ERROR, nothing written', async () => {
    await lw.ready({ backend: 'simd' });
    const file = join(newDir());
    await writeFile(file, 'a file, not a directory');
    const m = lw.sequential([lw.layers.dense({ units: 1, inputShape: [2] })]);
    const e = await expectLwError(() => m.save(`file://${file}/model`), 'IO_ERROR', /cannot save the model to .*\/model: (EEXIST|ENOTDIR)/);
    expect(['EEXIST', 'ENOTDIR']).toContain(e.details.cause);
  });
});

/** Mounts a tmpfs of `size` at a new directory; null when this process may not mount. */
function tryMount(size: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const dir = join(root, `mnt${n++}`);
  try {
    execFileSync('mkdir', ['-p', dir]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return null;
  }
}
const unmount = (dir: string) => execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
const canMount = (() => {
  const d = tryMount('64k');
  if (d) unmount(d);
  return d !== null;
})();

describe.runIf(canMount)('a real full disk (1 MiB tmpfs) and a real read-only file system (remount ro)', () => {
  async function firstSave(dir: string) {
    await lw.ready({ backend: 'simd' });
    lw.setSeed(4);
    // ~600 KB of weights: one copy fits in 1 MiB, the temporary second copy of a save does not.
    const m = lw.sequential([lw.layers.embedding({ inputDim: 1200, outputDim: 120, inputLength: 4 }), lw.layers.lstm({ units: 8 }), lw.layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await m.save(`file://${dir}/model`);
    const before = await filesOf(`${dir}/model`);
    const predictions = flat(m.predict(probe));
    m.trainOnBatch(probe, [[1], [0], [1]]);
    const check = async () => {
      expect((await readdir(`${dir}/model`)).sort()).toEqual(['model.json', 'weights.bin']);
      const after = await filesOf(`${dir}/model`);
      expect(same(after.json, before.json) && same(after.bin, before.bin)).toBe(true);
      expect(flat((await lw.loadModel(`file://${dir}/model`)).predict(probe))).toEqual(predictions);
    };
    return { m, check };
  }

  it('ENOSPC: IO_ERROR with cause ENOSPC; the previous model is intact and no temporary file is left', async () => {
    const mnt = tryMount('1m')!;
    try {
      const { m, check } = await firstSave(mnt);
      const e = await expectLwError(() => m.save(`file://${mnt}/model`), 'IO_ERROR', /no space left on device/, /a model saved there before is unchanged/);
      expect(e.details.cause).toBe('ENOSPC');
      await check();
    } finally {
      unmount(mnt);
    }
  });

  it('EROFS: IO_ERROR with cause EROFS; the previous model is intact and still loads', async () => {
    const mnt = tryMount('4m')!;
    try {
      const { m, check } = await firstSave(mnt);
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const e = await expectLwError(() => m.save(`file://${mnt}/model`), 'IO_ERROR', /read-only file system/);
      expect(e.details.cause).toBe('EROFS');
      // A new directory there: Node's recursive mkdir reports ENOENT rather than EROFS.
      await expectLwError(() => m.save(`file://${mnt}/elsewhere`), 'IO_ERROR', /cannot save the model to .*\/elsewhere: /);
      await check();
    } finally {
      unmount(mnt);
    }
  });
});

describe.runIf(process.platform === 'linux' && process.getuid?.() !== 0)('a read-only directory (chmod, not root)', () => {
  it('EACCES: IO_ERROR; the previous model is intact', async () => {
    await lw.ready({ backend: 'simd' });
    const dir = newDir();
    await mkdir(dir);
    const m = lw.sequential([lw.layers.dense({ units: 1, inputShape: [2] })]);
    await m.save(`file://${dir}`);
    const before = await filesOf(dir);
    execFileSync('chmod', ['555', dir]);
    try {
      await expectLwError(() => m.save(`file://${dir}`), 'IO_ERROR', /EACCES/);
    } finally {
      execFileSync('chmod', ['755', dir]);
    }
    const after = await filesOf(dir);
    expect(same(after.bin, before.bin) && same(after.json, before.json)).toBe(true);
  });
});

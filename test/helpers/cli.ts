// Shared by the test/cli/*.test.ts files: runs the BUILT command (node bin/lstm-wasm.js) and writes
// small generated data files.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './built-package.js';
import { Random } from '../../ts/random.js';
import * as lw from '../../ts/index.js';

/** The built CLI exists and is current (test/global-setup.ts compiled it before the tests started). */
export async function ensureCliBuilt(): Promise<void> {
  ensureBuilt();
}

/** Before a CLI test file: the built CLI, the library ready in-process, and a fresh work folder (returned). */
export async function prepareCliTests(): Promise<string> {
  await ensureCliBuilt();
  await lw.ready();
  return tempDir();
}

export const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines without the trailing empty one. */
  lines: string[];
  /** The last stdout line parsed as JSON (for --json). */
  json: () => Record<string, unknown>;
}

/** Runs `node bin/lstm-wasm.js ...args` and collects its output. */
export function cli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/lstm-wasm.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout.split('\n');
      if (lines.at(-1) === '') lines.pop();
      resolve({ code, stdout, stderr, lines, json: () => JSON.parse(lines.at(-1) ?? 'null') as Record<string, unknown> });
    });
  });
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lw-cli-'));
}

const POSITIVE = ['great', 'good', 'love', 'excellent', 'wonderful', 'happy'];
const NEGATIVE = ['bad', 'awful', 'hate', 'terrible', 'boring', 'sad'];
const FILLER = ['the', 'movie', 'was', 'a', 'plot', 'and', 'it', 'this', 'film', 'story', 'actors'];

/** Reviews whose label is decided by their sentiment words: [text, 'positive' | 'negative'][]. */
export function reviews(n: number, seed = 1): [string, string][] {
  const rng = new Random(seed);
  const pick = (words: string[]) => words[rng.int(words.length)];
  return Array.from({ length: n }, (_, i) => {
    const positive = i % 2 === 0;
    const words = [...Array.from({ length: 2 + rng.int(5) }, () => pick(FILLER)), pick(positive ? POSITIVE : NEGATIVE), pick(positive ? POSITIVE : NEGATIVE)];
    rng.shuffle(words);
    return [words.join(' '), positive ? 'positive' : 'negative'];
  });
}

export function writeCsv(dir: string, name: string, header: string[], rows: (string | number)[][]): string {
  const quote = (v: string | number) => (typeof v === 'number' ? String(v) : `"${v.replace(/"/g, '""')}"`);
  const path = join(dir, name);
  writeFileSync(path, [header.join(','), ...rows.map((r) => r.map(quote).join(','))].join('\n') + '\n');
  return path;
}

export function writeJsonl(dir: string, name: string, values: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, values.map((v) => JSON.stringify(v)).join('\n') + '\n');
  return path;
}

export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A noisy sine wave with period 12. */
export function sineSeries(n: number, seed = 2): number[] {
  const rng = new Random(seed);
  return Array.from({ length: n }, (_, t) => Number((20 + 5 * Math.sin((2 * Math.PI * t) / 12) + 0.2 * rng.normal()).toFixed(4)));
}

// The built package loads and runs in Node ESM (by package name) and in Deno.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../helpers/built-package.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const smoke = fileURLToPath(new URL('../helpers/runtimes/smoke.mjs', import.meta.url));

beforeAll(() => {
  // The tests import dist/: compile it when the sources are newer.
  ensureBuilt();
}, 120_000);

function parseLast(out: string) {
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('the built package', () => {
  it('imports as `lstm-wasm` from Node ESM and picks simd', () => {
    const out = execFileSync(process.execPath, [smoke], { cwd: root, encoding: 'utf8' });
    expect(parseLast(out)).toEqual({ backend: 'simd', c: [19, 22, 43, 50], shape: [2, 2] });
  });

  it('runs in Deno', () => {
    const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
    const out = execFileSync(deno, ['run', '--allow-read', '--import-map', 'test/helpers/runtimes/deno-import-map.json', smoke], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(parseLast(out)).toEqual({ backend: 'simd', c: [19, 22, 43, 50], shape: [2, 2] });
  });
});

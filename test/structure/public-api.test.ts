// What `lstm-wasm` and `lstm-wasm/kernels` export: lw.* for users, the kernel internals behind the
// subpath, one name per thing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import * as kernels from '../../ts/kernels.js';

describe('public API', () => {
  it('keeps kernel internals out of lw.* and puts them behind lstm-wasm/kernels', () => {
    for (const name of ['Backend', 'Scope', 'createBackend', 'currentBackend', 'ActivationCode', 'RecurrentFlags', 'KERNELS_ABI_VERSION', 'gemm', 'cellForward', 'poolOf']) {
      expect(name in lw, `lw.${name}`).toBe(false);
      expect(name in kernels, `kernels.${name}`).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./kernels']).toEqual({ types: './dist/kernels.d.ts', import: './dist/kernels.js' });
  });

  it('gives each name one meaning: lw.input once, ops and layers without clashes', () => {
    expect(typeof lw.input).toBe('function');
    expect('input' in lw.layers).toBe(false);
    const clash = Object.keys(lw.ops).filter((k) => k in lw.layers);
    expect(clash).toEqual([]);
    expect(typeof lw.ops.activationForward).toBe('function');
    expect(typeof lw.layers.activation).toBe('function');
  });
});

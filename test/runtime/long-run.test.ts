// Long runs with reduced counts: scripts/soak.mjs (the script `npm run soak` runs with 100,000
// predicts and 200 epochs) in a child process with --expose-gc, asserting that after warm-up the
// wasm memory and the backend heap do not move at all and the JS heap and RSS stay flat.
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { removeTranspiledLibrary, transpiledLibrary, ROOT } from '../helpers/transpiled-library.js';
import { scaled } from '../helpers/reliability.js';

interface Sample { done: number; wasmBytes: number; heapUsed: number; heapTop: number; jsHeapUsed: number; rss: number }
interface Run { samples: Sample[]; growth: Omit<Sample, 'done'> }

afterAll(removeTranspiledLibrary);

describe('long runs', () => {
  it(`${scaled(3000, 100_000)} predict calls and ${scaled(20, 200)} epochs of fit: memory flat after warm-up`, () => {
    const { index } = transpiledLibrary();
    const out = execFileSync(process.execPath, ['--expose-gc', join(ROOT, 'scripts/soak.mjs'), '--predicts', String(scaled(3000, 100_000)), '--epochs', String(scaled(20, 200)), '--lib', index, '--skip-tests', '--json'], { encoding: 'utf8', cwd: ROOT });
    const record = JSON.parse(out.trim().split('\n').pop()!) as { predict: Run & { calls: number }; fit: Run & { firstLoss: number; lastLoss: number }; problems: string[] };
    for (const run of [record.predict, record.fit]) {
      expect(run.samples.length).toBeGreaterThanOrEqual(2);
      // Exact: every batch's memory comes back to the heap and the memory never grows again.
      for (const s of run.samples) {
        expect(s.wasmBytes).toBe(run.samples[0].wasmBytes);
        expect(s.heapUsed).toBe(run.samples[0].heapUsed);
        expect(s.heapTop).toBe(run.samples[0].heapTop);
      }
      // JS figures after gc: a leak of even a few hundred bytes per call would show here.
      expect(run.growth.jsHeapUsed).toBeLessThan(1 << 20);
      expect(run.growth.rss).toBeLessThan(32 << 20);
    }
    expect(record.fit.lastLoss).toBeLessThan(record.fit.firstLoss);
    expect(record.problems).toEqual([]);
  });
});

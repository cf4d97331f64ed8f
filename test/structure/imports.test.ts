// The import structure of ts/: no circles between folders or between files (type imports count).
// The same check from the command line: npm run check:imports
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { circles, folderGraph, importGraph } from '../../scripts/check-imports.mjs';

type Graph = Map<string, string[]>;

describe('imports', () => {
  it('finds a circle when there is one (the check itself)', () => {
    const g: Graph = new Map([
      ['ts/a/x.ts', ['ts/b/y.ts']],
      ['ts/b/y.ts', ['ts/c.ts']],
      ['ts/c.ts', ['ts/a/z.ts']],
      ['ts/a/z.ts', []],
    ]);
    expect(circles(g)).toEqual([]);
    expect(circles(folderGraph(g))).toEqual([['ts/a', 'ts/b', 'ts/c.ts']]);
  });

  it('has no circles between folders nor between files', async () => {
    const graph: Graph = await importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(circles(folderGraph(graph))).toEqual([]);
    expect(circles(graph)).toEqual([]);
  }, 120_000);
});

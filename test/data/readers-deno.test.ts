// readCsv / readJsonl run in Deno too (Deno.open, no node:fs): the sources run directly as TypeScript.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const deno = fileURLToPath(new URL('../../node_modules/.bin/deno', import.meta.url));
const module = (name: string) => new URL(`../../ts/data/${name}`, import.meta.url).href;

/** Memory limits and sampling as in large-files.test.ts (forced GC every 20000 rows, growth from WARM_ROWS on). */
const WARM_ROWS = 100000;
const MAX_HEAP_GROWTH = 2 * 2 ** 20;
const MAX_RSS_GROWTH = 24 * 2 ** 20;
const MAX_RSS_TOTAL = 64 * 2 ** 20;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-deno-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a TypeScript snippet in Deno (imports ending in .js resolve to the .ts sources) and parses its last line. */
function runDeno(script: string, flags: string[] = []): unknown {
  const out = execFileSync(deno, ['eval', '--ext=ts', '--unstable-sloppy-imports', ...flags, script], {
    encoding: 'utf8',
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('file readers in Deno', () => {
  it('reads CSV and JSONL files, and reports the same errors as in Node', () => {
    const csv = join(dir, 'a.csv');
    writeFileSync(csv, 'name,note\r\nAda,"x, ""y""\r\nz"\r\nBob,plain\r\n');
    const jsonl = join(dir, 'a.jsonl');
    writeFileSync(jsonl, '{"a":1}\n\n{"a":2}\n');
    writeFileSync(join(dir, 'empty.csv'), '');
    writeFileSync(join(dir, 'ragged.csv'), 'a,b\n1,2\n3\n');
    writeFileSync(join(dir, 'bad.jsonl'), '{"a":1}\n{nope}\n');
    const result = runDeno(`
      import { readCsvAll } from '${module('read-csv.ts')}';
      import { readJsonlAll } from '${module('read-jsonl.ts')}';
      const error = (p: Promise<unknown>) => p.then(() => null, (e) => [e.code, e.message]);
      console.log(JSON.stringify({
        csv: await readCsvAll(${JSON.stringify(csv)}),
        jsonl: await readJsonlAll(${JSON.stringify(jsonl)}),
        missing: await error(readCsvAll(${JSON.stringify(join(dir, 'missing.csv'))})),
        empty: await error(readCsvAll(${JSON.stringify(join(dir, 'empty.csv'))})),
        ragged: await error(readCsvAll(${JSON.stringify(join(dir, 'ragged.csv'))})),
        badLine: await error(readJsonlAll(${JSON.stringify(join(dir, 'bad.jsonl'))})),
      }));
    `) as Record<string, unknown>;
    expect(result.csv).toEqual([{ name: 'Ada', note: 'x, "y"\r\nz' }, { name: 'Bob', note: 'plain' }]);
    expect(result.jsonl).toEqual([{ a: 1 }, { a: 2 }]);
    expect(result.missing).toEqual(['BAD_ARGUMENT', expect.stringMatching(/no such file: .*missing\.csv/)]);
    expect(result.empty).toEqual(['EMPTY_DATA', expect.stringMatching(/empty/)]);
    expect(result.ragged).toEqual(['BAD_ARGUMENT', expect.stringMatching(/line 3 has 1 fields, expected 2/)]);
    expect(result.badLine).toEqual(['BAD_ARGUMENT', expect.stringMatching(/line 2 is not valid JSON/)]);
  });

  it('streams a 50 MB CSV with flat memory', () => {
    const path = join(dir, 'large.csv');
    const fd = openSync(path, 'w');
    writeSync(fd, 'id,text\n');
    let rows = 0;
    for (let bytes = 0; bytes < 50 * 2 ** 20; ) {
      let buf = '';
      while (buf.length < 2 ** 20) buf += `${rows++},"row ${rows}, quoted"\n`;
      writeSync(fd, buf);
      bytes += buf.length;
    }
    closeSync(fd);
    const result = runDeno(`
      import { readCsv } from '${module('read-csv.ts')}';
      const start = Deno.memoryUsage().rss;
      let warm = { rss: 0, heapUsed: 0 };
      let peak = { rss: 0, heapUsed: 0 };
      let count = 0;
      let last = null;
      for await (const row of readCsv(${JSON.stringify(path)})) {
        last = row;
        if (++count % 20000 === 0) {
          (globalThis as unknown as { gc(): void }).gc();
          const m = Deno.memoryUsage();
          if (count === ${WARM_ROWS}) warm = m;
          peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
        }
      }
      const growth = { heap: peak.heapUsed - warm.heapUsed, rss: peak.rss - warm.rss, rssTotal: peak.rss - start };
      console.log(JSON.stringify({ count, last, growth }));
    `, ['--v8-flags=--expose-gc']) as { count: number; last: unknown; growth: { heap: number; rss: number; rssTotal: number } };
    expect(result.count).toBe(rows);
    expect(result.last).toEqual({ id: String(rows - 1), text: `row ${rows}, quoted` });
    const { heap, rss, rssTotal } = result.growth;
    const mb = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(`Deno readCsv: ${result.count} rows; growth after ${WARM_ROWS} rows: heap ${mb(heap)} MB, RSS ${mb(rss)} MB; RSS from the start ${mb(rssTotal)} MB`);
    expect(heap).toBeLessThan(MAX_HEAP_GROWTH);
    expect(rss).toBeLessThan(MAX_RSS_GROWTH);
    expect(rssTotal).toBeLessThan(MAX_RSS_TOTAL);
  });
});

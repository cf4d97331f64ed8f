// The readers stream: reading a 50 MB file keeps memory flat (rows are counted, not kept).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readCsv } from '../../ts/data/read-csv.js';
import { readJsonl } from '../../ts/data/read-jsonl.js';

const TARGET_BYTES = 50 * 1024 * 1024;
/**
 * Limits, far below the 50 MB file (its text alone would take 50-100 MB, its rows several times more).
 * Memory is sampled after a forced GC every 20000 rows, from the first WARM_ROWS rows on (by then the heap
 * has its working size): what the reader retains shows as heap growth, what the process holds as RSS growth.
 */
const WARM_ROWS = 100000;
const MAX_HEAP_GROWTH = 2 * 2 ** 20;
const MAX_RSS_GROWTH = 24 * 2 ** 20;
const MAX_RSS_TOTAL = 64 * 2 ** 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string;

/** Writes lines made by `line(i)` until the file reaches TARGET_BYTES, 1 MB at a time; returns the line count. */
function writeLines(path: string, header: string, line: (i: number) => string): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let n = 0;
  let buf = header;
  while (bytes < TARGET_BYTES) {
    while (buf.length < 1 << 20) buf += line(n++);
    writeSync(fd, buf);
    bytes += Buffer.byteLength(buf);
    buf = '';
  }
  closeSync(fd);
  return n;
}

/** Counts rows, sampling memory after a GC; returns the growths after WARM_ROWS rows and from the start. */
async function countWithMemory(rows: AsyncIterable<unknown>, check: (row: unknown, i: number) => void) {
  const start = process.memoryUsage().rss;
  let warm = { rss: 0, heapUsed: 0 };
  let peak = { rss: 0, heapUsed: 0 };
  let count = 0;
  for await (const row of rows) {
    check(row, count);
    if (++count % 20000 === 0) {
      gc();
      const m = process.memoryUsage();
      if (count === WARM_ROWS) warm = m;
      peak = { rss: Math.max(peak.rss, m.rss), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
    }
  }
  const growth = { heap: peak.heapUsed - warm.heapUsed, rss: peak.rss - warm.rss, rssTotal: peak.rss - start };
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  return { count, growth, report: `growth after ${WARM_ROWS} rows: heap ${mb(growth.heap)} MB, RSS ${mb(growth.rss)} MB; RSS from the start ${mb(growth.rssTotal)} MB` };
}

function expectFlat(growth: { heap: number; rss: number; rssTotal: number }): void {
  expect(growth.heap).toBeLessThan(MAX_HEAP_GROWTH);
  expect(growth.rss).toBeLessThan(MAX_RSS_GROWTH);
  expect(growth.rssTotal).toBeLessThan(MAX_RSS_TOTAL);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-large-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('large files stream with flat memory', () => {
  it('readCsv: 50 MB of rows with quoted fields', async () => {
    const path = join(dir, 'large.csv');
    const lines = writeLines(path, 'id,value,note,label\r\n', (i) => `${i},${(i * 0.37).toFixed(3)},"note ${i}, with ""quotes""\nand a break",${i % 3}\r\n`);
    expect(statSync(path).size).toBeGreaterThanOrEqual(TARGET_BYTES);
    const { count, growth, report } = await countWithMemory(readCsv(path), (row, i) => {
      // spot checks that every row is parsed in full
      if (i % 99991 === 0) expect(row).toEqual({ id: String(i), value: (i * 0.37).toFixed(3), note: `note ${i}, with "quotes"\nand a break`, label: String(i % 3) });
    });
    expect(count).toBe(lines);
    console.log(`readCsv: ${count} rows, ${report}`);
    expectFlat(growth);
  });

  it('readJsonl: 50 MB of objects', async () => {
    const path = join(dir, 'large.jsonl');
    const lines = writeLines(path, '', (i) => `${JSON.stringify({ id: i, x: [i, i / 2], text: `item ${i}` })}\n`);
    const { count, growth, report } = await countWithMemory(readJsonl(path), (row, i) => {
      if (i % 99991 === 0) expect(row).toEqual({ id: i, x: [i, i / 2], text: `item ${i}` });
    });
    expect(count).toBe(lines);
    console.log(`readJsonl: ${count} rows, ${report}`);
    expectFlat(growth);
  });
});

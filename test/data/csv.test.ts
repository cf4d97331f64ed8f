import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CsvParser, type CsvRecord } from '../../ts/data/csv-parser.js';
import { readCsv, readCsvAll } from '../../ts/data/read-csv.js';
import { LwError, type LwErrorCode } from '../../ts/errors.js';
import { rng } from '../helpers/kernels.js';

async function expectLwReject(p: Promise<unknown>, code: LwErrorCode, message: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(LwError);
  expect((err as LwError).code).toBe(code);
  expect((err as LwError).message).toMatch(message);
}

/** Parses text given in pieces; returns [fields, line] per record. */
function parse(pieces: string[], delimiter = ','): [string[], number][] {
  const p = new CsvParser(delimiter);
  const out: CsvRecord[] = [];
  for (const piece of pieces) p.push(piece, out);
  p.end(out);
  return out.map((r) => [r.fields, r.line]);
}

/** An independent writer: quote a field when it holds the delimiter, a quote or a line break. */
function writeCsv(rows: string[][], eol: string): string {
  const field = (f: string) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
  return rows.map((r) => r.map(field).join(',')).join(eol);
}

let dir: string;
const file = (name: string, text: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-csv-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CsvParser (RFC 4180)', () => {
  it('plain fields, empty fields, no final line break', () => {
    expect(parse(['a,b\n1,2\n'])).toEqual([[['a', 'b'], 1], [['1', '2'], 2]]);
    expect(parse(['a,\n,\n,,x'])).toEqual([[['a', ''], 1], [['', ''], 2], [['', '', 'x'], 3]]);
  });

  it('quoted fields hold delimiters, doubled quotes and line breaks; line numbers count physical lines', () => {
    const text = '"x,y","he said ""hi""","line1\nline2"\r\n3,"",5\r\nlast,"a\r\nb",c';
    expect(parse([text])).toEqual([
      [['x,y', 'he said "hi"', 'line1\nline2'], 1],
      [['3', '', '5'], 3],
      [['last', 'a\r\nb', 'c'], 4],
    ]);
  });

  it('LF, CRLF and CR line ends; blank lines are skipped; a stray quote in an unquoted field is text', () => {
    expect(parse(['a,b\r\n\r\n1,2\r3,4\n\n\n5,6'])).toEqual([[['a', 'b'], 1], [['1', '2'], 3], [['3', '4'], 4], [['5', '6'], 7]]);
    expect(parse(['\n\n\r\n'])).toEqual([]);
    expect(parse(['a"b,c\n'])).toEqual([[['a"b', 'c'], 1]]);
    expect(parse(['1\t"2\t3"\t4'], '\t')).toEqual([[['1', '2\t3', '4'], 1]]);
  });

  it('gives the same records for every way of cutting the text into pieces', () => {
    const text = 'h1,"h 2",h3\r\n"a,""b""\r\nc",,d\r\n\r\n"",x,"y"\n"q""",r,s';
    const whole = parse([text]);
    expect(whole).toHaveLength(4);
    for (let i = 0; i <= text.length; i++) expect(parse([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(parse([...text])).toEqual(whole);
  });

  it('reads back what an independent writer wrote, random fields and random cuts', () => {
    const r = rng(3);
    const alphabet = ['a', 'b', ' ', ',', '"', '\n', '\r\n', 'é', '😀', '""'];
    for (let trial = 0; trial < 50; trial++) {
      const width = 1 + Math.floor(r() * 4);
      const rows = Array.from({ length: 1 + Math.floor(r() * 6) }, () =>
        Array.from({ length: width }, () => Array.from({ length: Math.floor(r() * 6) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('')),
      );
      // a record that is one empty field is a blank line, which readers skip: keep one character
      if (width === 1) rows.forEach((row) => (row[0] ||= 'z'));
      const text = writeCsv(rows, r() < 0.5 ? '\n' : '\r\n');
      const cuts = [0, Math.floor(r() * text.length), Math.floor(r() * text.length), text.length].sort((a, b) => a - b);
      const pieces = cuts.slice(1).map((c, j) => text.slice(cuts[j], c));
      expect(parse(pieces).map(([f]) => f)).toEqual(rows);
    }
  });

  it('names the line of a character after a closing quote and of a quote that never closes', () => {
    expect(() => parse(['a,b\n"x"y,z\n'])).toThrow(/line 2: unexpected "y" after the closing quote/);
    expect(() => parse(['a,b\n1,"open\n\n2,3'])).toThrow(/quoted field starting on line 2 is never closed/);
    let err: unknown;
    try {
      parse(['a\n"b\nc']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LwError);
    expect((err as LwError).code).toBe('BAD_ARGUMENT');
    expect((err as LwError).details.line).toBe(2);
  });
});

describe('readCsv', () => {
  it('rows as objects keyed by the header; readCsvAll collects them', async () => {
    const path = file('basic.csv', 'name,age,city\r\nAda,36,"London, UK"\r\n"Bob ""B""",41,Paris\r\n');
    const rows: Record<string, string>[] = [];
    for await (const row of readCsv(path)) rows.push(row);
    expect(rows).toEqual([{ name: 'Ada', age: '36', city: 'London, UK' }, { name: 'Bob "B"', age: '41', city: 'Paris' }]);
    expect(await readCsvAll(path)).toEqual(rows);
    expect(await readCsvAll(pathToFileURL(path))).toEqual(rows);
  });

  it('columns: a subset with a header, the names without one; default names are indices', async () => {
    const path = file('cols.csv', 'a,b,c\n1,2,3\n4,5,6\n');
    expect(await readCsvAll(path, { columns: ['c', 'a'] })).toEqual([{ c: '3', a: '1' }, { c: '6', a: '4' }]);
    expect(await readCsvAll(path, { header: false, columns: ['x', 'y', 'z'] })).toEqual([
      { x: 'a', y: 'b', z: 'c' }, { x: '1', y: '2', z: '3' }, { x: '4', y: '5', z: '6' },
    ]);
    expect((await readCsvAll(path, { header: false }))[2]).toEqual({ 0: '4', 1: '5', 2: '6' });
  });

  it('tab delimiter, a UTF-8 BOM, a "__proto__" column, a header without rows', async () => {
    const tsv = file('t.tsv', '\uFEFFk\tv\n"x\ty"\t2\n');
    expect(await readCsvAll(tsv, { delimiter: '\t' })).toEqual([{ k: 'x\ty', v: '2' }]);
    const proto = await readCsvAll(file('proto.csv', '__proto__,b\n1,2\n'));
    expect(Object.keys(proto[0])).toEqual(['__proto__', 'b']);
    expect(Object.getPrototypeOf(proto[0])).toBe(Object.prototype);
    expect(await readCsvAll(file('header-only.csv', 'a,b\n'))).toEqual([]);
  });

  it('multi-byte characters and quoted fields cut by the 64 KiB chunk boundary', async () => {
    const filler = 'x'.repeat(65536 - 9);
    const rows = [['id', 'text'], ['1', filler], ['2', 'é😀 "quoted, with\nbreak"'], ['3', '😀'.repeat(40000)]];
    const path = file('big.csv', writeCsv(rows, '\n'));
    expect((await readCsvAll(path)).map((r) => [r.id, r.text])).toEqual(rows.slice(1));
  });

  it('reads a Blob and a web ReadableStream', async () => {
    const text = 'a,b\n1,"2\n3"\n';
    expect(await readCsvAll(new Blob([text]))).toEqual([{ a: '1', b: '2\n3' }]);
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
        c.close();
      },
    });
    expect(await readCsvAll(stream)).toEqual([{ a: '1', b: '2\n3' }]);
  });

  it('errors: missing file, directory, empty file, ragged rows (naming the line), broken quotes', async () => {
    await expectLwReject(readCsvAll(join(dir, 'nope.csv')), 'BAD_ARGUMENT', /readCsv: no such file: .*nope\.csv/);
    await expectLwReject(readCsvAll(dir), 'BAD_ARGUMENT', /is a directory/);
    await expectLwReject(readCsvAll(file('empty.csv', '')), 'EMPTY_DATA', /empty/);
    await expectLwReject(readCsvAll(file('blank.csv', '\n\r\n\n')), 'EMPTY_DATA', /empty/);
    const ragged = file('ragged.csv', 'a,b,c\n1,"two\nlines",3\n4,5\n');
    await expectLwReject(readCsvAll(ragged), 'BAD_ARGUMENT', /line 4 has 2 fields, expected 3 like the header \(line 1\)/);
    await expectLwReject(readCsvAll(file('ragged2.csv', '1,2\n3,4,5\n'), { header: false }), 'BAD_ARGUMENT', /line 2 has 3 fields, expected 2 like line 1/);
    await expectLwReject(readCsvAll(file('ragged3.csv', '1,2\n'), { header: false, columns: ['a'] }), 'BAD_ARGUMENT', /line 1 has 2 fields, expected 1 \(one per name in columns\)/);
    await expectLwReject(readCsvAll(file('open.csv', 'a\n"never closed\n')), 'BAD_ARGUMENT', /starting on line 2 is never closed/);
    await expectLwReject(readCsvAll(file('after.csv', 'a,b\n"x" ,y\n')), 'BAD_ARGUMENT', /line 2: unexpected " " after the closing quote/);
  });

  it('errors: bad options, unknown or repeated columns, unsupported sources', async () => {
    const path = file('opts.csv', 'a,b\n1,2\n');
    await expectLwReject(readCsvAll(path, { delimiter: ';;' }), 'BAD_ARGUMENT', /delimiter must be one character/);
    await expectLwReject(readCsvAll(path, { delimiter: '"' }), 'BAD_ARGUMENT', /delimiter/);
    await expectLwReject(readCsvAll(path, { columns: [] }), 'BAD_ARGUMENT', /columns must be a non-empty array/);
    await expectLwReject(readCsvAll(path, { columns: ['z'] }), 'BAD_ARGUMENT', /no column "z" in the header; columns are "a", "b"/);
    await expectLwReject(readCsvAll(path, { columns: ['a', 'a'] }), 'BAD_ARGUMENT', /column "a" appears twice in columns/);
    await expectLwReject(readCsvAll(file('dup.csv', 'a,a\n1,2\n')), 'BAD_ARGUMENT', /column "a" appears twice in the header \(line 1\)/);
    await expectLwReject(readCsvAll(new URL('https://example.com/x.csv')), 'BAD_ARGUMENT', /only file: URLs/);
    await expectLwReject(readCsvAll(42 as never), 'DTYPE', /expected a file path/);
  });

  it.runIf(existsSync('/proc/self/fd'))('stopping early closes the file', async () => {
    const path = file('many.csv', 'v\n' + Array.from({ length: 100000 }, (_, i) => i).join('\n'));
    const openFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false;
      }
    }).length;
    const it = readCsv(path);
    expect((await it.next()).value).toEqual({ v: '0' });
    expect(openFiles()).toBe(1);
    expect(await it.return()).toEqual({ done: true, value: undefined });
    expect(openFiles()).toBe(0);
    expect((await it.next()).done).toBe(true);
  });
});

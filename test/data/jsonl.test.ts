import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl, readJsonlAll } from '../../ts/data/read-jsonl.js';
import { LwError, type LwErrorCode } from '../../ts/errors.js';
import { rng } from '../helpers/kernels.js';

async function expectLwReject(p: Promise<unknown>, code: LwErrorCode, message: RegExp): Promise<LwError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(LwError);
  expect((err as LwError).code).toBe(code);
  expect((err as LwError).message).toMatch(message);
  return err as LwError;
}

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lw-jsonl-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readJsonl', () => {
  it('one value per line; blank and whitespace-only lines skipped; CRLF; no final line break', async () => {
    const path = file('a.jsonl', '{"a":1,"b":"x"}\r\n\r\n   \n{"a":2,"b":"line\\nbreak"}\n[1,2]\n{"a":3}');
    const values: unknown[] = [];
    for await (const v of readJsonl(path)) values.push(v);
    expect(values).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'line\nbreak' }, [1, 2], { a: 3 }]);
    expect(await readJsonlAll(path)).toEqual(values);
  });

  it('reads back random objects written with JSON.stringify, lines cut by the 64 KiB chunks', async () => {
    const r = rng(5);
    const objects = Array.from({ length: 300 }, (_, i) => ({
      i,
      text: Array.from({ length: Math.floor(r() * 700) }, () => 'aé😀"\\\t,'[Math.floor(r() * 8)]).join(''),
      xs: Array.from({ length: Math.floor(r() * 5) }, () => r()),
    }));
    objects.push({ i: 300, text: 'z'.repeat(200_000), xs: [] });
    const path = file('random.jsonl', objects.map((o) => JSON.stringify(o)).join('\n') + '\n');
    expect(await readJsonlAll(path)).toEqual(objects);
  });

  it('reads a Blob', async () => {
    expect(await readJsonlAll(new Blob(['{"k":1}\n{"k":2}\n']))).toEqual([{ k: 1 }, { k: 2 }]);
  });

  it('a bad line gives BAD_ARGUMENT naming its line number (blank lines counted)', async () => {
    const path = file('bad.jsonl', '{"a":1}\n\n{"a":2}\n{"a":\n{"a":4}\n');
    const err = await expectLwReject(readJsonlAll(path), 'BAD_ARGUMENT', /readJsonl: line 4 is not valid JSON .*: \{"a":/);
    expect(err.details.line).toBe(4);
    // the values before the bad line were already delivered
    const seen: unknown[] = [];
    await expectLwReject((async () => {
      for await (const v of readJsonl(path)) seen.push(v);
    })(), 'BAD_ARGUMENT', /line 4/);
    expect(seen).toEqual([{ a: 1 }, { a: 2 }]);
    await expectLwReject(readJsonlAll(file('last.jsonl', '{"a":1}\r\n{oops}')), 'BAD_ARGUMENT', /line 2 is not valid JSON/);
  });

  it('errors: missing file, empty file, only blank lines', async () => {
    await expectLwReject(readJsonlAll(join(dir, 'missing.jsonl')), 'BAD_ARGUMENT', /readJsonl: no such file: .*missing\.jsonl/);
    await expectLwReject(readJsonlAll(file('empty.jsonl', '')), 'EMPTY_DATA', /empty/);
    await expectLwReject(readJsonlAll(file('blank.jsonl', '\n \r\n\t\n')), 'EMPTY_DATA', /empty/);
  });
});

// Reading the --data file: CSV / TSV and JSON Lines as tables of rows, .txt as text.
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { readCsvAll } from '../data/read-csv.js';
import { readJsonlAll } from '../data/read-jsonl.js';
import { LwError } from '../errors.js';
import { CliError } from './errors.js';

export type FileKind = 'csv' | 'tsv' | 'jsonl' | 'txt';

/** A table: column names (CSV header, or JSON keys in first-seen order) and one object per row. */
export interface Table {
  path: string;
  kind: 'csv' | 'tsv' | 'jsonl';
  columns: string[];
  rows: Record<string, unknown>[];
}

const KINDS: Record<string, FileKind> = { '.csv': 'csv', '.tsv': 'tsv', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.txt': 'txt' };

/** The kind of a data file from its extension. */
export function fileKind(path: string): FileKind {
  const kind = KINDS[extname(path).toLowerCase()];
  if (!kind) throw new CliError(`${path}: unknown file type "${extname(path) || '(none)'}"; use .csv, .tsv, .jsonl or .txt`);
  return kind;
}

/** Fails with one clear line when the file is missing, a directory, unreadable or empty. */
async function checkFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CliError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${code ?? (err as Error).message}`);
  }
  if (info.isDirectory()) throw new CliError(`${path} is a directory, not a data file`);
  if (info.size === 0) throw new CliError(`${path} is empty`);
}

export async function readText(path: string): Promise<string> {
  await checkFile(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new CliError(`${path} is empty (only white space)`);
  return text;
}

/** A reader's error about the file's content, as "FILE: what is wrong". */
function named(err: unknown, path: string): unknown {
  if (err instanceof LwError && (err.code === 'BAD_ARGUMENT' || err.code === 'EMPTY_DATA')) {
    return new CliError(`${path}: ${err.message.replace(/^\[[A-Z_]+\] (readCsv|readJsonl): /, '')}`);
  }
  return err;
}

export async function readTable(path: string): Promise<Table> {
  const kind = fileKind(path);
  if (kind === 'txt') throw new CliError(`${path}: expected a table (.csv, .tsv or .jsonl), got a .txt file`);
  await checkFile(path);
  try {
    return await parseTable(path, kind);
  } catch (err) {
    throw named(err, path);
  }
}

async function parseTable(path: string, kind: 'csv' | 'tsv' | 'jsonl'): Promise<Table> {
  if (kind === 'csv' || kind === 'tsv') {
    const rows = await readCsvAll(path, { delimiter: kind === 'tsv' ? '\t' : ',' });
    if (rows.length === 0) throw new CliError(`${path} has a header but no rows`);
    return { path, kind, columns: Object.keys(rows[0]), rows };
  }
  const values = await readJsonlAll<unknown>(path);
  const columns: string[] = [];
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new CliError(`${path}: JSON value ${i + 1} is ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}, expected an object like {"text": ..., "label": ...}`);
    }
    for (const k of Object.keys(v)) if (!seen.has(k)) {
      seen.add(k);
      columns.push(k);
    }
  });
  return { path, kind, columns, rows: values as Record<string, unknown>[] };
}

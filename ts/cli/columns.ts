// Choosing the --text-column / --label-column / --column of a table and reading their values.
import type { Table } from './data-file.js';
import { CliError } from './errors.js';

const quoteList = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');

/** A requested column must exist; the message lists the file's columns. */
export function requireColumn(table: Table, name: string, flag: string): string {
  if (!table.columns.includes(name)) {
    throw new CliError(`${table.path}: no column ${JSON.stringify(name)} (--${flag}); columns are ${quoteList(table.columns)}`);
  }
  return name;
}

function firstPresent(table: Table, names: string[]): string | undefined {
  return table.columns.find((c) => names.includes(c.toLowerCase()));
}

/**
 * Text and label columns: as given, else "text" / "label" (or class, target, y) when present, else the
 * first and the last column.
 */
export function textAndLabelColumns(table: Table, text: string | undefined, label: string | undefined): { text: string; label: string } {
  if (table.columns.length < 2) {
    throw new CliError(`${table.path}: a text column and a label column are needed, the file has only ${quoteList(table.columns)}`);
  }
  const labelCol = label !== undefined ? requireColumn(table, label, 'label-column')
    : firstPresent(table, ['label', 'labels', 'class', 'target', 'y']) ?? table.columns.filter((c) => c !== text).at(-1)!;
  const textCol = text !== undefined ? requireColumn(table, text, 'text-column')
    : firstPresent(table, ['text', 'sentence', 'review', 'message', 'content', 'document'].filter((c) => c !== labelCol.toLowerCase()))
      ?? table.columns.find((c) => c !== labelCol)!;
  if (textCol === labelCol) throw new CliError(`--text-column and --label-column are both ${JSON.stringify(textCol)}`);
  return { text: textCol, label: labelCol };
}

function cell(table: Table, i: number, col: string): unknown {
  const v = table.rows[i][col];
  if (v === undefined || v === null) throw new CliError(`${table.path}: row ${i + 1} has no value in column ${JSON.stringify(col)}`);
  return v;
}

/** The column's values as texts (numbers and booleans are written out). */
export function textValues(table: Table, col: string): string[] {
  return table.rows.map((_, i) => {
    const v = cell(table, i, col);
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw new CliError(`${table.path}: row ${i + 1} has ${Array.isArray(v) ? 'an array' : 'an object'} in column ${JSON.stringify(col)}, expected text`);
  });
}

/** The column's values as class labels (text; empty labels are an error). */
export function labelValues(table: Table, col: string): string[] {
  return textValues(table, col).map((v, i) => {
    const t = v.trim();
    if (t === '') throw new CliError(`${table.path}: row ${i + 1} has an empty label in column ${JSON.stringify(col)}`);
    return t;
  });
}

/** Whether a text is a finite number. */
const isNumberText = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));

/** The column's values as finite numbers; `why` ends the message for a value that is not one. */
export function numberValues(table: Table, col: string, why: string): Float64Array {
  const out = new Float64Array(table.rows.length);
  table.rows.forEach((_, i) => {
    const v = cell(table, i, col);
    if (!isNumberText(v)) throw new CliError(`${table.path}: row ${i + 1} has ${JSON.stringify(v)} in column ${JSON.stringify(col)}, not a number; ${why}`);
    out[i] = Number(v);
  });
  return out;
}

/** The series column of a forecast: as given, else the only column whose values are all numbers. */
export function seriesColumn(table: Table, col: string | undefined): string {
  if (col !== undefined) return requireColumn(table, col, 'column');
  const numeric = table.columns.filter((c) => table.rows.every((r) => isNumberText(r[c])));
  if (numeric.length === 1) return numeric[0];
  if (numeric.length === 0) throw new CliError(`${table.path}: no column holds only numbers (columns ${quoteList(table.columns)}); a forecast needs a numeric series`);
  throw new CliError(`${table.path}: several numeric columns (${quoteList(numeric)}); choose the series with --column`);
}

/** Numbers in a .txt file, separated by white space, commas or semicolons. */
export function numbersInText(text: string, path: string): Float64Array {
  const items = text.split(/[\s,;]+/).filter((s) => s !== '');
  const out = new Float64Array(items.length);
  items.forEach((s, i) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new CliError(`${path}: item ${i + 1} is ${JSON.stringify(s.length > 20 ? `${s.slice(0, 20)}...` : s)}, not a number; a forecast .txt holds numbers only`);
    out[i] = v;
  });
  return out;
}

import { LwError } from '../errors.js';
import { CsvParser, type CsvRecord } from './csv-parser.js';
import { textChunks, type TextSource } from './text-source.js';

export interface ReadCsvArgs {
  /** One character between fields (default ','; '\t' for TSV). */
  delimiter?: string;
  /** The first record names the columns (default true). */
  header?: boolean;
  /**
   * With a header: keep only these columns (each must be in the header). Without a header: the names of
   * the fields, in order (default '0', '1', ...).
   */
  columns?: string[];
}

/** A CSV row: column name → field text (convert with Number(...) where needed). */
export type CsvRow = Record<string, string>;

function checkArgs(args: ReadCsvArgs): { delimiter: string; header: boolean; columns?: string[] } {
  const delimiter = args.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new LwError('BAD_ARGUMENT', `readCsv: delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}`);
  }
  const columns = args.columns;
  if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0 || !columns.every((c) => typeof c === 'string'))) {
    throw new LwError('BAD_ARGUMENT', 'readCsv: columns must be a non-empty array of column names');
  }
  return { delimiter, header: args.header ?? true, columns };
}

function checkUnique(names: string[], where: string): void {
  const dup = names.find((name, i) => names.indexOf(name) !== i);
  if (dup !== undefined) throw new LwError('BAD_ARGUMENT', `readCsv: column "${dup}" appears twice in ${where}`);
}

/** Turns records into row objects: the names, which field each comes from, and the field count every record must have. */
class RowBuilder {
  private names: string[] = [];
  private picks: number[] = [];
  private width = -1;
  private widthFrom = '';
  private plainKeys = true;

  constructor(private readonly header: boolean, private readonly columns: string[] | undefined) {}

  /** The row of a record, or undefined for the header. */
  build(rec: CsvRecord): CsvRow | undefined {
    if (this.width < 0) return this.start(rec);
    if (rec.fields.length !== this.width) {
      throw new LwError('BAD_ARGUMENT', `readCsv: line ${rec.line} has ${rec.fields.length} fields, expected ${this.width} ${this.widthFrom}`, { line: rec.line, fields: rec.fields.length, expected: this.width });
    }
    const row: CsvRow = {};
    const names = this.names;
    const picks = this.picks;
    const fields = rec.fields;
    if (this.plainKeys) for (let j = 0; j < names.length; j++) row[names[j]] = fields[picks[j]];
    else {
      // a column named "__proto__" must be an ordinary key, not the prototype
      for (let j = 0; j < names.length; j++) Object.defineProperty(row, names[j], { value: fields[picks[j]], enumerable: true, writable: true, configurable: true });
    }
    return row;
  }

  private start(rec: CsvRecord): CsvRow | undefined {
    this.width = rec.fields.length;
    if (this.header) {
      const headerNames = rec.fields;
      checkUnique(headerNames, `the header (line ${rec.line})`);
      this.widthFrom = `like the header (line ${rec.line})`;
      const wanted = this.columns ?? headerNames;
      checkUnique(wanted, 'columns');
      this.picks = wanted.map((name) => {
        const j = headerNames.indexOf(name);
        if (j < 0) throw new LwError('BAD_ARGUMENT', `readCsv: no column "${name}" in the header; columns are ${headerNames.map((h) => JSON.stringify(h)).join(', ')}`);
        return j;
      });
      this.names = wanted;
      this.plainKeys = !wanted.includes('__proto__');
      return undefined;
    }
    if (this.columns) {
      checkUnique(this.columns, 'columns');
      this.width = this.columns.length;
      this.widthFrom = `(one per name in columns)`;
      this.names = this.columns;
    } else {
      this.widthFrom = `like line ${rec.line}`;
      this.names = rec.fields.map((_, j) => String(j));
    }
    this.picks = this.names.map((_, j) => j);
    this.plainKeys = !this.names.includes('__proto__');
    return this.build(rec);
  }
}

/**
 * Streams the rows of a CSV file (RFC 4180: quoted fields with delimiters, doubled quotes and line breaks;
 * LF or CRLF; blank lines skipped) as objects keyed by column name. Reads one 64 KiB chunk at a time, so
 * memory stays flat however large the file. Node and Deno take a path or file: URL; any runtime takes a
 * Blob / File / ReadableStream.
 *
 * Errors (LwError): BAD_ARGUMENT for a missing file, a row with the wrong number of fields (naming its line)
 * or a broken quote; EMPTY_DATA for a file with no records.
 */
export async function* readCsv(source: TextSource, args: ReadCsvArgs = {}): AsyncGenerator<CsvRow, void, undefined> {
  const { delimiter, header, columns } = checkArgs(args);
  const parser = new CsvParser(delimiter, 'readCsv');
  const rows = new RowBuilder(header, columns);
  const records: CsvRecord[] = [];
  let seen = false;
  const texts = textChunks(source, 'readCsv');
  try {
    for (let done = false; !done; ) {
      const next = await texts.next();
      done = next.done === true;
      if (next.done) parser.end(records);
      else parser.push(next.value, records);
      // a plain loop: yield* over a generator costs more per row
      for (let k = 0; k < records.length; k++) {
        seen = true;
        const row = rows.build(records[k]);
        if (row) yield row;
      }
      records.length = 0;
    }
  } finally {
    // stopping early closes the file
    await texts.return(undefined);
  }
  if (!seen) throw new LwError('EMPTY_DATA', `readCsv: ${typeof source === 'string' ? source : 'the input'} is empty (no records)`);
}

/** All rows of a CSV file in an array (small files; stream large ones with readCsv). */
export async function readCsvAll(source: TextSource, args: ReadCsvArgs = {}): Promise<CsvRow[]> {
  const rows: CsvRow[] = [];
  for await (const row of readCsv(source, args)) rows.push(row);
  return rows;
}

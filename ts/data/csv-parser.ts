import { LwError } from '../errors.js';

/** One CSV record: its fields and the (1-based) line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const enum State {
  /** At the start of a field (also the start of a record when no field is pending). */
  FieldStart,
  Unquoted,
  Quoted,
  /** Just read a quote inside a quoted field: either `""` (a literal quote) or the closing quote. */
  QuoteInQuoted,
}

/**
 * Incremental RFC 4180 parser: feed text in pieces of any size, get whole records.
 * Quoted fields may hold the delimiter, quotes (doubled) and line breaks; records end at LF, CRLF or CR.
 * Blank lines are skipped. A quote inside an unquoted field is kept as text.
 */
export class CsvParser {
  private state = State.FieldStart;
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  /** The previous character was CR, so an LF right after it is the same line break. */
  private afterCR = false;
  private readonly delim: number;

  constructor(delimiter: string, private readonly what = 'readCsv') {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Parses `text`, appending the records it completes to `out`. */
  push(text: string, out: CsvRecord[]): void {
    const delim = this.delim;
    const n = text.length;
    let state = this.state;
    let line = this.line;
    let afterCR = this.afterCR;
    let start = 0;
    let i = 0;
    while (i < n) {
      if (state === State.Unquoted) {
        // the hot path: scan to the end of the field
        let j = i;
        let c = 0;
        for (; j < n; j++) {
          c = text.charCodeAt(j);
          if (c === delim || c === LF || c === CR) break;
        }
        if (j === n) break;
        this.fields.push(this.field + text.slice(start, j));
        this.field = '';
        state = State.FieldStart;
        afterCR = c === CR;
        if (c !== delim) {
          line++;
          this.endRecord(out);
        }
        i = j + 1;
        continue;
      }
      if (state === State.Quoted) {
        const q = text.indexOf('"', i);
        const end = q < 0 ? n : q;
        // count the line breaks inside the field (CRLF once)
        for (let j = i; j < end; j++) {
          const c = text.charCodeAt(j);
          if (c === LF) {
            if (!afterCR) line++;
            afterCR = false;
          } else if (c === CR) {
            line++;
            afterCR = true;
          } else afterCR = false;
        }
        if (q < 0) break;
        afterCR = false;
        this.field += text.slice(start, q);
        state = State.QuoteInQuoted;
        i = q + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      const lineBreak = c === LF || c === CR;
      if (lineBreak) {
        // the LF of a CRLF: the CR already ended the record
        if (c === LF && afterCR) {
          afterCR = false;
          i++;
          continue;
        }
        line++;
        afterCR = c === CR;
      } else afterCR = false;
      if (state === State.FieldStart) {
        if (lineBreak) {
          // a blank line has no pending field; "a,<break>" ends with an empty field
          if (this.fields.length > 0) {
            this.fields.push('');
            this.endRecord(out);
          }
        } else {
          if (this.fields.length === 0) this.recordLine = line;
          if (c === QUOTE) {
            state = State.Quoted;
            start = i + 1;
            this.quoteLine = line;
          } else if (c === delim) this.fields.push('');
          else {
            state = State.Unquoted;
            start = i;
          }
        }
      } else if (c === QUOTE) {
        // QuoteInQuoted: "" is a literal quote
        this.field += '"';
        state = State.Quoted;
        start = i + 1;
      } else if (c === delim || lineBreak) {
        this.fields.push(this.field);
        this.field = '';
        state = State.FieldStart;
        if (lineBreak) this.endRecord(out);
      } else {
        throw new LwError('BAD_ARGUMENT', `${this.what}: line ${line}: unexpected ${JSON.stringify(text[i])} after the closing quote of a field (a quote inside a quoted field is written "")`, { line });
      }
      i++;
    }
    // keep the unfinished part of a field for the next piece
    if (state === State.Unquoted || state === State.Quoted) this.field += text.slice(start);
    this.state = state;
    this.line = line;
    this.afterCR = afterCR;
  }

  /** The input is over: completes the last record (a file need not end with a line break). */
  end(out: CsvRecord[]): void {
    switch (this.state) {
      case State.Quoted:
        throw new LwError('BAD_ARGUMENT', `${this.what}: the quoted field starting on line ${this.quoteLine} is never closed`, { line: this.quoteLine });
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.fields.push(this.field);
        break;
      case State.FieldStart:
        if (this.fields.length > 0) this.fields.push('');
        break;
    }
    this.field = '';
    this.state = State.FieldStart;
    if (this.fields.length > 0) this.endRecord(out);
  }

  private endRecord(out: CsvRecord[]): void {
    out.push({ fields: this.fields, line: this.recordLine });
    this.fields = [];
  }
}

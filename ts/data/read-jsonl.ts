import { LwError } from '../errors.js';
import { textChunks, type TextSource } from './text-source.js';

/**
 * Streams the values of a JSON Lines file, one JSON value per line (usually an object). Blank lines are
 * skipped; LF or CRLF. Reads one 64 KiB chunk at a time, so memory stays flat however large the file.
 *
 * Errors (LwError): BAD_ARGUMENT for a missing file or a line that is not JSON (naming the line number);
 * EMPTY_DATA for a file without any value.
 */
export async function* readJsonl<T = Record<string, unknown>>(source: TextSource): AsyncGenerator<T, void, undefined> {
  let rest = '';
  let line = 0;
  let seen = false;
  const parse = (text: string): T | undefined => {
    line++;
    if (text.trim() === '') return undefined;
    try {
      seen = true;
      return JSON.parse(text) as T;
    } catch (err) {
      const preview = text.length > 60 ? `${text.slice(0, 60)}...` : text;
      throw new LwError('BAD_ARGUMENT', `readJsonl: line ${line} is not valid JSON (${(err as Error).message}): ${preview}`, { line });
    }
  };
  for await (const text of textChunks(source, 'readJsonl')) {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const value = parse(rest + text.slice(from, nl));
      rest = '';
      from = nl + 1;
      if (value !== undefined) yield value;
    }
    rest += text.slice(from);
  }
  const last = parse(rest);
  if (last !== undefined) yield last;
  if (!seen) throw new LwError('EMPTY_DATA', `readJsonl: ${typeof source === 'string' ? source : 'the input'} is empty (no JSON values)`);
}

/** All values of a JSON Lines file in an array (small files; stream large ones with readJsonl). */
export async function readJsonlAll<T = Record<string, unknown>>(source: TextSource): Promise<T[]> {
  const out: T[] = [];
  for await (const value of readJsonl<T>(source)) out.push(value);
  return out;
}

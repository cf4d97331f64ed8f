// The Keras file parsers as typed modules: those handed to setKerasParsers, else imported by name.
import { LwError } from '../../errors.js';
import type * as Jsfive from 'jsfive';
import type * as Fflate from 'fflate';
import { givenParsers } from './parsers.js';

export interface KerasParsers {
  jsfive: typeof Jsfive;
  fflate: typeof Fflate;
}

/** Imports a parser; literal specifiers (below) let bundlers put each in a chunk of its own. */
async function importByName<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw new LwError('UNSUPPORTED', `reading Keras files needs the "${name}" package, which cannot be imported here (${(e as Error).message}): npm install ${name}, or hand it over with lw.setKerasParsers`, { package: name });
  }
}

/** The parsers, imported on first use. */
export async function kerasParsers(): Promise<KerasParsers> {
  const jsfive = (givenParsers.jsfive as typeof Jsfive | undefined) ?? (await importByName('jsfive', () => import('jsfive')));
  const fflate = (givenParsers.fflate as typeof Fflate | undefined) ?? (await importByName('fflate', () => import('fflate')));
  return { jsfive, fflate };
}
